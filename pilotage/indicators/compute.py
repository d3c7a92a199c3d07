"""Measuring the indicators of a `Scope`, all in the database, family by family (SMEs and
jobs, the committee's pipeline, repayable advances, corporations' skills, the budget), in a
constant number of queries whatever the number of rows."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from alize.models import Contribution, Funder
from avances.models import Advance
from grandes_entreprises.models import Corporation, DayLog
from pilotage.indicators.definitions import BREAKDOWNS, DEFINITIONS
from pilotage.indicators.scope import Figures, Scope
from pme.models import (
    Dossier,
    DossierKind,
    DossierTransition,
    Hire,
    OrientationSource,
    SizeBand,
)
from pme.naf import Sector
from pme.workflow import DECIDED_STATES, SUPPORTED_STATES, DossierState

ZERO = Decimal("0.00")
MONEY = models.DecimalField(max_digits=14, decimal_places=2)
SMALL_BANDS = (SizeBand.UNDER_10.value, SizeBand.FROM_10_TO_49.value)
CORPORATION = "assignment__mission__corporation"

# --- SQL helpers -------------------------------------------------------------------------


class Median(models.Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5)), FILTER-able as any aggregate."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.FloatField()


class DaysBetween(models.Func):
    """`later - earlier` for two date columns: a number of days in PostgreSQL."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


def percent_of(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def ratio_of(part, whole, places: str = "0.01") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _choices(choices, counts: dict) -> list[tuple[str, int]]:
    """Every choice in its declared order, zero when absent, then any unknown value."""
    rows = [(label, counts.pop(value, 0)) for value, label in choices]
    return rows + [(str(value), count) for value, count in counts.items()]


def _grouped(queryset, field: str, count: str = "pme", distinct: bool = True):
    """`field` → how many (distinct SMEs by default) of `queryset`, as a values queryset."""
    return (
        queryset.order_by()
        .values(field)
        .annotate(n=Count(count, distinct=distinct))
        .values_list(field, "n")
    )


def _in_territory(queryset, scope: Scope, path: str = "pme__commune__epci"):
    return queryset.filter(**{path: scope.epci}) if scope.epci else queryset


# --- The families ------------------------------------------------------------------------


def end_of(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` (Europe/Paris): what was logged before it counts."""
    next_day = day + datetime.timedelta(days=1)
    return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))


def with_state_on(dossiers, day: datetime.date):
    """Annotate `state_then`: the dossier's state at the end of `day`, read from its
    transition log (the last move made by then; before its first logged move, the state
    it started from; a dossier with no log, its current state)."""
    moves = DossierTransition.objects.filter(dossier=OuterRef("pk"))
    last = moves.filter(at__lt=end_of(day)).order_by("-at", "-pk").values("to_state")[:1]
    first_after = moves.filter(at__gte=end_of(day)).order_by("at", "pk").values("from_state")[:1]
    return dossiers.annotate(state_then=Coalesce(Subquery(last), Subquery(first_after), F("state")))


def as_of_date(scope: Scope, as_of: datetime.date | None = None) -> datetime.date:
    """The day the figures stand at: the period's end once it is over, else today."""
    return as_of or min(timezone.localdate(), scope.period.end_date)


def supported_dossiers(scope: Scope, as_of: datetime.date | None = None):
    """The approved dossiers of the scope decided in its period: what the scheme counts,
    as the records stand at the end of `as_of` (see `as_of_date`): decided by then, and
    approved, under support or closed on that day."""
    period = scope.period
    as_of = as_of_date(scope, as_of)
    dossiers = with_state_on(
        Dossier.objects.for_basin(scope.basin).filter(
            decision_date__range=(period.start_date, min(period.end_date, as_of))
        ),
        as_of,
    ).filter(state_then__in=sorted(SUPPORTED_STATES))
    return _in_territory(dossiers, scope)


def _smes_and_jobs(scope: Scope, values: dict, breakdowns: dict, as_of: datetime.date) -> None:
    period = scope.period
    supported = supported_dossiers(scope, as_of)
    totals = supported.aggregate(
        smes=Count("pme", distinct=True),
        small=Count("pme", distinct=True, filter=Q(pme__size_band__in=SMALL_BANDS)),
        takeovers=Count("pme", distinct=True, filter=Q(kind=DossierKind.TAKEOVER)),
        with_advance=Count("pme", distinct=True, filter=Q(advance_requested__gt=0)),
        advance_requested=Coalesce(Sum("advance_requested"), ZERO, output_field=MONEY),
        jobs=Coalesce(Sum("jobs_planned"), 0),
    )
    hires = Hire.objects.filter(dossier__in=supported.values("pk"), hire_date__lte=as_of).count()
    smes, jobs = totals["smes"], totals["jobs"]
    values.update(
        smes_supported=smes,
        smes_under_50_share=percent_of(totals["small"], smes),
        takeovers=totals["takeovers"],
        smes_with_advance_requested=totals["with_advance"],
        advances_requested=totals["advance_requested"],
        jobs_planned=jobs,
        hires=hires,
        jobs_per_sme=ratio_of(jobs, smes, "0.1"),
        realisation_rate=percent_of(hires, jobs),
        jobs_target=period.target_jobs,
        jobs_target_progress=percent_of(jobs, period.target_jobs),
        hires_target_progress=percent_of(hires, period.target_jobs),
        smes_target=period.target_smes,
        smes_target_progress=percent_of(smes, period.target_smes),
    )
    for key, field, choices in (
        ("smes_by_size_band", "pme__size_band", SizeBand.choices),
        ("smes_by_sector", "pme__sector", Sector.choices),
        ("smes_by_kind", "kind", DossierKind.choices),
        ("smes_by_source", "orientation_source", OrientationSource.choices),
    ):
        breakdowns[key] = _choices(choices, dict(_grouped(supported, field)))
    epci = "pme__commune__epci__name"
    breakdowns["smes_by_epci"] = list(_grouped(supported, epci).order_by("-n", epci))


def _pipeline(scope: Scope, values: dict, breakdowns: dict, as_of: datetime.date) -> None:
    """The dossiers oriented and decided in the period (up to `as_of`), by their state on
    that day."""
    period = scope.period
    in_period = (period.start_date, min(period.end_date, as_of))
    dossiers = with_state_on(_in_territory(Dossier.objects.for_basin(scope.basin), scope), as_of)
    decided = Q(decision_date__range=in_period, state_then__in=sorted(DECIDED_STATES))
    pipeline = dossiers.aggregate(
        oriented=Count("pk", filter=Q(orientation_date__range=in_period)),
        decided=Count("pk", filter=decided),
        approved=Count(
            "pk",
            filter=Q(decision_date__range=in_period, state_then__in=sorted(SUPPORTED_STATES)),
        ),
        median=Median(DaysBetween(F("decision_date"), F("orientation_date")), filter=decided),
    )
    median = pipeline["median"]
    values.update(
        dossiers_oriented=pipeline["oriented"],
        dossiers_decided=pipeline["decided"],
        approval_rate=percent_of(pipeline["approved"], pipeline["decided"]),
        median_days_to_decision=(
            None if median is None else Decimal(str(median)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        ),
    )
    oriented = dossiers.filter(orientation_date__range=in_period)
    by_state = dict(_grouped(oriented, "state_then", "pk", distinct=False))
    breakdowns["dossiers_by_state"] = _choices(DossierState.choices, by_state)


ADVANCE_KEYS = (
    "advances_granted",
    "advances_disbursed",
    "advances_repaid",
    "advances_outstanding",
    "advances_written_off",
    "advances_granted_count",
    "advances_disbursed_count",
    "advances_written_off_count",
    "repayment_rate",
    "loss_rate",
    "par30",
    "par90",
    "leverage",
)


def _advances(scope: Scope, values: dict, as_of: datetime.date) -> None:
    """The repayable advances decided in the period (the fund's own figures, in one query),
    as the fund's records stand at the end of `as_of`."""
    period = scope.period
    advances = Advance.objects.filter(
        basin=scope.basin, decision_date__range=(period.start_date, min(period.end_date, as_of))
    )
    money = _in_territory(advances, scope, "dossier__pme__commune__epci").indicators(as_of)
    for key in ADVANCE_KEYS:  # the registry names them without the prefix
        values[key] = money[key.removeprefix("advances_")]


def _corporation_name(row) -> str:
    site = row[f"{CORPORATION}__site_name"]
    group = row[f"{CORPORATION}__group_name"]
    return f"{group} ({site})" if site else group


def _skills(scope: Scope, values: dict, breakdowns: dict, as_of: datetime.date) -> None:
    """The corporations and the skills they gave in the period (days logged up to `as_of`)."""
    period, basin = scope.period, scope.basin
    values["partner_corporations"] = (
        Corporation.objects.filter(basin=basin).members_of(period).distinct().count()
    )
    logs = DayLog.objects.filter(
        assignment__mission__corporation__basin=basin,
        date__range=(period.start_date, min(period.end_date, as_of)),
    )
    if scope.corporation:
        logs = logs.filter(assignment__mission__corporation=scope.corporation)
    logs = _in_territory(logs, scope, "assignment__mission__dossier__pme__commune__epci")
    per_corporation = list(
        logs.with_value()
        .order_by()
        .values(f"{CORPORATION}__group_name", f"{CORPORATION}__site_name")
        .annotate(
            days_total=Sum("days"),
            value_total=Coalesce(Sum("value"), ZERO, output_field=MONEY),
        )
        .order_by("-days_total", f"{CORPORATION}__group_name")
    )
    breakdowns["skills_days_by_corporation"] = [
        (_corporation_name(row), row["days_total"]) for row in per_corporation
    ]
    breakdowns["skills_value_by_corporation"] = sorted(
        ((_corporation_name(row), row["value_total"]) for row in per_corporation),
        key=lambda item: -item[1],
    )
    values["skills_days"] = sum((row["days_total"] for row in per_corporation), Decimal("0.0"))
    values["skills_value"] = sum((row["value_total"] for row in per_corporation), ZERO)


def _budget(scope: Scope, values: dict, breakdowns: dict) -> None:
    """The budget: always the whole programme's."""
    contributions = Contribution.objects.filter(period=scope.period)
    by_funder = list(
        contributions.order_by()
        .values("funder__name")
        .annotate(committed_total=Sum("committed"))
        .order_by("-committed_total", "funder__name")
        .values_list("funder__name", "committed_total")
    )
    by_kind = dict(
        contributions.order_by()
        .values("funder__kind")
        .annotate(committed_total=Sum("committed"), paid_total=Sum("paid"))
        .values_list("funder__kind", "committed_total")
    )
    paid = contributions.aggregate(total=Coalesce(Sum("paid"), ZERO, output_field=MONEY))
    committed = sum(by_kind.values(), ZERO)
    kinds = [(label, by_kind.get(value, ZERO)) for value, label in Funder.Kind.choices]
    breakdowns["budget_by_funder"] = by_funder
    breakdowns["budget_by_kind"] = [(label, amount) for label, amount in kinds if amount]
    breakdowns["budget_share_by_kind"] = [
        (label, percent_of(amount, committed)) for label, amount in kinds if amount
    ]
    values.update(
        budget_committed=committed,
        budget_paid=paid["total"],
        corporations_budget_share=percent_of(by_kind.get(Funder.Kind.CORPORATION.value), committed),
        local_authorities_budget_share=percent_of(
            by_kind.get(Funder.Kind.LOCAL_AUTHORITY.value), committed
        ),
        cost_per_job=None if scope.epci else ratio_of(committed, values["hires"]),
    )


def compute(
    scope: Scope, *, as_of: datetime.date | None = None, today: datetime.date | None = None
) -> Figures:
    """Measure every indicator and breakdown for `scope`, in a constant number of queries,
    as the records stand at the end of one day: `as_of` when given (any day), else the
    period's end once it is over, else today (`today`, when given, stands for the real
    today: the figures are then those of the earlier of it and the period's end).

    Everything is read as of that day: dossiers decided and their state then, hires and
    expert days dated up to it, tranches, repayments and write-offs dated up to it, the
    schedule version then in force and the days late then. A later entry never changes a
    past day's figures. (Contributions carry no date: the budget is the period's.)"""
    if as_of is None:
        as_of = min(today, scope.period.end_date) if today else as_of_date(scope)
    values: dict[str, Decimal | int | None] = {}
    breakdowns: dict[str, list[tuple[str, Decimal | int]]] = {}
    _smes_and_jobs(scope, values, breakdowns, as_of)
    _pipeline(scope, values, breakdowns, as_of)
    _advances(scope, values, as_of)
    _skills(scope, values, breakdowns, as_of)
    _budget(scope, values, breakdowns)
    assert set(values) == set(DEFINITIONS), set(values) ^ set(DEFINITIONS)
    assert set(breakdowns) == set(BREAKDOWNS), set(breakdowns) ^ set(BREAKDOWNS)
    return Figures(scope=scope, values=values, breakdowns=breakdowns, as_of=as_of)
