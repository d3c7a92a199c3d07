"""The corporations of `load_demo`: the article's partners, their missions and a
revitalisation convention, measured in the database."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum

from alize.models import Funder, ProgrammePeriod, Role, User
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    DayLog,
    Expert,
    MissionResult,
    MissionStatus,
    ResultKind,
    RevitalisationConvention,
    SupportMission,
    hires_helped_by,
)
from grandes_entreprises.statements import skills_statement
from pme.models import DossierState, DossierTransition
from pme.workflow import SUPPORTED_STATES
from tests.conftest import load_demo

pytestmark = pytest.mark.django_db

COORDINATOR_EMAIL = "coordinateur.alstom@alize.demo"
FIRST_PERIOD_PARTNERS = {
    "Toyota",
    "Saint-Gobain",
    "Alstom",
    "Vallourec",
    "PSA Peugeot Citroën",
    "Bombardier",
    "ArcelorMittal",
    "EDF",
    "Veolia Environnement",
    "Crédit Agricole Nord de France",
    "La Poste",
}
RENEWAL_NEWCOMERS = {"SKF", "Leroy Merlin", "E. Leclerc", "Soufflet alimentaire", "Sevelnord"}


run = load_demo


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def periods(output):
    periods = ProgrammePeriod.objects.filter(basin__slug="valenciennois").order_by("start_date")
    return {"first": periods[0], "renewal": periods[1]}


@pytest.fixture
def alstom(output):
    return Corporation.objects.get(group_name="Alstom")


def test_the_eleven_partners_of_the_first_period(periods):
    members = Corporation.objects.members_of(periods["first"])
    assert set(members.values_list("group_name", flat=True)) == FIRST_PERIOD_PARTNERS
    # Each is the corporation funder of the first period's budget.
    funders = Funder.objects.filter(basin__slug="valenciennois", kind=Funder.Kind.CORPORATION)
    assert set(members.values_list("funder", flat=True)) == set(
        funders.values_list("pk", flat=True)
    )
    assert Corporation.objects.get(group_name="Toyota").funder.name == (
        "Toyota Motor Manufacturing France"
    )
    assert not members.filter(memberships__left_on__isnull=False).exists()


def test_five_newcomers_join_for_the_renewal(periods):
    renewal = Corporation.objects.members_of(periods["renewal"])
    assert renewal.count() == 16
    newcomers = renewal.exclude(pk__in=Corporation.objects.members_of(periods["first"]))
    assert set(newcomers.values_list("group_name", flat=True)) == RENEWAL_NEWCOMERS
    assert not newcomers.filter(funder__isnull=False).exists()
    joined = set(
        newcomers.values_list("memberships__joined_on", flat=True).filter(
            memberships__period=periods["renewal"]
        )
    )
    assert joined == {periods["renewal"].start_date}


def test_every_corporation_has_experts_and_a_daily_rate(output):
    corporations = Corporation.objects.annotate(
        experts_count=Count("experts", distinct=True), rates=Count("daily_rates", distinct=True)
    )
    assert corporations.count() == 16
    assert not corporations.filter(Q(experts_count=0) | Q(rates=0)).exists()
    assert not Expert.objects.exclude(name__endswith=" Démo").exists()
    assert not Corporation.objects.filter(headcount__lt=1000).exists()


def test_missions_only_on_the_approved_dossiers_of_the_basin(output):
    missions = SupportMission.objects.all()
    assert missions.count() >= 27
    assert not missions.exclude(dossier__state__in=SUPPORTED_STATES).exists()
    assert not missions.exclude(dossier__pme__commune__epci__basin__slug="valenciennois").exists()
    assert not missions.filter(start_date__lt=F("dossier__decision_date")).exists()
    statuses = set(missions.values_list("status", flat=True))
    assert statuses == {MissionStatus.PLANNED, MissionStatus.RUNNING, MissionStatus.DONE}
    # Every approved dossier of the first period's 27 got at least one mission, and so did
    # the five the renewal supported (decided after June 2008).
    first_end = datetime.date(2008, 6, 30)
    helped = missions.filter(dossier__decision_date__lte=first_end)
    assert helped.values("dossier").distinct().count() == 27
    renewal = missions.filter(dossier__decision_date__gt=first_end)
    assert renewal.values("dossier").distinct().count() == 5
    assert set(renewal.values_list("status", flat=True)) == {MissionStatus.DONE}


def test_days_are_logged_within_the_dossiers_support_period(output):
    """From the dossier's move to "under support" to its closing (or the demo's day)."""
    support_start = DossierTransition.objects.filter(
        dossier=OuterRef("assignment__mission__dossier"), to_state=DossierState.UNDER_SUPPORT
    ).values("at__date")[:1]
    closing = DossierTransition.objects.filter(
        dossier=OuterRef("assignment__mission__dossier"), to_state=DossierState.CLOSED
    ).values("at__date")[:1]
    logs = DayLog.objects.annotate(support_start=Subquery(support_start), closing=Subquery(closing))
    assert logs.count() > 200
    assert not logs.filter(support_start__isnull=True).exists()
    assert not logs.filter(date__lt=F("support_start")).exists()
    assert not logs.filter(date__gt=F("closing")).exists()
    # The first period's missions stop at the demo's snapshot day (autumn 2008); the
    # renewal's, finished, gave their days up to 2009.
    first_period = logs.filter(assignment__mission__dossier__decision_date__lte="2008-06-30")
    assert not first_period.filter(date__gt=datetime.date(2008, 9, 30)).exists()
    assert not logs.filter(date__gt=datetime.date(2011, 6, 30)).exists()
    assert not logs.filter(
        Q(date__lt=F("assignment__mission__start_date"))
        | Q(date__gt=F("assignment__mission__end_date"))
    ).exists()
    # Days are logged on working days only, by half days or whole days.
    assert not logs.filter(date__week_day__in=[1, 7]).exists()
    assert set(logs.values_list("days", flat=True)) <= {Decimal("0.5"), Decimal("1.0")}


def test_heuille_obtained_iso_9001_in_march_2007_with_alstom(alstom):
    result = MissionResult.objects.get(title="ISO 9001")
    assert result.kind == ResultKind.CERTIFICATION
    assert (result.achieved_on.year, result.achieved_on.month) == (2007, 3)
    mission = result.mission
    assert mission.corporation == alstom
    assert mission.dossier.pme.name == "Heuille"
    assert mission.status == MissionStatus.DONE
    assert "ISO 9001" in mission.outcome
    heuille_missions = SupportMission.objects.filter(dossier=mission.dossier, corporation=alstom)
    assert set(heuille_missions.values_list("domain", flat=True)) == {
        "qualite",
        "production",
        "management",
    }
    # Heuille's 7 hires count as jobs created with Alstom's help.
    assert hires_helped_by(alstom).filter(dossier=mission.dossier).count() == 7


def test_alstoms_statement_for_2007(alstom):
    statement = skills_statement(alstom, 2007)
    assert statement.days > 0 and statement.value > 0
    assert [sme.name for sme in statement.smes] == ["Heuille"]
    assert "ISO 9001" in [result.title for result in statement.results]
    totals = Corporation.objects.with_totals().get(pk=alstom.pk)
    assert totals.smes_helped == 3
    assert totals.jobs_created >= 7


def test_missions_went_through_the_workflow(output):
    for mission in SupportMission.objects.annotate(moves=Count("transitions")):
        expected = {"prevue": 0, "en_cours": 1, "terminee": 2}[mission.status]
        assert mission.moves == expected, mission
    running_without_days = SupportMission.objects.filter(
        status=MissionStatus.RUNNING, assignments__day_logs__isnull=True
    )
    assert not running_without_days.exists()


def test_the_alstom_coordinator(alstom):
    user = User.objects.get(email=COORDINATOR_EMAIL)
    assert user.check_password("alize-demo-2026")
    assert list(user.groups.values_list("name", flat=True)) == [Role.COORDINATOR]
    assert list(alstom.coordinators.all()) == [user]
    # They logged the days Alstom's experts gave.
    alstom_logs = DayLog.objects.filter(assignment__mission__corporation=alstom)
    assert alstom_logs.exists()
    assert not alstom_logs.exclude(logged_by=user).exists()
    assert (
        list(SupportMission.objects.visible_to(user).values_list("corporation", flat=True))
        == [alstom.pk] * SupportMission.objects.filter(corporation=alstom).count()
    )


def test_one_revitalisation_convention_with_a_payment(output):
    convention = RevitalisationConvention.objects.with_balance().get()
    assert (convention.jobs_eliminated, convention.employees_reclassified) == (120, 20)
    assert convention.multiple == Decimal("2.00")
    # The SMIC in force at its signature (1 March 2007): 1 254,28 € since 1 July 2006.
    assert convention.smic_valid_from == datetime.date(2006, 7, 1)
    assert convention.amount_due == Decimal("250856.00") == 100 * 2 * convention.smic_monthly
    payment = ConventionPayment.objects.get()
    assert convention.paid == payment.amount == Decimal("125428.00")
    assert convention.balance == Decimal("125428.00")
    assert convention.corporation.headcount >= 1000


def test_output_lists_the_coordinators_login_and_the_figures(output):
    assert COORDINATOR_EMAIL in output
    assert "Coordinateur(trice) d'une grande entreprise" in output
    assert "Grandes entreprises : 11 partenaires de la première période, 16 du renouvellement" in (
        output
    )


def row_counts() -> dict[str, int]:
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"grandes_entreprises", "alize", "pghistory"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_second_run_writes_nothing(output):
    before = row_counts()
    assert before["grandes_entreprises.DayLog"] and before["pghistory.Events"]
    again = run()
    assert row_counts() == before
    assert "Rien à changer" in again


def test_second_run_puts_back_what_is_missing(output, alstom):
    log = DayLog.objects.filter(assignment__mission__corporation=alstom).order_by("date").last()
    days = DayLog.objects.aggregate(total=Sum("days"))["total"]
    log.delete()
    Expert.objects.filter(name="Jean Démo").update(job_title="Stagiaire")

    again = run()

    assert DayLog.objects.aggregate(total=Sum("days"))["total"] == days
    assert Expert.objects.get(name="Jean Démo").job_title == "Responsable qualité"
    assert "mis à jour : 1" in again
