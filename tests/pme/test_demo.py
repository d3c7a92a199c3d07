"""The SMEs and dossiers of `load_demo`: the article's figures, measured in the database."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Count, F, Max, Min, Q, Sum
from django.utils import timezone
from stdnum.fr import siren, siret

from alize.formatting import phone
from alize.models import Basin, ProgrammePeriod, Role
from pme.models import (
    ContractKind,
    Dossier,
    DossierKind,
    DossierState,
    DossierTransition,
    Hire,
    Need,
    OrientationSource,
    Pme,
    PmeContact,
    Sector,
)
from pme.workflow import SUPPORTED_STATES
from tests.conftest import load_demo

pytestmark = pytest.mark.django_db

S = DossierState
DEMO_COMMUNES = {
    "59606", "59014", "59383", "59544", "59526", "59172", "59491", "59632",
    "59418", "59238", "59144", "59594", "59392", "59291", "59324", "59365",
}  # fmt: skip


run = load_demo


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def valenciennois(output):
    return Basin.objects.get(slug="valenciennois")


@pytest.fixture
def first_period(valenciennois):
    return ProgrammePeriod.objects.get(basin=valenciennois, start_date=datetime.date(2005, 7, 1))


@pytest.fixture
def supported(valenciennois, first_period):
    """The dossiers the article counts: approved or later, decided in the first period."""
    return (
        Dossier.objects.for_basin(valenciennois)
        .supported()
        .filter(decision_date__range=(first_period.start_date, first_period.end_date))
    )


@pytest.fixture
def supported_pmes(supported):
    return Pme.objects.filter(dossiers__in=supported).distinct()


def test_27_smes_supported_in_the_first_period(supported, supported_pmes, first_period):
    assert supported_pmes.count() == 27
    assert supported.count() == 27
    states = set(supported.values_list("state", flat=True))
    assert states <= set(SUPPORTED_STATES)
    assert {S.UNDER_SUPPORT, S.CLOSED} <= states
    # The SMEs the renewal supported since are other companies, none of the 27.
    later = Dossier.objects.supported().filter(decision_date__gt=first_period.end_date)
    assert not later.filter(pme__in=supported_pmes).exists()


def test_over_90_percent_have_fewer_than_50_employees(supported_pmes):
    sizes = supported_pmes.aggregate(
        total=Count("pk"), small=Count("pk", filter=Q(headcount__lt=50))
    )
    assert sizes["small"] / sizes["total"] > Decimal("0.9")
    assert sizes["small"] < sizes["total"], "a few medium-sized firms make it plausible"
    assert supported_pmes.aggregate(most=Max("headcount"))["most"] < 250


def test_sectors_in_plausible_proportions(supported_pmes):
    shares = {
        row["sector"]: row["n"] / 27
        for row in supported_pmes.values("sector").annotate(n=Count("pk")).order_by()
    }
    assert set(shares) == {Sector.INDUSTRY, Sector.SERVICES, Sector.CONSTRUCTION, Sector.TRADE}
    assert 0.5 < shares[Sector.INDUSTRY] < 0.6
    assert 0.2 < shares[Sector.SERVICES] < 0.3
    assert 0.05 < shares[Sector.CONSTRUCTION] < 0.15
    assert shares[Sector.TRADE] < shares[Sector.CONSTRUCTION]


def test_three_takeovers(supported):
    assert supported.filter(kind=DossierKind.TAKEOVER).count() == 3


def test_13_advances_requested_within_the_cap(supported, valenciennois):
    asked = supported.filter(advance_requested__gt=0)
    assert asked.values("pme").distinct().count() == 13
    assert asked.aggregate(most=Max("advance_requested"))["most"] <= valenciennois.cap_on(
        datetime.date(2005, 7, 1)
    )
    assert supported.filter(bank_loans__gt=0).count() >= 10


def test_349_jobs_planned_and_78_hires(supported):
    planned = supported.aggregate(total=Sum("jobs_planned"))["total"]
    hires = Hire.objects.filter(dossier__in=supported).count()
    assert (planned, hires) == (349, 78)
    assert supported.jobs_totals() == {"jobs_planned": 349, "hires": 78}
    # The article's "13 jobs per SME": 349 / 27.
    pmes = supported.values("pme").distinct().count()
    assert round(Decimal(planned) / pmes, 1) == Decimal("12.9")
    assert round(Decimal(planned) / pmes) == 13
    # Hires are never planned jobs: no dossier hired more than it planned.
    assert not supported.with_hires_count().filter(hires_count__gt=F("jobs_planned")).exists()


def test_hires_are_dated_within_their_dossier_life(supported):
    hires = Hire.objects.filter(dossier__in=supported).select_related("dossier")
    today = timezone.localdate()
    for hire in hires:
        dossier = hire.dossier
        assert dossier.orientation_date <= dossier.decision_date <= hire.hire_date <= today
        closing = dossier.transitions.filter(to_state=S.CLOSED).first()
        if closing:
            assert hire.hire_date <= timezone.localtime(closing.at).date()
    assert set(hires.values_list("contract", flat=True)) <= set(ContractKind.values)


def test_each_dossier_went_through_the_workflow(supported, valenciennois):
    for dossier in Dossier.objects.for_basin(valenciennois).prefetch_related("transitions__by"):
        log = list(dossier.transitions.all())
        if not log:
            assert dossier.state == S.ORIENTED
            continue
        reached = [row.to_state for row in log]
        # Each move starts where the previous one ended, from "oriented" on.
        assert [row.from_state for row in log] == [S.ORIENTED, *reached[:-1]], dossier
        assert log[-1].to_state == dossier.state
        assert log[-1].at == dossier.state_changed_at
        assert timezone.localtime(log[0].at).date() >= dossier.orientation_date
        assert [row.at for row in log] == sorted(row.at for row in log)
        for row in log:
            expected = Role.MANAGER if row.to_state in {S.APPROVED, S.DEFERRED} else Role.STAFF
            assert row.by.has_role(expected), row
            assert row.by.email.endswith("@alize.demo")
            if row.to_state in {S.APPROVED, S.DEFERRED}:
                assert timezone.localtime(row.at).date() == dossier.decision_date
    # Every supported dossier was submitted, then approved, and the approval is logged.
    assert (
        DossierTransition.objects.filter(dossier__in=supported, to_state=S.APPROVED).count() == 27
    )
    assert not supported.filter(staff_member__isnull=True).exists()


def test_orientation_by_the_three_intercommunalities_and_partners(supported):
    sources = dict(supported.values_list("orientation_source").annotate(n=Count("pk")).order_by())
    assert set(sources) == set(OrientationSource.values)
    by_epci = supported.filter(orientation_source=OrientationSource.EPCI)
    assert set(by_epci.values_list("oriented_by_epci__name", flat=True)) == {
        "CA Valenciennes Métropole",
        "CA de la Porte du Hainaut",
        "CC rurale de la Vallée de la Scarpe",
    }
    partners = " ".join(
        supported.filter(orientation_source=OrientationSource.PARTNER_NETWORK).values_list(
            "orientation_partner", flat=True
        )
    )
    assert "initiative locale" in partners
    assert "Boutique de gestion" in partners
    corporations = set(
        supported.filter(orientation_source=OrientationSource.CORPORATION).values_list(
            "orientation_partner", flat=True
        )
    )
    assert "Toyota Motor Manufacturing France" in corporations
    assert not supported.filter(orientation_date__gt=F("decision_date")).exists()


def test_heuille_in_saint_amand_les_eaux(supported):
    heuille = Pme.objects.get(name="Heuille")
    assert (heuille.commune.insee_code, heuille.commune.name) == ("59526", "Saint-Amand-les-Eaux")
    assert heuille.epci.name == "CA de la Porte du Hainaut"
    assert (heuille.naf_code, heuille.sector) == ("25.62B", Sector.INDUSTRY)
    dossier = supported.get(pme=heuille)
    assert dossier.decision_date.year == 2006
    assert {Need.MANAGEMENT, Need.PRODUCTION, Need.QUALITY} <= set(dossier.needs)
    hires = dossier.hires.all()
    assert hires.count() == 7
    assert set(hires.values_list("contract", flat=True)) == {ContractKind.CDI}
    assert "ISO 9001" in dossier.transitions.get(to_state=S.CLOSED).comment


def test_pipeline_of_the_renewal_period(valenciennois, supported_pmes):
    renewal = ProgrammePeriod.objects.get(basin=valenciennois, start_date="2008-07-01")
    pipeline = Dossier.objects.for_basin(valenciennois).filter(
        orientation_date__gte=renewal.start_date
    )
    states = dict(pipeline.values_list("state").annotate(n=Count("pk")).order_by())
    assert states == {S.ORIENTED: 2, S.UNDER_INSTRUCTION: 2, S.SUBMITTED: 2, S.DEFERRED: 1}
    assert not pipeline.filter(pme__in=supported_pmes).exists()
    deferred = pipeline.get(state=S.DEFERRED)
    assert deferred.decision_date >= renewal.start_date
    assert deferred.transitions.get(to_state=S.DEFERRED).comment


def test_comparison_basin_plans_7_jobs_per_sme(output):
    sambre = Basin.objects.get(slug="sambre-avesnois")
    period = ProgrammePeriod.objects.get(basin=sambre, start_date="2005-07-01")
    figures = (
        Dossier.objects.for_basin(sambre)
        .supported()
        .filter(decision_date__range=(period.start_date, period.end_date))
        .aggregate(jobs=Sum("jobs_planned"), pmes=Count("pme", distinct=True))
    )
    assert figures["pmes"] >= 5
    assert Decimal(figures["jobs"]) / figures["pmes"] == 7
    assert set(Pme.objects.for_basin(sambre).values_list("commune__epci__basin", flat=True)) == {
        sambre.pk
    }


def test_sirets_are_valid_and_communes_real(output):
    sirets = list(Pme.objects.values_list("siret", "siren", "commune__insee_code"))
    assert len(sirets) == Pme.objects.count() >= 27 + 7 + 10
    for number, siren_number, insee_code in sirets:
        assert siret.is_valid(number), number
        assert siren.is_valid(siren_number), siren_number
        assert insee_code in DEMO_COMMUNES
    assert len({number for number, _, _ in sirets}) == len(sirets)


def test_persons_are_visibly_demo_data(output):
    contacts = PmeContact.objects.all()
    assert contacts.count() == Pme.objects.count()
    for contact in contacts:
        assert contact.name.startswith("Contact Démo "), contact.name
        assert contact.email.endswith("@demo.alize.example"), contact.email
        # Stored in E.164, shown the French way.
        assert str(contact.phone).startswith("+3335301"), contact.phone
        assert phone(contact.phone).startswith("03 53 01 "), contact.phone


def test_output_gives_the_articles_figures(output):
    assert "PME : 27 accompagnées à Valenciennes" in output
    assert "349 emplois prévus (12,9 par PME), 78 embauches" in output
    assert "7 dossiers en cours pour le renouvellement" in output
    assert "7 emplois prévus par PME" in output


def test_the_clock_is_back_to_now(output):
    assert timezone.now().year >= 2026
    assert Pme.objects.aggregate(first=Min("created_at"))["first"].year == 2005


def row_counts() -> dict[str, int]:
    """Rows of the SME tables and of the audit trail (events and their contexts)."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"pme", "pghistory"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_second_run_writes_nothing(output):
    before = row_counts()
    assert before["pme.Pme"] and before["pme.Hire"] and before["pghistory.Events"]
    output = run()
    assert row_counts() == before
    assert "Rien à changer" in output


def test_second_run_puts_back_what_differs(output):
    heuille = Pme.objects.get(name="Heuille")
    Pme.objects.filter(pk=heuille.pk).update(name="Heuille modifiée", headcount=31)
    hires = Hire.objects.count()
    Hire.objects.filter(dossier__pme=heuille).order_by("hire_date").last().delete()
    transitions = DossierTransition.objects.count()

    output = run()

    heuille.refresh_from_db()
    assert (heuille.name, heuille.headcount) == ("Heuille", 32)
    assert Hire.objects.filter(dossier__pme=heuille).count() == 7
    assert Hire.objects.count() == hires
    assert DossierTransition.objects.count() == transitions
    assert "mis à jour : 1" in output
