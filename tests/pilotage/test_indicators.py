"""The programme's indicators: the article's figures from the demo, each definition on
small cases, the narrowing of a funder's scope, and a query count that does not grow."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alize.models import Basin, Funder, ProgrammePeriod, Role
from avances.services import approve_write_off, record_payment, request_write_off
from demo.base import SNAPSHOT_DAY
from pilotage import indicators
from pilotage.indicators import (
    BREAKDOWNS,
    DEFINITIONS,
    Scope,
    compute,
    default_period,
    format_value,
    other_basins,
    previous_period,
)
from pilotage.permissions import scope_for
from pme.models import Dossier, DossierKind, DossierTransition, OrientationSource
from pme.workflow import DossierState
from tests.alize.factories import (
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DailyRateFactory,
    DayLogFactory,
    MembershipFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2008, 3, 1)
# The demo's hires dated up to 30 June 2008 (78 by 30 September 2008).
HIRES_BY_THE_PERIODS_END = 76


# --- Definitions -------------------------------------------------------------------------


def test_every_definition_is_written():
    for definition in [*DEFINITIONS.values(), *BREAKDOWNS.values()]:
        assert definition.key.isascii() and definition.key == definition.key.lower()
        assert definition.label and definition.help.endswith((".", ")")), definition.key
        assert definition.unit in indicators.UNITS
    assert not set(DEFINITIONS) & set(BREAKDOWNS)


def test_the_french_documentation_carries_every_definition():
    text = (Path(settings.BASE_DIR) / "docs" / "indicateurs.md").read_text()
    for definition in [*DEFINITIONS.values(), *BREAKDOWNS.values()]:
        assert f"| `{definition.key}` | {definition.label} |" in text, definition.key
        assert definition.help in text, definition.key


@pytest.fixture
def period(basin):
    return PeriodFactory(basin=basin, start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))


def supported(basin, **kwargs):
    return DossierFactory(approved=True, pme__basin=basin, **kwargs)


def test_smes_and_jobs_count_the_approved_dossiers_decided_in_the_period(basin, period):
    micro = supported(basin, pme__headcount=4, jobs_planned=3, kind=DossierKind.TAKEOVER)
    HireFactory(dossier=micro)
    supported(basin, pme__headcount=120, jobs_planned=9)
    # Not counted: decided after the period, rejected, still open, another basin's.
    supported(basin, decision_date=D(2009, 1, 8), jobs_planned=50)
    DossierFactory(rejected=True, pme__basin=basin, jobs_planned=50)
    DossierFactory(submitted=True, pme__basin=basin, jobs_planned=50)
    DossierFactory(approved=True, jobs_planned=50)

    values = compute(Scope(basin, period)).values

    assert values["smes_supported"] == 2
    assert values["takeovers"] == 1
    assert values["smes_under_50_share"] == Decimal("50.00")
    assert values["jobs_planned"] == 12
    assert values["hires"] == 1
    assert values["jobs_per_sme"] == Decimal("6.0")
    assert values["realisation_rate"] == Decimal("8.33")
    assert values["jobs_target_progress"] == Decimal("3.00")  # 12 of 400
    # Two approved and one rejected in the period: two thirds approved.
    assert values["dossiers_decided"] == 3
    assert values["approval_rate"] == Decimal("66.67")


def test_a_sme_with_two_approved_dossiers_counts_once(basin, period):
    first = supported(basin, closed=True, jobs_planned=2)
    supported(basin, pme=first.pme, jobs_planned=4)
    values = compute(Scope(basin, period)).values
    assert values["smes_supported"] == 1
    assert values["jobs_planned"] == 6


def test_median_days_from_orientation_to_decision(basin, period):
    for days in (10, 20, 100):
        supported(
            basin,
            orientation_date=D(2007, 1, 1),
            decision_date=D(2007, 1, 1) + datetime.timedelta(days=days),
        )
    assert compute(Scope(basin, period)).values["median_days_to_decision"] == Decimal("20.0")


def test_rates_are_undefined_without_a_denominator(basin, period):
    values = compute(Scope(basin, period)).values
    assert values["smes_supported"] == 0
    for key in ("jobs_per_sme", "realisation_rate", "approval_rate", "cost_per_job"):
        assert values[key] is None, key
    assert values["median_days_to_decision"] is None
    assert format_value(None, "percent") == "—"


def test_breakdowns_keep_every_choice_in_order(basin, period):
    supported(basin, pme__naf_code="43.22A", orientation_source=OrientationSource.SPONTANEOUS)
    breakdowns = compute(Scope(basin, period)).breakdowns
    assert breakdowns["smes_by_size_band"] == [
        ("Moins de 10 salariés", 0),
        ("10 à 49 salariés", 1),
        ("50 à 249 salariés", 0),
    ]
    assert dict(breakdowns["smes_by_sector"])["Construction"] == 1
    assert dict(breakdowns["smes_by_source"])["Démarche spontanée"] == 1


def test_advances_of_the_period_come_from_the_advances_register(basin, period):
    AdvanceFactory(basin=basin, amount=Decimal("10000.00"), dossier__bank_loans=Decimal("30000"))
    later = D(2009, 2, 1)
    AdvanceFactory(
        basin=basin, amount=Decimal("5000.00"), decision_date=later, dossier__decision_date=later
    )
    values = compute(Scope(basin, period), today=TODAY).values
    assert values["advances_granted_count"] == 1
    assert values["advances_granted"] == Decimal("10000.00")
    assert values["leverage"] == Decimal("3.00")
    assert values["smes_with_advance_requested"] == 1  # the factory asks for 15,000 €


def test_budget_shares_and_cost_per_job(basin, period):
    corporation = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION, name="Alstom")
    epci = FunderFactory(basin=basin, kind=Funder.Kind.LOCAL_AUTHORITY, name="CA")
    state = FunderFactory(basin=basin, kind=Funder.Kind.STATE, name="Diact")
    ContributionFactory(funder=corporation, period=period, committed=Decimal("50000"))
    ContributionFactory(funder=epci, period=period, committed=Decimal("8000"))
    ContributionFactory(
        funder=state, period=period, committed=Decimal("42000"), paid=Decimal("1000")
    )
    for _ in range(4):
        HireFactory(dossier=supported(basin))

    figures = compute(Scope(basin, period))

    assert figures.values["budget_committed"] == Decimal("100000.00")
    assert figures.values["budget_paid"] == Decimal("1000.00")
    assert figures.values["corporations_budget_share"] == Decimal("50.00")
    assert figures.values["local_authorities_budget_share"] == Decimal("8.00")
    assert figures.values["cost_per_job"] == Decimal("25000.00")
    assert figures.breakdowns["budget_by_funder"][0] == ("Alstom", Decimal("50000.00"))
    assert dict(figures.breakdowns["budget_share_by_kind"])["État"] == Decimal("42.00")


def test_skills_days_and_value_by_corporation(basin, period):
    alstom = CorporationFactory(basin=basin, group_name="Alstom", site_name="")
    toyota = CorporationFactory(basin=basin, group_name="Toyota", site_name="")
    DailyRateFactory(corporation=alstom, rate=Decimal("600.00"))
    DailyRateFactory(corporation=toyota, rate=Decimal("650.00"))
    MembershipFactory(corporation=alstom, period=period)
    mission = SupportMissionFactory(corporation=alstom, running=True)
    DayLogFactory(mission=mission)
    DayLogFactory(mission=mission, date=mission.start_date + datetime.timedelta(days=1))
    DayLogFactory(mission=SupportMissionFactory(corporation=toyota, running=True), half=True)

    figures = compute(Scope(basin, period))
    assert figures.values["skills_days"] == Decimal("2.5")
    assert figures.values["skills_value"] == Decimal("1525.00")
    assert figures.values["partner_corporations"] == 1
    assert figures.breakdowns["skills_value_by_corporation"] == [
        ("Alstom", Decimal("1200.00")),
        ("Toyota", Decimal("325.00")),
    ]

    # A corporation funder's scope: its own missions only.
    own = compute(Scope(basin, period, corporation=toyota))
    assert own.values["skills_days"] == Decimal("0.5")
    assert own.breakdowns["skills_days_by_corporation"] == [("Toyota", Decimal("0.5"))]


def test_an_intercommunality_scope_counts_the_smes_of_its_territory(basin, period):
    here = EpciFactory(basin=basin)
    there = EpciFactory(basin=basin)
    supported(basin, pme__commune=CommuneFactory(epci=here), jobs_planned=5)
    supported(basin, pme__commune=CommuneFactory(epci=there), jobs_planned=8)
    ContributionFactory(funder=FunderFactory(basin=basin), period=period)

    territory = compute(Scope(basin, period, epci=here)).values
    assert territory["smes_supported"] == 1
    assert territory["jobs_planned"] == 5
    # The budget stays the programme's; its cost per job is not a territory's figure.
    assert territory["budget_committed"] == Decimal("45000.00")
    assert territory["cost_per_job"] is None
    assert compute(Scope(basin, period)).values["smes_supported"] == 2


def test_other_basins_pool_their_overlapping_periods(basin, other_basin, period):
    PeriodFactory(basin=other_basin)
    DossierFactory(approved=True, pme__basin=other_basin, jobs_planned=6)
    DossierFactory(approved=True, pme__basin=other_basin, jobs_planned=9)
    # Decided outside any period of its basin: not counted.
    DossierFactory(
        approved=True, pme__basin=other_basin, jobs_planned=90, decision_date=D(2012, 1, 1)
    )
    supported(basin, jobs_planned=100)
    others = other_basins(Scope(basin, period))
    assert others["smes_supported"] == 2
    assert others["jobs_per_sme"] == Decimal("7.5")


def test_compute_takes_the_same_number_of_queries_with_2_and_20_smes(basin, period):
    alstom = CorporationFactory(basin=basin)
    DailyRateFactory(corporation=alstom)
    ContributionFactory(funder=FunderFactory(basin=basin), period=period)

    def add(count):
        for _ in range(count):
            dossier = supported(basin)
            HireFactory(dossier=dossier)
            AdvanceFactory(basin=basin, dossier=DossierFactory(approved=True, pme__basin=basin))
            DayLogFactory(mission=SupportMissionFactory(corporation=alstom, dossier=dossier))

    def queries():
        with CaptureQueriesContext(connection) as captured:
            compute(Scope(basin, period), today=TODAY)
        return len(captured)

    add(2)
    few = queries()
    add(18)
    assert queries() == few
    assert compute(Scope(basin, period)).values["smes_supported"] == 40


# --- As of a day ---------------------------------------------------------------------------


def test_a_past_periods_figures_do_not_move_after_later_entries(basin, period, staff):
    """The period is over (30 June 2008): everything recorded later, dated after its end,
    leaves its figures as they were."""
    late = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=3)
    failing = AdvanceFactory(basin=basin, late=True)
    dossier = supported(basin, jobs_planned=5)
    HireFactory(dossier=dossier, hire_date=D(2008, 5, 2))
    before = compute(Scope(basin, period))
    assert before.as_of == D(2008, 6, 30)
    assert before.values["advances_repaid"] == Decimal("999.99")
    assert before.values["advances_outstanding"] == Decimal("19000.01")
    assert before.values["par90"] == Decimal("100.00")

    # Later: the SME pays everything back, another one is hired, an advance is written off,
    # and the dossier is withdrawn.
    record_payment(advance=late, paid_on=D(2010, 1, 4), amount=Decimal("9000.01"), by=staff)
    HireFactory(dossier=dossier, hire_date=D(2009, 3, 2))
    write_off = request_write_off(advance=failing, reason="Liquidation.", by=staff)
    approve_write_off(write_off=write_off, by=make_user(Role.MANAGER, basin), on=D(2009, 6, 30))
    DossierTransition.objects.create(
        dossier=dossier,
        transition="withdraw",
        from_state=DossierState.APPROVED,
        to_state=DossierState.WITHDRAWN,
        by=staff,
        at=timezone.make_aware(datetime.datetime(2009, 4, 1, 10)),
    )
    Dossier.objects.filter(pk=dossier.pk).update(state=DossierState.WITHDRAWN)

    after = compute(Scope(basin, period))
    assert after.values == before.values
    assert after.breakdowns == before.breakdowns
    # Read as of today, the same period shows what happened since.
    today = compute(Scope(basin, period), as_of=timezone.localdate()).values
    assert today["advances_outstanding"] == Decimal("0.00")  # one repaid, one written off
    assert today["advances_written_off_count"] == 1
    assert today["hires"] == 0  # the dossier was withdrawn


def test_a_dossier_counts_in_the_state_it_had_on_the_day(basin, period, staff):
    dossier = DossierFactory(submitted=True, pme__basin=basin)
    DossierTransition.objects.create(
        dossier=dossier,
        transition="approve",
        from_state=DossierState.SUBMITTED,
        to_state=DossierState.APPROVED,
        by=staff,
        at=timezone.make_aware(datetime.datetime(2007, 3, 15, 18)),
    )
    Dossier.objects.filter(pk=dossier.pk).update(
        state=DossierState.APPROVED, decision_date=D(2007, 3, 15)
    )
    assert compute(Scope(basin, period), as_of=D(2007, 3, 14)).values["smes_supported"] == 0
    on_the_day = compute(Scope(basin, period), as_of=D(2007, 3, 15))
    assert on_the_day.values["smes_supported"] == 1
    assert dict(on_the_day.breakdowns["dossiers_by_state"])["Agréé"] == 1


# --- Who reads what ----------------------------------------------------------------------


def test_scope_for_each_reader(basin, other_basin, period):
    other_period = PeriodFactory(basin=other_basin)
    epci = EpciFactory(basin=basin)
    territory_funder = FunderFactory(basin=basin, kind=Funder.Kind.LOCAL_AUTHORITY, epci=epci)
    corporation_funder = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION)
    corporation = CorporationFactory(basin=basin, funder=corporation_funder)

    for role in (Role.STAFF, Role.MANAGER, Role.STEERING):
        user = make_user(role, basin)
        assert scope_for(user, basin, period) == Scope(basin, period)
        with pytest.raises(Http404):
            scope_for(user, other_basin, other_period)
    admin = make_user(Role.ADMIN)
    assert scope_for(admin, other_basin, other_period) == Scope(other_basin, other_period)

    funder = make_user(Role.FUNDER, basin)
    funder.funder = territory_funder
    assert scope_for(funder, basin, period) == Scope(basin, period, epci=epci)
    funder.funder = corporation_funder
    assert scope_for(funder, basin, period) == Scope(basin, period, corporation=corporation)
    with pytest.raises(Http404):
        scope_for(funder, other_basin, other_period)

    for role in (Role.COMMITTEE_MEMBER, Role.COORDINATOR):
        with pytest.raises(Http404):
            scope_for(make_user(role, basin), basin, period)
    # A period of another basin is never read through this one.
    with pytest.raises(Http404):
        scope_for(admin, basin, other_period)


# --- The demo: the article's table -------------------------------------------------------
# Last in the module: the demo, loaded once, stays in the database until the module ends,
# and the tests above build their own small basins (with factory codes the demo may use).


@pytest.fixture(scope="module")
def demo(demo_output):
    """The demo, loaded once for the module then rolled back."""
    return demo_output


@pytest.fixture
def valenciennes(demo):
    basin = Basin.objects.get(slug="valenciennois")
    first, renewal = ProgrammePeriod.objects.filter(basin=basin).order_by("start_date")
    return {"basin": basin, "first": first, "renewal": renewal}


def test_the_article_figures_for_valenciennes_first_period(valenciennes):
    # The article took stock in the autumn of 2008 (the demo's `SNAPSHOT_DAY`).
    figures = compute(Scope(valenciennes["basin"], valenciennes["first"]), as_of=SNAPSHOT_DAY)
    values = figures.values
    assert figures.as_of == SNAPSHOT_DAY

    assert values["smes_supported"] == 27
    assert values["smes_under_50_share"] > 90
    assert values["takeovers"] == 3
    assert values["smes_with_advance_requested"] == 13
    assert values["jobs_planned"] == 349
    assert values["hires"] == 78
    assert values["jobs_per_sme"] == Decimal("12.9")
    assert format_value(values["jobs_per_sme"], "ratio") == "12,9"
    assert values["jobs_target"] == 400
    assert values["jobs_target_progress"] == Decimal("87.25")
    assert values["partner_corporations"] == 11
    # Intercommunalities about 8 %, corporations about half of the budget.
    assert Decimal("7.5") <= values["local_authorities_budget_share"] <= Decimal("8.5")
    assert Decimal("45") <= values["corporations_budget_share"] <= Decimal("55")
    # The three intercommunalities of the article, and the breakdowns add up.
    assert len(figures.breakdowns["smes_by_epci"]) == 3
    for key in ("smes_by_size_band", "smes_by_sector", "smes_by_kind", "smes_by_source"):
        assert sum(count for _, count in figures.breakdowns[key]) == 27, key
    assert dict(figures.breakdowns["smes_by_kind"])["Reprise-transmission"] == 3


def test_the_first_period_stands_at_its_end(valenciennes):
    """By default a period over is read as of its last day: its 27 SMEs and 349 jobs were
    all approved by then; the hires made since (the article's 78 by the autumn) are not."""
    figures = compute(Scope(valenciennes["basin"], valenciennes["first"]))
    assert figures.as_of == D(2008, 6, 30)
    assert (figures.values["smes_supported"], figures.values["jobs_planned"]) == (27, 349)
    assert figures.values["hires"] == HIRES_BY_THE_PERIODS_END


def test_the_comparison_basin_has_seven_jobs_per_sme(valenciennes):
    comparison = Basin.objects.exclude(pk=valenciennes["basin"].pk).get()
    first = ProgrammePeriod.objects.filter(basin=comparison).order_by("start_date").first()
    assert compute(Scope(comparison, first)).values["jobs_per_sme"] == Decimal("7.0")
    others = other_basins(Scope(valenciennes["basin"], valenciennes["first"]))
    assert format_value(others["jobs_per_sme"], "ratio") == "7"


def test_the_renewal_compares_with_the_first_period(valenciennes):
    assert previous_period(valenciennes["renewal"]) == valenciennes["first"]
    assert previous_period(valenciennes["first"]) is None


def test_the_demo_advances_register_holds_the_13_valenciennes_advances(valenciennes):
    values = compute(Scope(valenciennes["basin"], valenciennes["first"])).values

    assert values["advances_granted_count"] == 13
    assert values["advances_granted"] <= 13 * Decimal("15000.00")
    assert values["advances_disbursed_count"] == 13
    assert values["advances_outstanding"] > 0
    # At the period's end (30 June 2008) nothing was written off yet, nor late.
    assert values["advances_written_off_count"] == 0
    assert values["par30"] == 0
    # Today: Thermolaquage de l'Abbaye is written off (2009), and the one late advance
    # stopped paying long ago: it is at risk beyond 90 days.
    today = compute(
        Scope(valenciennes["basin"], valenciennes["first"]), as_of=timezone.localdate()
    ).values
    assert today["advances_written_off_count"] == 1
    assert today["par90"] == Decimal("100.00")


def test_a_programme_over_opens_on_its_last_period_that_supported_smes(valenciennes):
    # The demo's periods are over (2005–2011): the renewal, which supported SMEs too.
    assert default_period(valenciennes["basin"]) == valenciennes["renewal"]
    figures = compute(Scope(valenciennes["basin"], valenciennes["renewal"]))
    assert figures.values["smes_supported"] == 5
    assert figures.values["advances_granted_count"] == 3
    assert figures.values["hires"] > 0 and figures.values["skills_days"] > 0
    # During a period, that period, even before its first approval.
    in_renewal = valenciennes["renewal"].start_date + datetime.timedelta(days=10)
    assert default_period(valenciennes["basin"], in_renewal) == valenciennes["renewal"]
