"""Every URL of the project against every kind of user.

The table below is the access policy written down once. A URL that appears in the project
but not in the table fails `test_every_url_is_in_the_matrix`: whoever adds a page must say
who may open it.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from pghistory.models import Events

from alize.models import Funder, Role
from pme.models import DocumentKind
from pme.services import attach_document
from tests.alize import (
    matrix_avances,
    matrix_comites,
    matrix_pilotage,
    matrix_rapports,
    matrix_rgpd,
)
from tests.alize.factories import (
    AdvanceCapFactory,
    BasinFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.alize.headers import assert_security_headers
from tests.alize.matrix import (
    ACTOR_ROLES,
    ACTORS,
    FORBIDDEN,
    LOGIN,
    NOT_FOUND,
    OK,
    PDF,
    REDIRECT,
    Page,
    expect,
)
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationContactFactory,
    CorporationFactory,
    DailyRateFactory,
    ExpertFactory,
    MembershipFactory,
    RevitalisationConventionFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory, PmeContactFactory, PmeFactory

pytestmark = pytest.mark.django_db

# Everyone signed in sees the home page.
HOME = expect(
    committee=OK,
    steering=OK,
    funder=OK,
    other_steering=OK,
    other_funder=OK,
    coordinator=OK,
    other_coordinator=OK,
)
# A list, or a creation form that is not tied to one basin: people of another basin open it
# (and see or pick only their own basin's rows).
LIST = expect()
# A page of one object of the basin: a 404 for people of another basin.
OWN = expect(other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# The basin itself and its advance cap: the operator's manager (and the administrator) only.
MANAGER_ONLY = expect(staff=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# A new basin: the administrator only.
ADMIN_ONLY = {**MANAGER_ONLY, "manager": NOT_FOUND}

# SMEs and dossiers. Readers: the operator, the steering committee (their basin's SMEs), a
# funder representing an intercommunality (its territory's SMEs) and the administrator; a
# committee member reads none yet (the committees capability will give them their
# session's dossiers).
PME_LIST = expect(steering=OK, funder=OK, other_steering=OK, other_funder=OK)
PME_OWN = expect(steering=OK, funder=OK, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# Writing is the operator's work: the administrator reads but does not write.
PME_WRITE_LIST = expect(admin=NOT_FOUND)
PME_WRITE_OWN = expect(admin=NOT_FOUND, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
PME_MOVE = {**PME_WRITE_OWN, "staff": REDIRECT, "manager": REDIRECT}
# Documents: operators and the administrator, never funders nor the steering committee.
DOCUMENT_READ = expect(other_staff=NOT_FOUND, other_manager=NOT_FOUND)
DOCUMENT_WRITE = {**DOCUMENT_READ, "staff": REDIRECT, "manager": REDIRECT, "admin": FORBIDDEN}

# Corporations and their missions. Readers: the operators (their basin's), a coordinator
# (their corporation's) and the administrator; the steering committee, funders and
# committee members read none of it yet (the programme reports and the session packs will
# show them what the corporations gave).
GE_LIST = expect(coordinator=OK, other_coordinator=OK)
GE_OWN = expect(coordinator=OK, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
# The corporation's record (experts, daily rates), organising missions, their outcome and
# the revitalisation conventions: the operators of the basin only.
GE_WRITE_OWN = PME_WRITE_OWN
# Removing a coordinator or a committee representative: a button of the basin's operators.
GE_NAME = {**GE_WRITE_OWN, "staff": REDIRECT, "manager": REDIRECT}
# Logging days and results: the operators of the basin and the corporation's coordinators.
GE_ACT_OWN = expect(admin=NOT_FOUND, coordinator=OK, other_staff=NOT_FOUND, other_manager=NOT_FOUND)
GE_MOVE = {**GE_ACT_OWN, "staff": REDIRECT, "manager": REDIRECT, "coordinator": REDIRECT}


# The accounts of a basin: its manager (and the administrator, for every basin).
USERS_LIST = expect(staff=NOT_FOUND, other_staff=NOT_FOUND)
USERS_ACT = {**MANAGER_ONLY, "manager": REDIRECT, "admin": REDIRECT}

# The accessibility statement: public, linked from every page's footer.
PUBLIC = dict.fromkeys(ACTORS, OK)

MATRIX: dict[str, Page] = {
    "home": Page(HOME),
    "accessibility": Page(PUBLIC),
    "alize:basin_list": Page(LIST, marker="basin"),
    "alize:basin_create": Page(ADMIN_ONLY),
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
    "alize:epci_import": Page(LIST),
    "alize:commune_list": Page(LIST, marker="commune"),
    "alize:commune_import": Page(LIST),
    "alize:commune_create": Page(LIST, marker="epci"),
    "alize:commune_detail": Page(OWN, {"pk": "commune"}),
    "alize:commune_update": Page(OWN, {"pk": "commune"}),
    "alize:funder_list": Page(LIST, marker="funder"),
    "alize:funder_create": Page(LIST, marker="basin"),
    "alize:funder_detail": Page(OWN, {"pk": "funder"}),
    "alize:funder_update": Page(OWN, {"pk": "funder"}),
    "alize:contribution_create": Page(OWN, {"funder_pk": "funder"}, marker="period"),
    "alize:contribution_update": Page(OWN, {"pk": "contribution"}, marker="period"),
    "alize:user_list": Page(USERS_LIST),
    "alize:user_invite": Page(USERS_LIST, marker="basin"),
    "alize:user_detail": Page(MANAGER_ONLY, {"pk": "account"}),
    # An empty role: the form comes back with its message.
    "alize:user_update": Page(MANAGER_ONLY, {"pk": "account"}, post={"role": ""}),
    "alize:user_deactivate": Page(USERS_ACT, {"pk": "account"}, post={}),
    "alize:user_reactivate": Page(USERS_ACT, {"pk": "account"}, post={}),
    "alize:user_resend": Page(USERS_ACT, {"pk": "account"}, post={}),
    # SMEs
    "pme:pme_list": Page(PME_LIST, marker="pme"),
    "pme:pme_export_csv": Page(PME_LIST, marker="pme"),
    "pme:pme_export_xlsx": Page(PME_LIST),
    "pme:pme_create": Page(PME_WRITE_LIST, marker="commune"),
    "pme:siret_lookup": Page(PME_WRITE_LIST),
    "pme:pme_detail": Page(PME_OWN, {"pk": "pme"}),
    "pme:pme_update": Page(PME_WRITE_OWN, {"pk": "pme"}),
    "pme:contact_create": Page(PME_WRITE_OWN, {"pme_pk": "pme"}),
    "pme:contact_update": Page(PME_WRITE_OWN, {"pk": "contact"}),
    "pme:contact_delete": Page(PME_WRITE_OWN, {"pk": "contact"}),
    "pme:dossier_create": Page(PME_WRITE_OWN, {"pme_pk": "pme"}),
    # Dossiers
    "pme:work_queue": Page(PME_WRITE_LIST),
    "pme:dossier_list": Page(PME_LIST, marker="pme"),
    "pme:dossier_export_csv": Page(PME_LIST, marker="pme"),
    "pme:dossier_export_xlsx": Page(PME_LIST),
    "pme:dossier_detail": Page(PME_OWN, {"pk": "dossier"}),
    "pme:dossier_update": Page(PME_WRITE_OWN, {"pk": "dossier"}),
    "pme:dossier_transition": Page(
        PME_MOVE,
        {"pk": "dossier"},
        post={"transition": "start_instruction", "expected_state": "oriente"},
    ),
    "pme:hire_create": Page(PME_WRITE_OWN, {"pk": "dossier"}),
    # A hire's evidence names the person hired: personal data, as the documents.
    "pme:hire_evidence": Page(DOCUMENT_READ, {"pk": "hire"}),
    "pme:dossier_pdf": Page(PME_OWN, {"pk": "dossier"}),
    "pme:document_download": Page(DOCUMENT_READ, {"dossier_pk": "dossier", "pk": "document"}),
    "pme:document_upload": Page(DOCUMENT_WRITE, {"dossier_pk": "dossier"}, post={}),
    "pme:document_delete": Page(
        DOCUMENT_WRITE, {"dossier_pk": "dossier", "pk": "document"}, post={}
    ),
    # Corporations
    "grandes_entreprises:corporation_list": Page(GE_LIST, marker="corporation"),
    "grandes_entreprises:corporation_detail": Page(GE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:skills_statement_pdf": Page(
        GE_OWN, {"pk": "corporation"}, values={"year": 2007}
    ),
    "grandes_entreprises:expert_create": Page(GE_WRITE_OWN, {"corporation_pk": "corporation"}),
    "grandes_entreprises:expert_update": Page(GE_WRITE_OWN, {"pk": "expert"}),
    "grandes_entreprises:daily_rate_create": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:corporation_create": Page(PME_WRITE_LIST, marker="basin"),
    "grandes_entreprises:corporation_update": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:contact_create": Page(GE_WRITE_OWN, {"corporation_pk": "corporation"}),
    "grandes_entreprises:contact_update": Page(GE_WRITE_OWN, {"pk": "corporation_contact"}),
    "grandes_entreprises:contact_delete": Page(GE_WRITE_OWN, {"pk": "corporation_contact"}),
    "grandes_entreprises:membership_create": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:membership_end": Page(GE_WRITE_OWN, {"pk": "membership"}),
    "grandes_entreprises:coordinator_create": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:coordinator_delete": Page(
        GE_NAME, {"pk": "corporation", "user_pk": "corporation_coordinator"}, post={}
    ),
    "grandes_entreprises:representative_create": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:representative_delete": Page(
        GE_NAME, {"pk": "corporation", "user_pk": "corporation_representative"}, post={}
    ),
    # Support missions
    "grandes_entreprises:mission_list": Page(GE_LIST, marker="supported_pme"),
    "grandes_entreprises:mission_create": Page(
        GE_WRITE_OWN, {"dossier_pk": "approved_dossier"}, marker="corporation"
    ),
    "grandes_entreprises:mission_detail": Page(GE_OWN, {"pk": "mission"}),
    "grandes_entreprises:mission_transition": Page(
        GE_MOVE, {"pk": "mission"}, post={"transition": "finish", "expected_status": "en_cours"}
    ),
    "grandes_entreprises:day_log_create": Page(GE_ACT_OWN, {"pk": "mission"}),
    "grandes_entreprises:result_create": Page(GE_ACT_OWN, {"pk": "mission"}),
    "grandes_entreprises:mission_expert_create": Page(GE_WRITE_OWN, {"pk": "mission"}),
    "grandes_entreprises:outcome_update": Page(GE_WRITE_OWN, {"pk": "mission"}),
    # Revitalisation conventions: the operators of the basin and the administrator.
    "grandes_entreprises:convention_create": Page(GE_WRITE_OWN, {"pk": "corporation"}),
    "grandes_entreprises:convention_detail": Page(OWN, {"pk": "convention"}),
    "grandes_entreprises:payment_create": Page(GE_WRITE_OWN, {"pk": "convention"}),
}
# The committees', the advances' and the dashboards' pages, declared beside their objects.
EXTENSIONS = (matrix_comites, matrix_avances, matrix_pilotage, matrix_rapports, matrix_rgpd)
for extension in EXTENSIONS:
    assert not set(extension.PAGES) & set(MATRIX), extension.__name__
    MATRIX.update(extension.PAGES)

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
    # The invitation link: opened signed out, checked by tests/alize/test_users.py.
    "invitation_accept",
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
    # The intercommunality's own seat as a funder: its representative reads its territory.
    funder = FunderFactory(
        basin=basin, name=f"Financeur {label}", kind=Funder.Kind.LOCAL_AUTHORITY, epci=epci
    )
    period = PeriodFactory(basin=basin, name=f"Période {label}")
    commune = CommuneFactory(epci=epci, name=f"Commune {label}")
    pme = PmeFactory(basin=basin, commune=commune, name=f"Entreprise {label}")
    # A finished dossier with a hire and its evidence, then the SME's open dossier.
    closed = DossierFactory(pme=pme, closed=True)
    # A corporation of the basin helping another SME, approved by the committee.
    supported_pme = PmeFactory(basin=basin, commune=commune, name=f"Atelier {label}")
    approved_dossier = DossierFactory(pme=supported_pme, approved=True)
    corporation = CorporationFactory(basin=basin, group_name=f"Groupe {label}", site_name="")
    DailyRateFactory(corporation=corporation)
    expert = ExpertFactory(corporation=corporation)
    # People named on the corporation besides the actors, for the pages that remove them.
    corporation_coordinator = make_user(Role.COORDINATOR, basin)
    corporation.coordinators.add(corporation_coordinator)
    corporation_representative = make_user(Role.COMMITTEE_MEMBER, basin)
    corporation.committee_representatives.add(corporation_representative)
    mission = SupportMissionFactory(
        corporation=corporation, dossier=approved_dossier, experts=[expert], running=True
    )
    objects = {
        "supported_pme": supported_pme,
        "approved_dossier": approved_dossier,
        "corporation": corporation,
        "expert": expert,
        "corporation_contact": CorporationContactFactory(corporation=corporation),
        "membership": MembershipFactory(corporation=corporation, period=period),
        "corporation_coordinator": corporation_coordinator,
        "corporation_representative": corporation_representative,
        "mission": mission,
        "convention": RevitalisationConventionFactory(corporation=corporation),
        "basin": basin,
        "cap": AdvanceCapFactory(basin=basin),
        "period": period,
        "epci": epci,
        "commune": commune,
        "funder": funder,
        "contribution": ContributionFactory(funder=funder, period=period),
        "pme": pme,
        "contact": PmeContactFactory(pme=pme, name=f"Contact {label}"),
        "hire": HireFactory(dossier=closed, evidence=SimpleUploadedFile("preuve.pdf", PDF)),
        "dossier": DossierFactory(pme=pme),
        "account": make_user(Role.STAFF, basin),
    }
    for extension in EXTENSIONS:
        objects.update(extension.build(label, objects))
    return objects


def build_world() -> dict:
    """Two basins with one of everything, and the thirteen actors."""
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
    for actor, objects in (("funder", here), ("other_funder", there)):
        users[actor].funder = objects["funder"]
        users[actor].save()
    for actor, objects in (("coordinator", here), ("other_coordinator", there)):
        objects["corporation"].coordinators.add(users[actor])
    for objects, staff in ((here, users["staff"]), (there, users["other_staff"])):
        objects["document"] = attach_document(
            dossier=objects["dossier"],
            by=staff,
            upload=SimpleUploadedFile("statuts.pdf", PDF),
            kind=DocumentKind.STATUTES,
        )
    world = {"here": here, "there": there, "users": users}
    for extension in EXTENSIONS:
        extension.attach(world)
    return world


@pytest.fixture(scope="module")
def module_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module's 2,000-odd cases, then rolled back; each case
    runs in a savepoint inside this transaction, so what a POST writes is undone."""
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(module_world, db):
    return module_world


def url_of(name: str, page: Page, objects: dict) -> str:
    kwargs = {kw: objects[key].pk for kw, key in page.kwargs.items()}
    return reverse(name, kwargs={**kwargs, **page.values})


MATRIX_CASES = [
    pytest.param(name, actor, id=f"{name}-{actor}") for name in MATRIX for actor in ACTORS
]


@pytest.mark.parametrize(("name", "actor"), MATRIX_CASES)
def test_get(client, world, name, actor):
    page = MATRIX[name]
    url = url_of(name, page, world["here"])
    if actor != "anonymous":
        client.force_login(world["users"][actor])

    response = client.get(url) if page.post is None else client.post(url, page.post)

    expected = page.expected[actor]
    assert response.status_code == expected, f"{actor} {response.request['REQUEST_METHOD']} {url}"
    assert_security_headers(response, f"{actor} {url}")
    # The API answers 401 (its clients hold a token, not a session): no login page.
    if actor == "anonymous" and expected == LOGIN:
        assert response.url.startswith(reverse("login") + "?next=")
    elif expected == REDIRECT:
        assert not response.url.startswith(reverse("login"))
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


# On a form page, a refused GET is a refused POST too, and a refused POST writes nothing;
# so does a refused action.
REFUSED_POST_CASES = [
    pytest.param(name, actor, id=f"{name}-{actor}")
    for name, page in MATRIX.items()
    if name.endswith(("_create", "_update", "_delete")) or page.post is not None
    for actor in ACTORS
    if page.expected[actor] not in (OK, REDIRECT) or actor == "anonymous"
]


@pytest.mark.parametrize(("name", "actor"), REFUSED_POST_CASES)
def test_refused_post_changes_nothing(client, world, name, actor):
    page = MATRIX[name]
    url = url_of(name, page, world["here"])
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    events_before = Events.objects.count()

    response = client.post(
        url,
        page.post or {"name": "Piratage", "amount": "1", "valid_from": "2030-01-01"},
    )

    assert response.status_code == page.expected[actor]
    assert_security_headers(response, f"{actor} POST {url}")
    if actor == "anonymous":
        assert response.url.startswith(reverse("login") + "?next=")
    assert Events.objects.count() == events_before
