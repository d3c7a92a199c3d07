"""The lists of SMEs and dossiers: search, filters, sort, pages, exports, query counts."""

import csv
import datetime
import html
import io
import re
from decimal import Decimal

import openpyxl
import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alize.models import Role
from pme.models import DossierState, OrientationSource
from tests.alize.factories import CommuneFactory, EpciFactory, UserFactory
from tests.alize.test_referential import _PageStructure
from tests.conftest import make_user
from tests.pme.factories import (
    DossierFactory,
    DossierTransitionFactory,
    HireFactory,
    PmeContactFactory,
    PmeFactory,
)

pytestmark = pytest.mark.django_db

PME_LIST = reverse("pme:pme_list")
DOSSIER_LIST = reverse("pme:dossier_list")


def listed(client, url, params=None) -> list[str]:
    """The names in the first column of a list, in order."""
    response = client.get(url, params or {})
    assert response.status_code == 200
    return [
        html.unescape(name)
        for name in re.findall(
            r'<th scope="row"><a href="[^"]+">([^<]+)</a>', response.content.decode()
        )
    ]


@pytest.fixture
def territory(basin):
    """Two intercommunalities of the basin, with a commune each."""
    north = EpciFactory(basin=basin, name="CA Valenciennes Métropole")
    south = EpciFactory(basin=basin, name="CA de la Porte du Hainaut")
    return {
        "north": north,
        "south": south,
        "valenciennes": CommuneFactory(epci=north, name="Valenciennes"),
        "saint_amand": CommuneFactory(epci=south, name="Saint-Amand-les-Eaux"),
    }


@pytest.fixture
def smes(basin, staff, territory):
    """Four SMEs with one dossier each, different in every way the lists filter on."""
    now = timezone.now()
    colleague = make_user(Role.STAFF, basin)
    rows = [
        # name, commune, naf, headcount, state trait, days in state, jobs, source, staff
        ("Heuille", "saint_amand", "25.62B", 23, "approved", 30, 7, "epci", staff),
        ("Bâti Nord", "valenciennes", "43.22A", 4, None, 2, 3, "spontanee", colleague),
        ("Logistique Escaut", "valenciennes", "52.29A", 120, "submitted", 10, 12, "cci", staff),
        ("Agence Web", "saint_amand", "62.01Z", 8, "under_instruction", 60, 1, "spontanee", None),
    ]
    created = {}
    for index, (name, commune, naf, headcount, state, days, jobs, source, member) in enumerate(
        rows
    ):
        pme = PmeFactory(
            basin=basin, commune=territory[commune], name=name, naf_code=naf, headcount=headcount
        )
        traits = {state: True} if state else {}
        if source == "epci":
            traits["oriented_by_intercommunality"] = True
        else:
            traits["orientation_source"] = source
        created[name] = DossierFactory(
            pme=pme,
            staff_member=member,
            jobs_planned=jobs,
            state_changed_at=now - datetime.timedelta(days=days),
            orientation_date=datetime.date(2006, 1, 1) + datetime.timedelta(days=30 * index),
            **traits,
        )
    return created


# --- Search ------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("heuille", ["Heuille"]),  # part of a name, any case
        ("VALENCIENNES", ["Bâti Nord", "Logistique Escaut"]),  # the commune
        ("saint-amand", ["Agence Web", "Heuille"]),
        ("Lille", []),
    ],
)
def test_search(staff_client, smes, url, query, expected):
    assert sorted(listed(staff_client, url, {"q": query})) == expected


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
def test_search_by_siret_typed_with_spaces(staff_client, smes, url):
    siret = smes["Logistique Escaut"].pme.siret
    spaced = f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
    assert listed(staff_client, url, {"q": spaced}) == ["Logistique Escaut"]
    assert listed(staff_client, url, {"q": siret[:9]}) == ["Logistique Escaut"]


def test_search_finds_nothing_of_another_basin(client, smes, other_basin):
    client.force_login(make_user(Role.STAFF, other_basin))
    assert listed(client, PME_LIST, {"q": "Heuille"}) == []
    assert listed(client, DOSSIER_LIST) == []


# --- Filters -----------------------------------------------------------------------------------


def filter_cases():
    return [
        ("state", lambda s, t, u: DossierState.SUBMITTED, ["Logistique Escaut"]),
        ("basin", lambda s, t, u: t["north"].basin.pk, sorted(SME_NAMES)),
        ("epci", lambda s, t, u: t["north"].pk, ["Bâti Nord", "Logistique Escaut"]),
        ("sector", lambda s, t, u: "construction", ["Bâti Nord"]),
        ("size_band", lambda s, t, u: "moins_10", ["Agence Web", "Bâti Nord"]),
        ("orientation", lambda s, t, u: OrientationSource.EPCI, ["Heuille"]),
        ("staff", lambda s, t, u: u.pk, ["Heuille", "Logistique Escaut"]),
    ]


SME_NAMES = ["Agence Web", "Bâti Nord", "Heuille", "Logistique Escaut"]


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
@pytest.mark.parametrize(("name", "value", "expected"), filter_cases(), ids=lambda c: str(c)[:12])
def test_filters(staff_client, staff, smes, territory, url, name, value, expected):
    params = {name: value(smes, territory, staff)}
    assert sorted(listed(staff_client, url, params)) == expected


def test_filters_combine_with_the_search(staff_client, smes, territory):
    params = {"epci": territory["south"].pk, "size_band": "10_49", "q": "e"}
    assert listed(staff_client, PME_LIST, params) == ["Heuille"]


def test_the_sme_list_filters_on_the_current_dossier(staff_client, basin, territory):
    pme = PmeFactory(basin=basin, commune=territory["valenciennes"], name="Reprise SA")
    DossierFactory(pme=pme, closed=True, orientation_date=datetime.date(2006, 1, 1))
    DossierFactory(pme=pme, under_instruction=True, orientation_date=datetime.date(2005, 1, 1))
    assert listed(staff_client, PME_LIST, {"state": "en_instruction"}) == ["Reprise SA"]
    assert listed(staff_client, PME_LIST, {"state": "clos"}) == []


def test_an_sme_without_dossier_is_listed(staff_client, basin, territory):
    PmeFactory(basin=basin, commune=territory["valenciennes"], name="Sans dossier")
    response = staff_client.get(PME_LIST)
    assert "Aucun dossier" in response.content.decode()
    assert listed(staff_client, PME_LIST, {"sort": "-state"}) == ["Sans dossier"]


# --- Sorting -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("name", ["Agence Web", "Bâti Nord", "Heuille", "Logistique Escaut"]),
        ("-name", ["Logistique Escaut", "Heuille", "Bâti Nord", "Agence Web"]),
        # In the order of the workflow, not of the alphabet.
        ("state", ["Bâti Nord", "Agence Web", "Logistique Escaut", "Heuille"]),
        ("time", ["Bâti Nord", "Logistique Escaut", "Heuille", "Agence Web"]),
        ("-time", ["Agence Web", "Heuille", "Logistique Escaut", "Bâti Nord"]),
        ("jobs", ["Agence Web", "Bâti Nord", "Heuille", "Logistique Escaut"]),
        ("-jobs", ["Logistique Escaut", "Heuille", "Bâti Nord", "Agence Web"]),
        ("orientation", ["Heuille", "Bâti Nord", "Logistique Escaut", "Agence Web"]),
    ],
)
def test_sort(staff_client, smes, url, sort, expected):
    assert listed(staff_client, url, {"sort": sort}) == expected


def test_sort_headers_flip_the_direction_and_keep_the_filters(staff_client, smes, territory):
    page = staff_client.get(PME_LIST, {"sort": "jobs", "epci": territory["north"].pk}).content
    page = page.decode()
    north = territory["north"].pk
    assert f'href="?sort=-jobs&amp;epci={north}"' in page
    assert 'aria-sort="ascending"' in page
    assert f'href="?sort=name&amp;epci={north}"' in page
    # The filter form keeps the sort.
    assert '<input type="hidden" name="sort" value="jobs">' in page


# --- Pages and bad parameters -------------------------------------------------------------------


def test_lists_are_paginated_and_keep_their_parameters(staff_client, basin, territory):
    for n in range(30):
        DossierFactory(
            pme=PmeFactory(basin=basin, commune=territory["valenciennes"], name=f"PME {n:02d}")
        )
    first = staff_client.get(PME_LIST, {"q": "PME", "sort": "name"}).content.decode()
    assert "30 résultats" in first and "Page 1 sur 2" in first
    assert 'href="?q=PME&amp;sort=name&amp;page=2"' in first
    assert listed(staff_client, PME_LIST, {"q": "PME", "sort": "name", "page": 2}) == [
        f"PME {n:02d}" for n in range(25, 30)
    ]
    # Exports take the filters, never the page.
    assert 'href="/pme/entreprises/export.csv?q=PME&amp;sort=name"' in first


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
@pytest.mark.parametrize(
    ("params", "ignored"),
    [
        ({"state": "xyz"}, "État du dossier"),
        ({"basin": "999999"}, "Bassin"),
        ({"basin": "abc"}, "Bassin"),
        ({"basin": "99999999999999999999999"}, "Bassin"),
        ({"epci": "-1"}, "Intercommunalité"),
        ({"sector": "<script>"}, "Secteur"),
        ({"size_band": "250_plus"}, "Tranche d'effectif"),
        ({"orientation": "?"}, "Orientée par"),
        ({"staff": "abc"}, "Chargé(e) de mission"),
        ({"sort": "password"}, "Tri"),
        ({"sort": "-"}, "Tri"),
        ({"q": "x" * 500}, "Rechercher"),
    ],
)
def test_bogus_parameters_are_ignored_with_a_french_message(
    staff_client, smes, url, params, ignored
):
    response = staff_client.get(url, params)
    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert "Certains critères de l'adresse ont été ignorés" in page
    assert f"{ignored} :" in page
    assert sorted(listed(staff_client, url, params)) == SME_NAMES
    assert "<script>" not in response.content.decode().split("<main", 1)[1]


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
def test_a_nul_byte_in_the_search_is_refused_in_french(staff_client, smes, url):
    # PostgreSQL refuses NUL in text: every address refuses control characters before any
    # view reads the database (alize.middleware), with a page that says why.
    response = staff_client.get(url, {"q": "a\x00b"})
    assert response.status_code == 400
    assert "caractère de contrôle invisible" in response.content.decode()


def test_a_basin_of_someone_else_is_no_filter(staff_client, smes, other_basin):
    response = staff_client.get(PME_LIST, {"basin": other_basin.pk})
    assert "Certains critères de l'adresse ont été ignorés" in html.unescape(
        response.content.decode()
    )
    assert sorted(listed(staff_client, PME_LIST, {"basin": other_basin.pk})) == SME_NAMES


@pytest.mark.parametrize("url", [PME_LIST, DOSSIER_LIST])
@pytest.mark.parametrize(
    ("page", "expected"), [("abc", 1), ("", 1), ("0", 2), ("999", 2), ("-1", 2)]
)
def test_a_page_out_of_range_shows_a_page(staff_client, basin, territory, url, page, expected):
    for _ in range(27):
        DossierFactory(pme=PmeFactory(basin=basin, commune=territory["valenciennes"]))
    response = staff_client.get(url, {"page": page})
    assert response.status_code == 200
    assert f"Page {expected} sur 2" in response.content.decode()


# --- Exports ------------------------------------------------------------------------------------


def csv_rows(response) -> list[list[str]]:
    content = response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig")), delimiter=";"))


def xlsx_rows(response) -> list[list]:
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows()]


def test_sme_csv_export_is_the_filtered_list_in_french(staff_client, smes, territory):
    smes["Heuille"].advance_requested = Decimal("15000.50")
    smes["Heuille"].save()
    response = staff_client.get(reverse("pme:pme_export_csv"), {"epci": territory["south"].pk})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="entreprises-')
    header, *rows = csv_rows(response)
    assert header[:3] == ["Raison sociale", "SIRET", "SIREN"]
    assert "Intercommunalité" in header and "Avance demandée (€)" in header
    assert "Prochaine action" in header and "Jours dans l'état" in header
    by_name = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert sorted(by_name) == ["Agence Web", "Heuille"]
    heuille = by_name["Heuille"]
    assert heuille["Avance demandée (€)"] == "15000,50"
    assert heuille["Commune"] == "Saint-Amand-les-Eaux"
    assert heuille["Intercommunalité"] == "CA de la Porte du Hainaut"
    assert heuille["État du dossier"] == "Agréé"
    assert heuille["Jours dans l'état"] == "30"
    assert heuille["Date d'orientation"] == "01/01/2006"
    assert heuille["SIRET"] == smes["Heuille"].pme.siret


def test_dossier_csv_export(staff_client, smes):
    HireFactory(dossier=smes["Heuille"])
    response = staff_client.get(reverse("pme:dossier_export_csv"), {"state": "agree"})
    header, *rows = csv_rows(response)
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Raison sociale"] == "Heuille"
    assert row["Emplois prévus"] == "7"
    assert row["Embauches réalisées"] == "1"
    assert row["Avance demandée (€)"] == "15000,00"
    assert row["Prescripteur"] == "CA de la Porte du Hainaut"
    assert row["Besoins"] == "Production, Qualité"
    assert row["Date de décision du comité"] == "15/03/2007"


def test_xlsx_exports_have_typed_cells(staff_client, smes):
    response = staff_client.get(reverse("pme:dossier_export_xlsx"), {"q": "Heuille"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    header, row = xlsx_rows(response)
    headers = [cell.value for cell in header]
    assert headers[0] == "N° du dossier" and "Avance demandée (€)" in headers
    cells = dict(zip(headers, row, strict=True))
    assert cells["Raison sociale"].value == "Heuille"
    assert cells["Emplois prévus"].value == 7 and cells["Emplois prévus"].data_type == "n"
    amount = cells["Avance demandée (€)"]
    assert amount.data_type == "n" and amount.value == 15000
    assert "€" in amount.number_format
    assert cells["Date d'orientation"].value == datetime.datetime(2006, 1, 1)
    assert cells["Date d'orientation"].is_date
    assert cells["SIRET"].data_type == "s"  # a SIRET is an identifier, not a number

    response = staff_client.get(reverse("pme:pme_export_xlsx"))
    header, *rows = xlsx_rows(response)
    assert header[0].value == "Raison sociale"
    assert sorted(row[0].value for row in rows) == SME_NAMES


def test_exports_never_run_a_formula(staff_client, basin, territory):
    DossierFactory(
        pme=PmeFactory(basin=basin, commune=territory["valenciennes"], name="=HYPERLINK(1)")
    )
    _header, row = csv_rows(staff_client.get(reverse("pme:pme_export_csv")))
    assert row[0] == "'=HYPERLINK(1)"
    _header, row = xlsx_rows(staff_client.get(reverse("pme:pme_export_xlsx")))
    assert row[0].value == "=HYPERLINK(1)" and row[0].data_type == "s"


def test_exports_of_another_basin_are_empty(client, smes, other_basin):
    client.force_login(make_user(Role.STAFF, other_basin))
    _header, *rows = csv_rows(client.get(reverse("pme:dossier_export_csv")))
    assert rows == []


# --- Query counts: they do not grow with the number of rows -----------------------------------


def add_rows(kind: str, basin, target, staff, count: int):
    for _ in range(count):
        if kind in {"pme_list", "dossier_list", "pme_export", "dossier_export"}:
            pme = PmeFactory(basin=basin)
            DossierFactory(pme=pme, closed=True, staff_member=staff)
            HireFactory(dossier=DossierFactory(pme=pme, approved=True, staff_member=staff))
        elif kind == "work_queue":
            DossierFactory(pme=PmeFactory(basin=basin), staff_member=staff)
            DossierFactory(pme=PmeFactory(basin=basin), submitted=True)
        elif kind == "pme_detail":
            PmeContactFactory(pme=target)
            DossierFactory(pme=target, closed=True, staff_member=UserFactory())
            with pghistory.context(user=UserFactory().pk):
                target.headcount = target.headcount % 200 + 1
                target.save()
        elif kind == "dossier_detail":
            PmeContactFactory(pme=target.pme)
            HireFactory(dossier=target)
            DossierTransitionFactory(
                dossier=target,
                by=UserFactory(),
                from_state=DossierState.ORIENTED,
                to_state=DossierState.UNDER_INSTRUCTION,
            )
            with pghistory.context(user=UserFactory().pk):
                target.jobs_planned += 1
                target.save()


def url_for(kind: str, target, fmt: str = "") -> str:
    if kind == "pme_detail":
        return target.get_absolute_url()
    if kind == "dossier_detail":
        return target.get_absolute_url()
    if kind.endswith("_export"):
        return reverse(f"pme:{kind}_{fmt}")
    return reverse(f"pme:{kind}")


# Every page pays 3: the session, the user and the user's roles. A list counts its rows and
# fetches its page (2), and renders the choices of its basin, intercommunality and staff
# filters (3); the SME list fetches the current dossiers of its page (1). An export fetches
# its rows (1; plus 1 for the SMEs' current dossiers). A detail page fetches its object (1),
# the user's basins to say what they may do (1), each related table it shows (1 each) and its
# history panel: events, the people who made them, one per kind of object they point to.
QUERY_COUNTS = {
    ("pme_list", ""): 3 + 2 + 3 + 1,
    ("dossier_list", ""): 3 + 2 + 3,
    ("pme_export", "csv"): 3 + 1 + 1,
    ("pme_export", "xlsx"): 3 + 1 + 1,
    ("dossier_export", "csv"): 3 + 1,
    ("dossier_export", "xlsx"): 3 + 1,
    # the dossiers and the other managers' queue (a manager is asked)
    ("work_queue", ""): 3 + 2,
    # basins, dossiers, contacts; history: events, people, commune
    ("pme_detail", ""): 3 + 1 + 1 + 1 + 1 + 3,
    # basins, hires, contacts, transitions, documents (their partial's one query), support
    # missions (theirs, grandes_entreprises); history: events, people, and the SME and staff
    # member the trail names
    ("dossier_detail", ""): 3 + 1 + 1 + 4 + 1 + 4,
}


@pytest.mark.parametrize(("kind", "fmt"), QUERY_COUNTS, ids=lambda v: v or "page")
def test_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, kind, fmt, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    basin = EpciFactory().basin
    user = make_user(Role.MANAGER, basin)
    target = None
    if kind == "pme_detail":
        target = PmeFactory(basin=basin)
        DossierFactory(pme=target, staff_member=user)
    elif kind == "dossier_detail":
        target = DossierFactory(pme=PmeFactory(basin=basin), approved=True, staff_member=user)
    url = url_for(kind, target, fmt)
    client.force_login(user)
    client.get(url)

    counts = []
    for added in (2, 18):  # 2 rows, then 20
        add_rows(kind, basin, target, user, added)
        assert client.get(url).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], (
        f"{kind} : {counts[0]} requêtes avec 2 lignes, {counts[1]} avec 20"
    )

    with django_assert_num_queries(QUERY_COUNTS[kind, fmt]):
        client.get(url)


# --- Accessibility basics -------------------------------------------------------------------------


def pages(smes, basin):
    dossier = smes["Heuille"]
    pme = dossier.pme
    contact = PmeContactFactory(pme=pme)
    yield PME_LIST
    yield DOSSIER_LIST
    yield PME_LIST + "?state=xyz&sort=jobs"
    yield reverse("pme:pme_create")
    yield reverse("pme:work_queue")
    yield pme.get_absolute_url()
    yield reverse("pme:pme_update", args=[pme.pk])
    yield reverse("pme:contact_create", args=[pme.pk])
    yield reverse("pme:contact_update", args=[contact.pk])
    yield reverse("pme:contact_delete", args=[contact.pk])
    yield reverse("pme:dossier_create", args=[pme.pk])
    for each in smes.values():
        yield each.get_absolute_url()
    yield reverse("pme:dossier_update", args=[smes["Bâti Nord"].pk])
    yield reverse("pme:hire_create", args=[dossier.pk])


def test_pages_have_ordered_headings_scoped_headers_and_labelled_fields(
    manager_client, smes, basin
):
    import itertools

    for url in pages(smes, basin):
        response = manager_client.get(url)
        assert response.status_code == 200, url
        page = _PageStructure()
        page.feed(response.content.decode())
        assert page.headings[:1] == [1] and page.headings.count(1) == 1, url
        for before, after in itertools.pairwise(page.headings):
            assert after <= before + 1, f"{url} : titre h{after} après h{before}"
        assert page.th_without_scope == 0, url
        for attrs in page.fields:
            labelled = attrs.get("id") in page.labels or attrs.get("aria-label")
            assert labelled, f"{url} : champ sans étiquette {attrs}"


def test_the_creation_form_with_errors_stays_accessible(staff_client, smes):
    response = staff_client.post(reverse("pme:pme_create"), {"pme-siret": "1"})
    assert response.status_code == 200
    page = _PageStructure()
    page.feed(response.content.decode())
    assert page.headings.count(1) == 1
    assert 'role="alert"' in response.content.decode()
    for attrs in page.fields:
        assert attrs.get("id") in page.labels or attrs.get("aria-label"), attrs
