"""Every URL of the project against every kind of user.

The table below is the access policy written down once. A URL that appears in the project
but not in the table fails `test_every_url_is_in_the_matrix`: whoever adds a page must say
who may open it.
"""

from dataclasses import dataclass, field

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pghistory.models import Events

from alize.models import Role
from tests.alize.factories import (
    AdvanceCapFactory,
    BasinFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

OK, LOGIN, NOT_FOUND = 200, 302, 404

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
    }
    assert set(overrides) <= set(base), overrides
    return {**base, **overrides}


# Everyone signed in sees the home page.
HOME = expect(committee=OK, steering=OK, funder=OK)
# A list, or a creation form that is not tied to one basin: people of another basin open it
# (and see or pick only their own basin's rows).
LIST = expect()
# A page of one object of the basin: a 404 for people of another basin.
OWN = expect(other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# The basin itself and its advance cap: the operator's manager (and the administrator) only.
MANAGER_ONLY = expect(staff=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)


@dataclass(frozen=True)
class Page:
    expected: dict[str, int]
    # URL kwarg → object of the world (objects of the tested basin) that fills it.
    kwargs: dict[str, str] = field(default_factory=dict)
    # On a list page, the object of each basin whose name shows whose rows are listed; on a
    # form, the object whose name shows whose choices are offered.
    marker: str = ""


MATRIX: dict[str, Page] = {
    "home": Page(HOME),
    "alize:basin_list": Page(LIST, marker="basin"),
    "alize:basin_detail": Page(OWN, {"pk": "basin"}),
    "alize:basin_update": Page(MANAGER_ONLY, {"pk": "basin"}),
    "alize:advance_cap_create": Page(MANAGER_ONLY, {"pk": "basin"}),
    "alize:period_list": Page(LIST, marker="period"),
    "alize:period_create": Page(LIST, marker="basin"),
    "alize:period_detail": Page(OWN, {"pk": "period"}),
    "alize:period_update": Page(OWN, {"pk": "period"}),
    "alize:epci_list": Page(LIST, marker="epci"),
    "alize:epci_create": Page(LIST, marker="basin"),
    "alize:epci_detail": Page(OWN, {"pk": "epci"}),
    "alize:epci_update": Page(OWN, {"pk": "epci"}),
    "alize:commune_list": Page(LIST, marker="commune"),
    "alize:commune_create": Page(LIST, marker="epci"),
    "alize:commune_detail": Page(OWN, {"pk": "commune"}),
    "alize:commune_update": Page(OWN, {"pk": "commune"}),
    "alize:funder_list": Page(LIST, marker="funder"),
    "alize:funder_create": Page(LIST, marker="basin"),
    "alize:funder_detail": Page(OWN, {"pk": "funder"}),
    "alize:funder_update": Page(OWN, {"pk": "funder"}),
    "alize:contribution_create": Page(OWN, {"funder_pk": "funder"}, marker="period"),
    "alize:contribution_update": Page(OWN, {"pk": "contribution"}, marker="period"),
}

# Pages with expectations of their own (tested elsewhere): the admin site, the health check
# (open to load balancers) and the sign-in and password pages (open to anonymous users).
NOT_IN_MATRIX = {
    "healthz",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
}
SKIPPED_NAMESPACES = {"admin"}


def project_url_names(patterns=None, namespace=""):
    """Every named URL of the project, "namespace:name", outside the skipped namespaces."""
    if patterns is None:
        patterns = get_resolver().url_patterns
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in SKIPPED_NAMESPACES:
                continue
            prefix = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from project_url_names(pattern.url_patterns, prefix)
        elif isinstance(pattern, URLPattern):
            # An unnamed pattern cannot be in the matrix: report it by its route.
            yield f"{namespace}{pattern.name}" if pattern.name else f"<unnamed {pattern.pattern}>"


def test_every_url_is_in_the_matrix():
    names = set(project_url_names())
    missing = names - set(MATRIX) - NOT_IN_MATRIX
    assert not missing, f"URL absentes de la matrice des droits : {sorted(missing)}"
    stale = (set(MATRIX) | NOT_IN_MATRIX) - names
    assert not stale, f"Entrées de la matrice sans URL : {sorted(stale)}"


def test_every_page_has_an_expectation_for_every_actor():
    for name, page in MATRIX.items():
        assert set(page.expected) == set(ACTORS), name


def build_basin_objects(label: str) -> dict:
    """One of everything for a basin; names carry `label` so that lists can be told apart."""
    basin = BasinFactory(name=f"Bassin {label}")
    epci = EpciFactory(basin=basin, name=f"Agglomération {label}")
    funder = FunderFactory(basin=basin, name=f"Financeur {label}")
    period = PeriodFactory(basin=basin, name=f"Période {label}")
    return {
        "basin": basin,
        "cap": AdvanceCapFactory(basin=basin),
        "period": period,
        "epci": epci,
        "commune": CommuneFactory(epci=epci, name=f"Commune {label}"),
        "funder": funder,
        "contribution": ContributionFactory(funder=funder, period=period),
    }


@pytest.fixture
def world(db):
    here = build_basin_objects("Ostrevent")
    there = build_basin_objects("Sambre")
    users = {}
    for actor, role in ACTOR_ROLES.items():
        if actor == "admin":
            users[actor] = make_user(role)
        elif actor.startswith("other_"):
            users[actor] = make_user(role, there["basin"])
        else:
            users[actor] = make_user(role, here["basin"])
    return {"here": here, "there": there, "users": users}


def url_of(name: str, page: Page, objects: dict) -> str:
    return reverse(name, kwargs={kw: objects[key].pk for kw, key in page.kwargs.items()})


MATRIX_CASES = [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in MATRIX for actor in ACTORS
]


@pytest.mark.parametrize(("name", "actor"), MATRIX_CASES)
def test_get(client, world, name, actor):
    page = MATRIX[name]
    url = url_of(name, page, world["here"])
    if actor != "anonymous":
        client.force_login(world["users"][actor])

    response = client.get(url)

    expected = page.expected[actor]
    assert response.status_code == expected, f"{actor} GET {url}"
    if expected == LOGIN:
        assert response.url.startswith(reverse("login") + "?next=")
    if expected == OK and page.marker:
        html = response.content.decode()
        here_name = world["here"][page.marker].name
        there_name = world["there"][page.marker].name
        if actor.startswith("other_"):
            assert here_name not in html, f"{actor} voit {here_name} dans {url}"
            assert there_name in html
        else:
            assert here_name in html
            if actor != "admin":
                assert there_name not in html, f"{actor} voit {there_name} dans {url}"


# On a form page, a refused GET is a refused POST too, and a refused POST writes nothing.
REFUSED_POST_CASES = [
    pytest.param(name, actor, id=f"{name}-{actor}")
    for name, page in MATRIX.items()
    if name.endswith(("_create", "_update"))
    for actor in ACTORS
    if page.expected[actor] != OK
]


@pytest.mark.parametrize(("name", "actor"), REFUSED_POST_CASES)
def test_refused_post_changes_nothing(client, world, name, actor):
    page = MATRIX[name]
    url = url_of(name, page, world["here"])
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    events_before = Events.objects.count()

    response = client.post(url, {"name": "Piratage", "amount": "1", "valid_from": "2030-01-01"})

    assert response.status_code == page.expected[actor]
    if actor == "anonymous":
        assert response.url.startswith(reverse("login") + "?next=")
    assert Events.objects.count() == events_before
