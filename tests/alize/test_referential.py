"""The programme referential through its screens: create, edit, list, search, page, count."""

import datetime
import itertools
import re
from decimal import Decimal
from html.parser import HTMLParser

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alize.business_days import DueDateRule
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
)
from tests.alize.factories import (
    AdvanceCapFactory,
    BasinFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
    UserFactory,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NNBSP = "\u202f"  # narrow no-break space: the French thousands separator
NBSP = "\u00a0"  # no-break space: before € and %
SAVED = "Enregistré."


def euros(text: str) -> str:
    """ "45 000 €" written with plain spaces → the HTML the euros filter produces."""
    amount, _, unit = text.rpartition(" ")
    return amount.replace(" ", NNBSP) + NBSP + unit


def post_and_follow(client, url, data):
    """POST a form; it must redirect; return (redirect target, followed page HTML)."""
    response = client.post(url, data)
    assert response.status_code == 302, _form_errors(response)
    target = response.url
    page = client.get(target)
    assert page.status_code == 200
    return target, page.content.decode()


def _form_errors(response) -> str:
    form = response.context["form"] if response.context else None
    return f"statut {response.status_code}, erreurs : {form.errors if form else '?'}"


# --- Create and edit ---------------------------------------------------------------------


def test_create_period(staff_client, basin):
    target, html = post_and_follow(
        staff_client,
        reverse("alize:period_create"),
        {
            "basin": basin.pk,
            "name": "Première période",
            "start_date": "2005-07-01",
            "end_date": "2008-06-30",
            "target_jobs": "400",
            "target_smes": "30",
            "budget": "300 000",
        },
    )
    period = ProgrammePeriod.objects.get(basin=basin, name="Première période")
    assert target == period.get_absolute_url()
    assert SAVED in html
    assert (period.start_date, period.end_date) == (
        datetime.date(2005, 7, 1),
        datetime.date(2008, 6, 30),
    )
    assert (period.target_jobs, period.target_smes) == (400, 30)
    assert period.budget == Decimal("300000.00")
    assert euros("300 000,00 €") in html


def test_edit_period(staff_client, basin):
    period = PeriodFactory(basin=basin, name="Période 1")
    target, html = post_and_follow(
        staff_client,
        reverse("alize:period_update", args=[period.pk]),
        {
            "basin": basin.pk,
            "name": "Renouvellement",
            "start_date": "01/07/2008",  # the French date format is read too
            "end_date": "2011-06-30",
            "target_jobs": "",
            "target_smes": "",
            "budget": "",
        },
    )
    period.refresh_from_db()
    assert target == period.get_absolute_url()
    assert SAVED in html
    assert period.name == "Renouvellement"
    assert period.start_date == datetime.date(2008, 7, 1)
    assert period.target_jobs is None and period.budget is None


def test_create_and_edit_epci(staff_client, basin):
    target, html = post_and_follow(
        staff_client,
        reverse("alize:epci_create"),
        {
            "name": "CA de la Porte du Hainaut",
            "siren": "200042190",
            "kind": "CA",
            "population": "150000",
            "basin": basin.pk,
        },
    )
    epci = Epci.objects.get(siren="200042190")
    assert target == epci.get_absolute_url()
    assert SAVED in html
    assert (epci.name, epci.kind, epci.population, epci.basin) == (
        "CA de la Porte du Hainaut",
        Epci.Kind.CA,
        150000,
        basin,
    )

    target, html = post_and_follow(
        staff_client,
        reverse("alize:epci_update", args=[epci.pk]),
        {
            "name": "CA de la Porte du Hainaut",
            "siren": "200042190",
            "kind": "CA",
            "population": "158000",
            "basin": basin.pk,
        },
    )
    epci.refresh_from_db()
    assert target == epci.get_absolute_url()
    assert SAVED in html
    assert epci.population == 158000
    assert f"158{NNBSP}000" in html


def test_create_and_edit_commune(staff_client, basin):
    epci = EpciFactory(basin=basin)
    target, html = post_and_follow(
        staff_client,
        reverse("alize:commune_create"),
        {
            "name": "Saint-Amand-les-Eaux",
            "insee_code": "59526",
            "postcode": "59230",
            "population": "16000",
            "epci": epci.pk,
        },
    )
    commune = Commune.objects.get(insee_code="59526")
    assert target == commune.get_absolute_url()
    assert SAVED in html
    assert (commune.name, commune.postcode, commune.population, commune.epci) == (
        "Saint-Amand-les-Eaux",
        "59230",
        16000,
        epci,
    )

    target, html = post_and_follow(
        staff_client,
        reverse("alize:commune_update", args=[commune.pk]),
        {
            "name": "Saint-Amand-les-Eaux",
            "insee_code": "59526",
            "postcode": "59230",
            "population": "",
            "epci": epci.pk,
        },
    )
    commune.refresh_from_db()
    assert target == commune.get_absolute_url()
    assert SAVED in html
    assert commune.population is None


def test_create_and_edit_funder(staff_client, basin):
    epci = EpciFactory(basin=basin, name="CA Valenciennes Métropole")
    target, html = post_and_follow(
        staff_client,
        reverse("alize:funder_create"),
        {"name": "Valenciennes Métropole", "kind": "local_authority", "basin": basin.pk},
    )
    funder = Funder.objects.get(basin=basin, name="Valenciennes Métropole")
    assert target == funder.get_absolute_url()
    assert SAVED in html
    assert funder.kind == Funder.Kind.LOCAL_AUTHORITY and funder.epci is None

    target, html = post_and_follow(
        staff_client,
        reverse("alize:funder_update", args=[funder.pk]),
        {
            "name": "Valenciennes Métropole",
            "kind": "local_authority",
            "basin": basin.pk,
            "epci": epci.pk,
        },
    )
    funder.refresh_from_db()
    assert target == funder.get_absolute_url()
    assert SAVED in html
    assert funder.epci == epci


def test_create_and_edit_contribution(staff_client, basin):
    funder = FunderFactory(basin=basin, kind=Funder.Kind.LOCAL_AUTHORITY)
    period = PeriodFactory(basin=basin)
    target, html = post_and_follow(
        staff_client,
        reverse("alize:contribution_create", args=[funder.pk]),
        {
            "period": period.pk,
            "committed": "45 000",
            "paid": "15 000,00",
            "earmarked_for_advances": "0",
            "comment": "Convention 2005",
        },
    )
    contribution = Contribution.objects.get(funder=funder, period=period)
    assert target == funder.get_absolute_url()
    assert SAVED in html
    assert contribution.committed == Decimal("45000.00")
    assert contribution.paid == Decimal("15000.00")
    assert euros("45 000 €") in html

    target, html = post_and_follow(
        staff_client,
        reverse("alize:contribution_update", args=[contribution.pk]),
        {
            "period": period.pk,
            "committed": "45 000",
            "paid": "30 000",
            "earmarked_for_advances": "10 000",
            "comment": "",
        },
    )
    contribution.refresh_from_db()
    assert target == funder.get_absolute_url()
    assert SAVED in html
    assert contribution.paid == Decimal("30000.00")
    assert contribution.earmarked_for_advances == Decimal("10000.00")


def test_contribution_form_shows_the_amounts_in_french(staff_client, basin):
    contribution = ContributionFactory(funder__basin=basin, committed=Decimal("45000.50"))
    response = staff_client.get(reverse("alize:contribution_update", args=[contribution.pk]))
    assert 'value="45 000,50"' in response.content.decode()


def test_manager_adds_an_advance_cap(manager_client, basin):
    AdvanceCapFactory(basin=basin, amount=Decimal("15000"), valid_from=datetime.date(2005, 7, 1))
    response = manager_client.post(
        reverse("alize:advance_cap_create", args=[basin.pk]),
        {"amount": "25 000", "valid_from": "2009-01-01", "comment": "Alignement national"},
    )
    assert response.status_code == 302
    assert response.url == basin.get_absolute_url()
    html = manager_client.get(response.url).content.decode()
    assert "Le nouveau plafond est enregistré." in html
    cap = AdvanceCap.objects.get(basin=basin, valid_from=datetime.date(2009, 1, 1))
    assert (cap.amount, cap.comment) == (Decimal("25000.00"), "Alignement national")
    assert euros("25 000 €") in html and euros("15 000 €") in html
    # The earlier cap is kept: decisions taken under it keep it.
    assert basin.advance_caps.count() == 2
    assert basin.cap_on(datetime.date(2008, 12, 31)) == Decimal("15000.00")


def test_manager_edits_the_basin(manager_client, basin):
    target, html = post_and_follow(
        manager_client,
        reverse("alize:basin_update", args=[basin.pk]),
        {
            "name": "Valenciennois",
            "slug": "valenciennois",
            "operator_name": "CCI du Valenciennois",
            "operator_short_name": "CCIV",
            "departement": "59",
            "due_date_rule": "jour_ouvre_precedent",
        },
    )
    basin.refresh_from_db()
    assert target == basin.get_absolute_url()
    assert SAVED in html
    assert (basin.name, basin.operator_short_name, basin.departement) == (
        "Valenciennois",
        "CCIV",
        "59",
    )
    assert basin.due_date_rule == DueDateRule.PREVIOUS_BUSINESS_DAY
    assert "Avance au jour ouvré précédent" in html


def test_the_due_date_rule_is_one_of_the_three(manager_client, basin):
    response = manager_client.post(
        reverse("alize:basin_update", args=[basin.pk]),
        {"name": basin.name, "slug": basin.slug, "operator_name": "CCI", "due_date_rule": "lundi"},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    basin.refresh_from_db()
    assert basin.due_date_rule == DueDateRule.NONE


def test_administrator_opens_a_new_basin_with_its_cap(client):
    client.force_login(make_user(Role.ADMIN))
    list_html = client.get(reverse("alize:basin_list")).content.decode()
    assert reverse("alize:basin_create") in list_html
    target, html = post_and_follow(
        client,
        reverse("alize:basin_create"),
        {
            "name": "Bassin de la Sambre",
            "slug": "sambre",
            "operator_name": "CCI Grand Hainaut",
            "operator_short_name": "CCIGH",
            "departement": "59",
            "due_date_rule": "jour_ouvre_suivant",
            "cap_amount": "25 000,00 €",
            "cap_valid_from": "2026-01-01",
        },
    )
    basin = Basin.objects.get(slug="sambre")
    assert target == basin.get_absolute_url()
    assert "Le bassin est créé." in html and "Invitez maintenant son responsable" in html
    assert basin.cap_on(datetime.date(2026, 1, 1)) == Decimal("25000.00")
    assert basin.cap_on(datetime.date(2025, 12, 31)) is None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"slug": "pas un identifiant"}, "slug", "lettres"),
        ({"cap_amount": "-5"}, "cap_amount", "négatif"),
        ({"cap_amount": "quinze mille"}, "cap_amount", "montant"),
        ({"name": "Valenciennes"}, "name", "existe déjà"),
        ({"cap_valid_from": ""}, "cap_valid_from", "obligatoire"),
    ],
)
def test_a_new_basin_with_a_wrong_entry_saves_nothing(client, change, field, message):
    BasinFactory(name="Valenciennes", slug="valenciennes")
    client.force_login(make_user(Role.ADMIN))
    data = {
        "name": "Bassin de la Sambre",
        "slug": "sambre",
        "operator_name": "CCI Grand Hainaut",
        "departement": "59",
        "due_date_rule": "jour_ouvre_suivant",
        "cap_amount": "25000",
        "cap_valid_from": "2026-01-01",
        **change,
    }
    response = client.post(reverse("alize:basin_create"), data)
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert message in errors.lower() or message in errors, response.context["form"].errors
    assert not Basin.objects.filter(slug="sambre").exists()
    assert not AdvanceCap.objects.filter(basin__name="Bassin de la Sambre").exists()


def test_only_the_administrator_opens_a_basin(manager_client, basin):
    assert manager_client.get(reverse("alize:basin_create")).status_code == 404
    html = manager_client.get(reverse("alize:basin_list")).content.decode()
    assert reverse("alize:basin_create") not in html


def test_basin_list_shows_the_cap_in_force_today(staff_client, basin):
    AdvanceCapFactory(basin=basin, amount=Decimal("15000"), valid_from=datetime.date(2005, 7, 1))
    AdvanceCapFactory(basin=basin, amount=Decimal("25000"), valid_from=datetime.date(2010, 1, 1))
    # A cap decided for the future is not in force yet.
    AdvanceCapFactory(
        basin=basin,
        amount=Decimal("30000"),
        valid_from=datetime.date.today() + datetime.timedelta(days=30),
    )
    html = staff_client.get(reverse("alize:basin_list")).content.decode()
    assert euros("25 000 €") in html
    assert euros("15 000 €") not in html and euros("30 000 €") not in html


def test_basin_list_without_cap_shows_a_dash(staff_client, basin):
    html = staff_client.get(reverse("alize:basin_list")).content.decode()
    row = re.search(r"<tr>\s*<th scope=\"row\">.*?</tr>", html, re.S).group(0)
    assert basin.name in row and "—" in row


# --- Period page: the budget by kind of funder -------------------------------------------


def test_period_page_shows_the_budget_by_kind_of_funder(staff_client, basin):
    period = PeriodFactory(basin=basin)
    for name, kind, committed, paid in [
        ("Toyota", Funder.Kind.CORPORATION, "100000", "50000"),
        ("Alstom", Funder.Kind.CORPORATION, "50000", "0"),
        ("Valenciennes Métropole", Funder.Kind.LOCAL_AUTHORITY, "45000", "45000"),
        ("Porte du Hainaut", Funder.Kind.LOCAL_AUTHORITY, "39000", "13000"),
        ("Diact", Funder.Kind.STATE, "66000", "0"),
    ]:
        ContributionFactory(
            funder=FunderFactory(basin=basin, name=name, kind=kind),
            period=period,
            committed=Decimal(committed),
            paid=Decimal(paid),
        )

    html = staff_client.get(period.get_absolute_url()).content.decode()

    by_kind = html[html.index("Contributions par nature") : html.index("Détail par financeur")]
    rows = re.findall(r"<tr><th scope=\"row\">(.*?)</th>(.*?)</tr>", by_kind)
    assert [label for label, _ in rows] == [
        "Grande entreprise",
        "Collectivité territoriale",
        "État",
        "Total",
    ]
    cells = {label: re.findall(r"<td[^>]*>(.*?)</td>", rest) for label, rest in rows}
    assert cells["Grande entreprise"] == [euros("150 000 €"), euros("50 000 €"), f"50,0{NBSP}%"]
    assert cells["Collectivité territoriale"] == [
        euros("84 000 €"),
        euros("58 000 €"),
        f"28,0{NBSP}%",
    ]
    assert cells["État"] == [euros("66 000 €"), euros("0 €"), f"22,0{NBSP}%"]
    assert cells["Total"] == [euros("300 000 €"), euros("108 000 €"), f"100{NBSP}%"]

    by_funder = html[html.index("Détail par financeur") :]
    assert euros("45 000 €") in by_funder and euros("39 000 €") in by_funder


def test_period_page_without_contribution(staff_client, basin):
    period = PeriodFactory(basin=basin)
    html = staff_client.get(period.get_absolute_url()).content.decode()
    assert "Aucune contribution enregistrée." in html


# --- Lists: search and pagination ----------------------------------------------------------


@pytest.fixture
def communes(basin):
    epci = EpciFactory(basin=basin)
    return [
        CommuneFactory(epci=epci, name="Valenciennes", insee_code="59606", postcode="59300"),
        CommuneFactory(
            epci=epci, name="Saint-Amand-les-Eaux", insee_code="59526", postcode="59230"
        ),
        CommuneFactory(epci=epci, name="Denain", insee_code="59172", postcode="59220"),
    ]


def listed_names(html: str) -> list[str]:
    return re.findall(r"<th scope=\"row\"><a href=\"[^\"]+\">([^<]+)</a></th>", html)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("valenc", ["Valenciennes"]),  # part of a name, any case
        ("SAINT-AMAND", ["Saint-Amand-les-Eaux"]),
        ("59172", ["Denain"]),  # INSEE code
        ("5923", ["Saint-Amand-les-Eaux"]),  # postcode (start of)
        ("59", ["Denain", "Saint-Amand-les-Eaux", "Valenciennes"]),
        ("Lille", []),
    ],
)
def test_search_communes(staff_client, communes, query, expected):
    response = staff_client.get(reverse("alize:commune_list"), {"q": query})
    html = response.content.decode()
    assert listed_names(html) == expected
    assert f'value="{query}"' in html
    if not expected:
        assert "Aucun élément." in html


def test_search_communes_of_another_basin_finds_nothing(client, communes, other_basin):
    client.force_login(make_user(Role.STAFF, other_basin))
    response = client.get(reverse("alize:commune_list"), {"q": "Valenciennes"})
    assert listed_names(response.content.decode()) == []


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("hainaut", ["CA de la Porte du Hainaut"]),
        ("245901160", ["CA Valenciennes Métropole"]),
        ("CA ", ["CA de la Porte du Hainaut", "CA Valenciennes Métropole"]),
        ("Scarpe", []),
    ],
)
def test_search_epcis(staff_client, basin, query, expected):
    EpciFactory(basin=basin, name="CA Valenciennes Métropole", siren="245901160")
    EpciFactory(basin=basin, name="CA de la Porte du Hainaut", siren="200042190")
    html = staff_client.get(reverse("alize:epci_list"), {"q": query}).content.decode()
    # Sorted here: the order of mixed-case names depends on the database's collation.
    assert sorted(listed_names(html)) == sorted(expected)


def test_commune_list_is_paginated_and_keeps_the_search(staff_client, basin):
    epci = EpciFactory(basin=basin)
    for n in range(30):
        CommuneFactory(epci=epci, name=f"Commune {n:02d}", insee_code=f"59{n:03d}")
    CommuneFactory(epci=epci, name="Autre", insee_code="59999")
    url = reverse("alize:commune_list")

    first = staff_client.get(url, {"q": "Commune"}).content.decode()
    assert listed_names(first) == [f"Commune {n:02d}" for n in range(25)]
    assert "30 résultats" in first
    assert "Page 1 sur 2" in first
    assert 'href="?q=Commune&amp;page=2"' in first

    second = staff_client.get(url, {"q": "Commune", "page": 2}).content.decode()
    assert listed_names(second) == [f"Commune {n:02d}" for n in range(25, 30)]
    assert "Page 2 sur 2" in second
    assert 'href="?q=Commune&amp;page=1"' in second

    assert staff_client.get(url, {"page": 9}).status_code == 404


@pytest.mark.parametrize(
    ("url_name", "factory"),
    [
        ("alize:basin_list", None),
        ("alize:period_list", PeriodFactory),
        ("alize:epci_list", EpciFactory),
        ("alize:funder_list", FunderFactory),
    ],
)
def test_other_lists_are_paginated(client, url_name, factory):
    if factory is None:
        basins = [BasinFactory() for _ in range(27)]
    else:
        basins = [BasinFactory()]
        for _ in range(27):
            factory(basin=basins[0])
    client.force_login(make_user(Role.ADMIN))
    first = client.get(reverse(url_name)).content.decode()
    second = client.get(reverse(url_name), {"page": 2}).content.decode()
    assert len(listed_names(first)) == 25
    assert len(listed_names(second)) == 2
    assert not set(listed_names(first)) & set(listed_names(second))


# --- Query counts: they do not grow with the number of rows -------------------------------


def add_rows(kind: str, basin: Basin, target, count: int):
    """Add `count` rows of what the page lists (a list) or shows (a detail page)."""
    for _ in range(count):
        if kind == "basin_list":
            other = BasinFactory()
            AdvanceCapFactory(basin=other)
            target.basins.add(other)
        elif kind == "period_list":
            PeriodFactory(basin=basin)
        elif kind == "epci_list":
            EpciFactory(basin=basin)
        elif kind == "commune_list":
            CommuneFactory(epci__basin=basin)
        elif kind == "funder_list":
            ContributionFactory(funder__basin=basin)
        elif kind == "basin_detail":
            AdvanceCapFactory(basin=basin, valid_from=_next_date(basin))
            PeriodFactory(basin=basin)
            CommuneFactory(epci=EpciFactory(basin=basin))
        elif kind == "period_detail":
            ContributionFactory(period=target, funder__basin=basin)
        elif kind == "epci_detail":
            CommuneFactory(epci=target)
        elif kind == "funder_detail":
            ContributionFactory(funder=target, period=PeriodFactory(basin=basin))
        elif kind == "commune_detail":
            # The history panel: each change made by a different person.
            with pghistory.context(user=UserFactory().pk):
                target.population = (target.population or 0) + 1
                target.save()


def _next_date(basin):
    last = basin.advance_caps.order_by("-valid_from").first()
    return last.valid_from + datetime.timedelta(days=1) if last else datetime.date(2005, 7, 1)


# Exact counts, the same with 2 rows and with 20. Every page pays 3: the session, the user
# and the user's roles. A list then counts and fetches its page (2). A detail page fetches
# its object (1), each related table it shows (1 each), and its history panel: 1 for the
# events, 1 for the names of the people who made them (when any was made in a request) and
# 1 per kind of object a foreign key of the trail points to (the basin of a period...).
QUERY_COUNTS = {
    "basin_list": 3 + 2,  # the cap in force is a subquery, not a query per basin
    "period_list": 3 + 2,
    "epci_list": 3 + 2,
    "commune_list": 3 + 2,
    "funder_list": 3 + 2,  # the total committed is an annotation
    # caps, periods, EPCIs with their number of communes; history: events
    "basin_detail": 3 + 1 + 3 + 1,
    # contributions by kind of funder, then by funder; history: events, basin
    "period_detail": 3 + 1 + 2 + 2,
    # communes; history: events, basin
    "epci_detail": 3 + 1 + 1 + 2,
    # history of changes made by 2, then 20 people: events, people, EPCI
    "commune_detail": 3 + 1 + 3,
    # contributions; their history: events, people, periods; history: events, basin
    "funder_detail": 3 + 1 + 1 + 3 + 2,
}


@pytest.mark.parametrize("kind", QUERY_COUNTS)
def test_query_count_does_not_grow_with_rows(client, django_assert_num_queries, kind):
    basin = BasinFactory()
    user = make_user(Role.STAFF, basin)
    target = {
        "period_detail": lambda: PeriodFactory(basin=basin),
        "epci_detail": lambda: EpciFactory(basin=basin),
        "funder_detail": lambda: FunderFactory(basin=basin),
        "commune_detail": lambda: CommuneFactory(epci__basin=basin),
        "basin_detail": lambda: basin,
        "basin_list": lambda: user,
    }.get(kind, lambda: None)()
    url = target.get_absolute_url() if kind.endswith("_detail") else reverse(f"alize:{kind}")
    client.force_login(user)
    # In a test, everything runs in one transaction: the pghistory context of a request stays
    # set and marks the rows created after it. Make a request first, so that the rows of both
    # rounds are marked alike (and the panel names the same one person).
    client.get(url)

    counts = []
    for added in (2, 18):  # 2 rows, then 20
        add_rows(kind, basin, target, added)
        assert client.get(url).status_code == 200  # warm caches (content types, etc.)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], (
        f"{kind} : {counts[0]} requêtes avec 2 lignes, {counts[1]} avec 20"
    )

    with django_assert_num_queries(QUERY_COUNTS[kind]):
        client.get(url)


# --- Accessibility basics: headings in order, table headers with a scope, labelled fields ---


class _PageStructure(HTMLParser):
    def __init__(self):
        super().__init__()
        self.headings, self.th_without_scope, self.fields, self.labels = [], 0, [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        elif tag == "th" and attrs.get("scope") not in {"col", "row", "colgroup", "rowgroup"}:
            self.th_without_scope += 1
        elif tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        elif tag in {"input", "select", "textarea"} and attrs.get("type") not in {
            "hidden",
            "submit",
        }:
            self.fields.append(attrs)


def _pages(basin):
    contribution = ContributionFactory(funder__basin=basin)
    commune = CommuneFactory(epci__basin=basin)
    AdvanceCapFactory(basin=basin)
    objects = {
        "basin": basin,
        "period": contribution.period,
        "epci": commune.epci,
        "commune": commune,
        "funder": contribution.funder,
        "contribution": contribution,
    }
    for name in ("basin", "period", "epci", "commune", "funder"):
        yield reverse(f"alize:{name}_list")
        yield reverse(f"alize:{name}_detail", args=[objects[name].pk])
        yield reverse(f"alize:{name}_update", args=[objects[name].pk])
        if name != "basin":
            yield reverse(f"alize:{name}_create")
    yield reverse("alize:advance_cap_create", args=[basin.pk])
    yield reverse("alize:contribution_create", args=[contribution.funder.pk])
    yield reverse("alize:contribution_update", args=[contribution.pk])
    yield reverse("home")


def test_pages_have_ordered_headings_scoped_headers_and_labelled_fields(manager_client, basin):
    for url in _pages(basin):
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
