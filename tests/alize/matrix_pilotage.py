"""The role × URL matrix: the pages of the dashboards (the programme dashboard and its charts)."""

from tests.alize.matrix import NOT_FOUND, OK, Page, expect

# The dashboard of one's own basin: the operators, the steering committee, the funders
# (the programme's figures, and their territory's or their missions) and the administrator;
# people of another basin open the same address and read their own basin. Committee members
# and corporations' coordinators have none.
OWN_BASIN = expect(steering=OK, funder=OK, other_steering=OK, other_funder=OK)
# A named basin's dashboard: a 404 for anyone bound to another basin.
NAMED_BASIN = expect(steering=OK, funder=OK, other_staff=NOT_FOUND, other_manager=NOT_FOUND)

PAGES: dict[str, Page] = {
    "pilotage:dashboard": Page(OWN_BASIN, marker="basin"),
    "pilotage:basin_dashboard": Page(NAMED_BASIN, {"pk": "basin"}, marker="basin"),
}


def build(label: str, objects: dict) -> dict:
    """The objects these pages need in one basin, from the basin's common objects."""
    return {}


def attach(world: dict) -> None:
    """Links the actors to the objects (a committee seat, a funder's report)."""
