"""The vocabulary of the role × URL matrix, shared by its per-application parts.

`tests/alize/test_url_matrix.py` holds the matrix itself; the pages of the committees, the
advances and the dashboards are declared in `matrix_comites.py`, `matrix_avances.py` and
`matrix_pilotage.py`, each with the objects its pages need (`build`) and the links between
the actors and those objects (`attach`).
"""

from dataclasses import dataclass, field

from alize.models import Role

OK, LOGIN, NOT_FOUND = 200, 302, 404
# A form that did its work sends the user on (anonymous users are sent to the login page).
REDIRECT = 302
# Seen but not allowed: a page that explains why (the documents of a dossier).
FORBIDDEN = 403
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"

ACTORS = (
    "anonymous",
    "staff",  # chargé(e) de mission of the basin
    "manager",  # responsable de l'opérateur of the basin
    "committee",  # membre du comité d'agrément
    "steering",  # comité de pilotage
    "funder",  # financeur
    "admin",  # administrateur (no basin: sees all of them)
    "other_staff",  # chargé(e) de mission of ANOTHER basin
    "other_manager",  # responsable of ANOTHER basin
    "other_steering",  # comité de pilotage of ANOTHER basin
    "other_funder",  # financeur representing an intercommunality of ANOTHER basin
    "coordinator",  # coordinateur(trice) of the basin's corporation
    "other_coordinator",  # coordinateur(trice) of ANOTHER corporation (of another basin)
)

ACTOR_ROLES = {
    "staff": Role.STAFF,
    "manager": Role.MANAGER,
    "committee": Role.COMMITTEE_MEMBER,
    "steering": Role.STEERING,
    "funder": Role.FUNDER,
    "admin": Role.ADMIN,
    "other_staff": Role.STAFF,
    "other_manager": Role.MANAGER,
    "other_steering": Role.STEERING,
    "other_funder": Role.FUNDER,
    "coordinator": Role.COORDINATOR,
    "other_coordinator": Role.COORDINATOR,
}


def expect(**overrides) -> dict[str, int]:
    """The referential default (operators and admin in, other roles out), then overrides."""
    base = {
        "anonymous": LOGIN,
        "staff": OK,
        "manager": OK,
        "committee": NOT_FOUND,
        "steering": NOT_FOUND,
        "funder": NOT_FOUND,
        "admin": OK,
        "other_staff": OK,
        "other_manager": OK,
        "other_steering": NOT_FOUND,
        "other_funder": NOT_FOUND,
        "coordinator": NOT_FOUND,
        "other_coordinator": NOT_FOUND,
    }
    assert set(overrides) <= set(base), overrides
    return {**base, **overrides}


@dataclass(frozen=True)
class Page:
    expected: dict[str, int]
    # URL kwarg → object of the world (objects of the tested basin) that fills it.
    kwargs: dict[str, str] = field(default_factory=dict)
    # On a list page, the object of each basin whose name shows whose rows are listed; on a
    # form, the object whose name shows whose choices are offered.
    marker: str = ""
    # A page that only answers POST (an action): the data it is sent.
    post: dict | None = None
    # URL kwargs that are not objects (a year).
    values: dict = field(default_factory=dict)
