"""The role × URL matrix: the pages of the dashboards (the programme dashboard and its charts)."""

from tests.alize.matrix import Page

PAGES: dict[str, Page] = {}


def build(label: str, objects: dict) -> dict:
    """The objects these pages need in one basin, from the basin's common objects."""
    return {}


def attach(world: dict) -> None:
    """Links the actors to the objects (a committee seat, a funder's report)."""
