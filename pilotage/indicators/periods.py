"""The periods a dashboard reads (the default one, the previous one) and the other basins
it compares with."""

import datetime
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from alize.models import Basin, ProgrammePeriod
from pilotage.indicators.compute import percent_of, ratio_of
from pilotage.indicators.scope import Scope
from pme.models import Dossier, Hire

# The figures the dashboards compare with the other basins.
COMPARED = ("smes_supported", "jobs_planned", "hires", "jobs_per_sme", "realisation_rate")


def other_basins(scope: Scope) -> dict[str, Decimal | int | None]:
    """The `COMPARED` figures of all the other basins pooled ("7 jobs per SME elsewhere").

    Each other basin counts the dossiers it approved in its own periods that overlap the
    scope's period; two queries whatever the number of basins.
    """
    period = scope.period
    overlapping = ProgrammePeriod.objects.filter(
        basin=OuterRef("pme__commune__epci__basin"),
        start_date__lte=OuterRef("decision_date"),
        end_date__gte=OuterRef("decision_date"),
    ).filter(start_date__lte=period.end_date, end_date__gte=period.start_date)
    dossiers = (
        Dossier.objects.supported()
        .exclude(pme__commune__epci__basin=scope.basin)
        .filter(Exists(overlapping))
    )
    totals = dossiers.aggregate(
        smes=Count("pme", distinct=True), jobs=Coalesce(Sum("jobs_planned"), 0)
    )
    hires = Hire.objects.filter(dossier__in=dossiers).count()
    return {
        "smes_supported": totals["smes"],
        "jobs_planned": totals["jobs"],
        "hires": hires,
        "jobs_per_sme": ratio_of(totals["jobs"], totals["smes"], "0.1"),
        "realisation_rate": percent_of(hires, totals["jobs"]),
    }


def previous_period(period) -> ProgrammePeriod | None:
    """The period of the same basin that started last before this one, or None."""
    return (
        ProgrammePeriod.objects.filter(basin_id=period.basin_id, start_date__lt=period.start_date)
        .order_by("-start_date")
        .first()
    )


def default_period(basin: Basin, today: datetime.date | None = None) -> ProgrammePeriod | None:
    """The basin's period in force today; else the last one that started and supported an
    SME (a programme over, read for its results); else the last one that started; else the
    first."""
    today = today or timezone.localdate()
    periods = ProgrammePeriod.objects.filter(basin=basin)
    supported = (
        Dossier.objects.for_basin(basin)
        .supported()
        .filter(decision_date__gte=OuterRef("start_date"), decision_date__lte=OuterRef("end_date"))
    )
    started = periods.filter(start_date__lte=today).order_by("-start_date")
    return (
        periods.on(today).order_by("-start_date").first()
        or started.filter(Exists(supported)).first()
        or started.first()
        or periods.order_by("start_date").first()
    )
