"""Funders' periodic reports and the steering committee's programme report, as PDFs.

`build_funder_report_pdf(report)` and `build_programme_report_pdf(basin, period)` turn the
indicators of `pilotage.indicators` into an A4 PDF (HTML rendered by WeasyPrint through
`alize.pdf`, figures and charts presented by `pilotage.presenters`). Each reads the database
a fixed number of times, however many SMEs or missions the basin has. The report's life
(the daily run, building once, sending once) is `pilotage.services`'.
"""

import datetime
import logging
from decimal import Decimal

from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from alize.models import Basin, Contribution, Funder, ProgrammePeriod, Role, User
from alize.pdf import html_to_pdf
from pilotage import charts, indicators
from pilotage.models import Report, period_label
from pilotage.permissions import funder_scope
from pilotage.presenters import breakdown_charts, figure_rows

logger = logging.getLogger(__name__)

FUNDER_TEMPLATE = "pilotage/reports/pdf/funder_report.html"
PROGRAMME_TEMPLATE = "pilotage/reports/pdf/programme_report.html"
NO_DATA = "Aucune donnée pour cette période."
# What a funder's own part shows: its territory's SMEs and jobs, or its experts' days.
OWN_KEYS = (
    "smes_supported",
    "takeovers",
    "jobs_planned",
    "hires",
    "jobs_per_sme",
    "realisation_rate",
    "advances_granted_count",
    "advances_granted",
    "skills_days",
    "skills_value",
)


# The figures that say something happened (targets are set before anything happens).
ACTIVITY_KEYS = (
    "smes_supported",
    "dossiers_oriented",
    "dossiers_decided",
    "advances_granted_count",
    "skills_days",
    "budget_committed",
)


def is_empty(figures) -> bool:
    return not any(figures.values.get(key) for key in ACTIVITY_KEYS)


def period_on(basin: Basin, day: datetime.date) -> ProgrammePeriod | None:
    """The programme period in force on `day`, else the last one begun before it."""
    return (
        ProgrammePeriod.objects.filter(basin=basin, start_date__lte=day)
        .order_by("-start_date")
        .first()
    )


def render_html(template: str, context: dict) -> str:
    """A report's page, in French, stamped with the time it was made."""
    with translation.override("fr"):
        return render_to_string(template, {**context, "generated_at": timezone.localtime()})


# --- The funder's report ---------------------------------------------------------------


def contribution_share(funder: Funder, period: ProgrammePeriod) -> dict:
    """The funder's commitment and payments against the programme's totals, in one query."""
    totals = Contribution.objects.filter(period=period).aggregate(
        all_committed=Sum("committed"),
        all_paid=Sum("paid"),
        own_committed=Sum("committed", filter=Q(funder=funder)),
        own_paid=Sum("paid", filter=Q(funder=funder)),
    )
    committed = totals["all_committed"] or Decimal(0)
    own = totals["own_committed"] or Decimal(0)
    share = (own * 100 / committed).quantize(Decimal("0.1")) if committed else None
    return {
        "own_committed": own,
        "own_paid": totals["own_paid"] or Decimal(0),
        "committed": committed,
        "paid": totals["all_paid"] or Decimal(0),
        "share": share,
    }


def build_funder_report_pdf(report: Report) -> bytes:
    """The funder's report of its period: key figures, charts, its own part, its money."""
    funder = Funder.objects.select_related("basin", "epci", "corporation").get(pk=report.funder_id)
    basin = funder.basin
    period = report.programme_period or period_on(basin, report.period_end)
    context = {
        "report": report,
        "funder": funder,
        "basin": basin,
        "period": period,
        "period_label": period_label(report.period_start, report.period_end),
        "no_data": NO_DATA,
        "empty": True,
    }
    if period is not None:
        scope = indicators.Scope(basin, period)
        figures = indicators.compute(scope, today=report.period_end)
        previous_period = indicators.previous_period(period)
        before = (
            indicators.compute(indicators.Scope(basin, previous_period), today=report.period_end)
            if previous_period
            else None
        )
        own = funder_scope(funder, basin, period)
        own = own if own.narrowed else None
        own_figures = indicators.compute(own, today=report.period_end) if own else None
        money = contribution_share(funder, period)
        others = money["committed"] - money["own_committed"]
        context.update(
            empty=is_empty(figures) and not money["committed"],
            rows=figure_rows(figures, before),
            previous_period=previous_period,
            charts=breakdown_charts(
                figures, before, previous_period.name if previous_period else ""
            ),
            own_rows=figure_rows(own_figures, keys=_own_keys(own)) if own else [],
            own_empty=own is not None
            and not any(own_figures.values.get(key) for key in _own_keys(own)),
            own_label=_own_label(own),
            money=money,
            money_chart=charts.share_chart(
                "Part de la contribution dans le budget engagé",
                [(funder.name, money["own_committed"]), ("Autres financeurs", others)],
            )
            if money["committed"]
            else "",
        )
    return html_to_pdf(render_html(FUNDER_TEMPLATE, context))


def _own_keys(scope) -> tuple[str, ...]:
    # A corporation's scope narrows only its experts' days; a territory narrows the SMEs too.
    return OWN_KEYS if scope.epci else ("skills_days", "skills_value")


def _own_label(scope) -> str:
    if scope is None:
        return ""
    if scope.epci:
        return f"Les PME de votre territoire ({scope.epci.name})"
    return "Les missions d'appui de votre entreprise"


# --- The steering committee's programme report ------------------------------------------


def build_programme_report_pdf(basin: Basin, period: ProgrammePeriod, *, today=None) -> bytes:
    """The programme report of a basin's period for the steering committee (sub-prefecture).

    Figures of the basin as of `today` (by default today, or the period's end once it is
    over) against the previous programme period, with the breakdowns as charts and the
    funders' contributions.
    """
    return html_to_pdf(programme_report_html(basin, period, today=today))


def programme_report_html(basin: Basin, period: ProgrammePeriod, *, today=None) -> str:
    """The programme report as a self-contained HTML page (the steering committee's pack
    appends it to its cover: `pilotage.steering.steering_report_pages`)."""
    today = today or min(timezone.localdate(), period.end_date)
    figures = indicators.compute(indicators.Scope(basin, period), today=today)
    previous_period = indicators.previous_period(period)
    previous = (
        indicators.compute(indicators.Scope(basin, previous_period)) if previous_period else None
    )
    contributions = list(
        Contribution.objects.filter(period=period)
        .select_related("funder")
        .order_by("-committed", "funder__name")
    )
    total_committed = sum((c.committed for c in contributions), Decimal(0))
    total_paid = sum((c.paid for c in contributions), Decimal(0))
    context = {
        "basin": basin,
        "period": period,
        "today": today,
        "previous_period": previous_period,
        "rows": figure_rows(figures, previous),
        "charts": breakdown_charts(
            figures, previous, previous_period.name if previous_period else ""
        ),
        "empty": is_empty(figures) and not contributions,
        "no_data": NO_DATA,
        "contributions": contributions,
        "total_committed": total_committed,
        "total_paid": total_paid,
        "money_chart": charts.share_chart(
            "Répartition du budget engagé par financeur",
            [(c.funder.name, c.committed) for c in contributions],
        )
        if total_committed
        else "",
    }
    return render_html(PROGRAMME_TEMPLATE, context)


def steering_recipients(basin: Basin) -> list[str]:
    """The steering committee's members of the basin (the programme report's readers)."""
    return sorted(
        User.objects.filter(basins=basin, groups__name=Role.STEERING, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )
