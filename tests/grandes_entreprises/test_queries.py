"""The value of the skills given and the figures built on it, computed by the database."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from grandes_entreprises.models import Corporation, DayLog, SupportMission, hires_helped_by
from grandes_entreprises.statements import skills_statement, yearly_figures
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DailyRateFactory,
    DayLogFactory,
    ExpertFactory,
    MissionResultFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory

pytestmark = pytest.mark.django_db

D = datetime.date
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, ROUND_HALF_UP)


@pytest.fixture
def valued_mission(corporation, mission, expert):
    """Alstom at 600 € a day, then 450.25 € from Monday 9 April 2007 (the second week)."""
    DailyRateFactory(corporation=corporation, rate=Decimal("450.25"), valid_from=D(2007, 4, 9))
    for day, days in [
        (D(2007, 4, 2), "1"),
        (D(2007, 4, 3), "0.5"),
        (D(2007, 4, 9), "0.5"),
        (D(2007, 4, 10), "0.5"),
        (D(2007, 4, 11), "1"),
    ]:
        DayLogFactory(mission=mission, expert=expert, date=day, days=Decimal(days))
    return mission


def test_each_log_at_the_rate_in_force_on_its_date(valued_mission):
    rows = list(
        DayLog.objects.filter(assignment__mission=valued_mission)
        .with_value()
        .order_by("date")
        .values_list("date", "rate", "value")
    )
    assert rows == [
        (D(2007, 4, 2), Decimal("600.00"), Decimal("600.00")),
        (D(2007, 4, 3), Decimal("600.00"), Decimal("300.00")),
        # 0.5 × 450.25 = 225.125: to the cent, half up.
        (D(2007, 4, 9), Decimal("450.25"), Decimal("225.13")),
        (D(2007, 4, 10), Decimal("450.25"), Decimal("225.13")),
        (D(2007, 4, 11), Decimal("450.25"), Decimal("450.25")),
    ]


def test_mission_totals_are_the_sum_of_its_lines(valued_mission):
    mission = SupportMission.objects.with_days_and_value().get(pk=valued_mission.pk)
    assert mission.days_given == Decimal("3.5")
    # Each line rounded to the cent, then added: totals reconcile with the lines shown.
    expected = sum(
        cents(Decimal(days) * Decimal(rate))
        for days, rate in [
            ("1", "600"),
            ("0.5", "600"),
            ("0.5", "450.25"),
            ("0.5", "450.25"),
            ("1", "450.25"),
        ]
    )
    assert mission.skills_value == expected == Decimal("1800.51")
    assert mission.unvalued_days == Decimal("0")


def test_a_rate_dated_later_revalues_from_its_date_only(valued_mission, corporation):
    DailyRateFactory(corporation=corporation, rate=Decimal("800"), valid_from=D(2007, 4, 10))
    mission = SupportMission.objects.with_days_and_value().get(pk=valued_mission.pk)
    assert mission.skills_value == Decimal("600") + Decimal("300") + Decimal("225.13") + Decimal(
        "400"
    ) + Decimal("800")


def test_another_corporations_rate_does_not_apply(valued_mission, other_corporation):
    DailyRateFactory(corporation=other_corporation, rate=Decimal("9999"), valid_from=D(2007, 1, 1))
    mission = SupportMission.objects.with_days_and_value().get(pk=valued_mission.pk)
    assert mission.skills_value == Decimal("1800.51")


def test_days_before_any_rate_are_counted_but_not_valued(basin):
    corporation = CorporationFactory(basin=basin)
    mission = SupportMissionFactory(corporation=corporation, running=True)
    DayLogFactory(mission=mission)
    DailyRateFactory(corporation=corporation, rate=Decimal("500"), valid_from=D(2007, 4, 3))
    DayLogFactory(mission=mission, date=D(2007, 4, 3), half=True)
    row = SupportMission.objects.with_days_and_value().get(pk=mission.pk)
    assert (row.days_given, row.skills_value, row.unvalued_days) == (
        Decimal("1.5"),
        Decimal("250.00"),
        Decimal("1.0"),
    )


def test_mission_without_logs(corporation):
    row = SupportMission.objects.with_days_and_value().get(
        pk=SupportMissionFactory(corporation=corporation).pk
    )
    assert (row.days_given, row.skills_value) == (Decimal("0"), Decimal("0.00"))


def test_mission_list_is_one_query_whatever_its_length(corporation, django_assert_num_queries):
    for _ in range(5):
        mission = SupportMissionFactory(corporation=corporation, running=True)
        DayLogFactory(mission=mission)
    with django_assert_num_queries(1):
        rows = list(SupportMission.objects.with_days_and_value().with_related())
    assert len(rows) == 5
    assert all(row.skills_value == Decimal("600.00") for row in rows)


# --- Corporations: totals and years ------------------------------------------------------


@pytest.fixture
def alstom_years(corporation, expert, basin):
    """Alstom helps Heuille from 2006 (ISO 9001 in March 2007, 7 hires) and another SME in
    2007; Heuille hired once in 2005, before any help."""
    heuille = DossierFactory(
        approved=True, pme__basin=basin, pme__name="Heuille", decision_date=D(2006, 10, 20)
    )
    first = SupportMissionFactory(
        corporation=corporation,
        dossier=heuille,
        experts=[expert],
        done=True,
        start_date=D(2006, 11, 6),
        end_date=D(2007, 3, 30),
        planned_days=Decimal("8"),
    )
    for day in (D(2006, 11, 6), D(2006, 11, 7), D(2007, 1, 15)):
        DayLogFactory(mission=first, date=day)
    MissionResultFactory(mission=first, iso_9001=True)
    HireFactory(dossier=heuille, hire_date=D(2005, 12, 1))
    for month in range(4, 11):
        HireFactory(dossier=heuille, hire_date=D(2007, month, 2))
    second = SupportMissionFactory(corporation=corporation, running=True)
    DayLogFactory(mission=second, date=D(2007, 4, 2), half=True)
    HireFactory(dossier=second.dossier, hire_date=D(2008, 1, 7))
    return {"heuille": heuille, "first": first, "second": second}


def test_corporation_totals(alstom_years, corporation, other_corporation):
    rows = {row.pk: row for row in Corporation.objects.with_totals()}
    alstom = rows[corporation.pk]
    assert alstom.days_given == Decimal("3.5")
    assert alstom.skills_value == Decimal("2100.00")
    assert alstom.smes_helped == 2
    # Heuille's 7 hires of 2007 and the other SME's one; not Heuille's hire of 2005.
    assert alstom.jobs_created == 8
    idle = rows[other_corporation.pk]
    assert (idle.days_given, idle.skills_value, idle.smes_helped, idle.jobs_created) == (
        Decimal("0"),
        Decimal("0.00"),
        0,
        0,
    )


def test_corporation_list_is_one_query(alstom_years, django_assert_num_queries):
    with django_assert_num_queries(1):
        list(Corporation.objects.with_totals().with_current_rate())


def test_hires_count_from_the_year_of_the_first_help(alstom_years, corporation):
    heuille = alstom_years["heuille"]
    counted = hires_helped_by(corporation).filter(dossier=heuille)
    assert counted.count() == 7
    assert not counted.filter(hire_date__year=2005).exists()


def test_per_year(alstom_years, corporation):
    rows = DayLog.objects.for_corporation(corporation).per_year()
    assert rows == [
        {
            "year": 2006,
            "days_given": Decimal("2.0"),
            "skills_value": Decimal("1200.00"),
            "smes_helped": 1,
        },
        {
            "year": 2007,
            "days_given": Decimal("1.5"),
            "skills_value": Decimal("900.00"),
            "smes_helped": 2,
        },
    ]


def test_yearly_figures(alstom_years, corporation, django_assert_num_queries):
    with django_assert_num_queries(2):
        figures = yearly_figures(corporation)
    assert [(f.year, f.days, f.value, f.smes_helped, f.jobs_created) for f in figures] == [
        (2006, Decimal("2.0"), Decimal("1200.00"), 1, 0),
        (2007, Decimal("1.5"), Decimal("900.00"), 2, 7),
        (2008, Decimal("0.0"), Decimal("0.00"), 0, 1),
    ]


# --- The yearly skills statement -----------------------------------------------------------


def test_statement_of_alstom_for_2007(alstom_years, corporation):
    statement = skills_statement(corporation, 2007)
    assert statement.days == Decimal("1.5")
    assert statement.value == Decimal("900.00")
    assert statement.unvalued_days == Decimal("0")
    assert statement.smes_helped == 2
    heuille = next(line for line in statement.smes if line.name == "Heuille")
    assert (heuille.missions, heuille.days, heuille.value, heuille.hires) == (
        1,
        Decimal("1.0"),
        Decimal("600.00"),
        7,
    )
    assert [str(result) for result in statement.results] == ["Certification obtenue : ISO 9001"]
    assert statement.results[0].achieved_on == D(2007, 3, 20)
    assert statement.jobs_created == 7


def test_statement_of_a_year_without_activity(alstom_years, corporation):
    statement = skills_statement(corporation, 2010)
    assert (statement.days, statement.value, statement.smes, statement.results) == (
        Decimal("0"),
        Decimal("0.00"),
        [],
        [],
    )
    assert statement.jobs_created == 0


def test_statement_ignores_other_corporations(alstom_years, other_corporation):
    assert skills_statement(other_corporation, 2007).days == Decimal("0")


def build_activity(corporation, missions: int):
    """`missions` missions in 2007, each on its own SME, with two experts, logs, a result
    and a hire."""
    experts = [ExpertFactory(corporation=corporation) for _ in range(2)]
    for index in range(missions):
        mission = SupportMissionFactory(corporation=corporation, experts=experts, done=True)
        for expert in experts:
            DayLogFactory(mission=mission, expert=expert, date=D(2007, 4, 2 + index % 5))
        MissionResultFactory(mission=mission, achieved_on=D(2007, 4, 12))
        HireFactory(dossier=mission.dossier, hire_date=D(2007, 9, 3))


@pytest.mark.parametrize("missions", [2, 20])
def test_statement_runs_a_fixed_number_of_queries(basin, missions, django_assert_num_queries):
    corporation = CorporationFactory(basin=basin)
    DailyRateFactory(corporation=corporation, rate=Decimal("450.25"))
    build_activity(corporation, missions)
    with django_assert_num_queries(4):
        statement = skills_statement(corporation, 2007)
    assert statement.smes_helped == missions
    assert statement.days == Decimal(2 * missions)
    assert statement.value == Decimal("450.25") * 2 * missions
    assert len(statement.results) == missions
    assert statement.jobs_created == missions
    # Reading the results' missions and SMEs costs nothing more.
    with django_assert_num_queries(0):
        [result.mission.dossier.pme.name for result in statement.results]
