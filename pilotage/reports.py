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


# --- The figures a report was built from -----------------------------------------------
# A built report keeps them (`Report.figures`, JSON, Decimals as strings): building its PDF
# again, years later, reads them instead of the database, so it says the same numbers.


def _dump(value):
    return str(value) if isinstance(value, Decimal) else value


def _load(value):
    # Every string a snapshot holds in a value's place is a Decimal written out.
    return Decimal(value) if isinstance(value, str) else value


def freeze(figures) -> dict | None:
    """The JSON snapshot of computed figures (None for none)."""
    if figures is None:
        return None
    return {
        "as_of": figures.as_of.isoformat() if figures.as_of else None,
        "values": {key: _dump(value) for key, value in figures.values.items()},
        "breakdowns": {
            key: [[label, _dump(value)] for label, value in rows]
            for key, rows in figures.breakdowns.items()
        },
    }


def thaw(data: dict | None, scope):
    """The figures of a snapshot (`freeze`), for `scope`."""
    if data is None:
        return None
    return indicators.Figures(
        scope=scope,
        values={key: _load(value) for key, value in data["values"].items()},
        breakdowns={
            key: [(label, _load(value)) for label, value in rows]
            for key, rows in data["breakdowns"].items()
        },
        as_of=datetime.date.fromisoformat(data["as_of"]) if data["as_of"] else None,
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
    """The funder's report of its period: key figures, charts, its own part, its money.

    Built from `report.figures` when the report has them; otherwise measured as of the
    report's period end, and the figures left on `report.figures` for the caller to save."""
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
        previous_period = indicators.previous_period(period)
        own = funder_scope(funder, basin, period)
        own = own if own.narrowed else None
        snapshot = report.figures
        if snapshot:
            figures = thaw(snapshot["programme"], scope)
            before = thaw(snapshot["previous"], indicators.Scope(basin, previous_period))
            own_figures = thaw(snapshot["own"], own)
            money = {key: _load(value) for key, value in snapshot["money"].items()}
        else:
            figures = indicators.compute(scope, today=report.period_end)
            before = (
                indicators.compute(
                    indicators.Scope(basin, previous_period), today=report.period_end
                )
                if previous_period
                else None
            )
            own_figures = indicators.compute(own, today=report.period_end) if own else None
            money = contribution_share(funder, period)
            report.figures = {
                "programme": freeze(figures),
                "previous": freeze(before),
                "own": freeze(own_figures),
                "money": {key: _dump(value) for key, value in money.items()},
            }
        others = money["committed"] - money["own_committed"]
        context.update(
            as_of=figures.as_of,
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


def build_programme_report_pdf(
    basin: Basin, period: ProgrammePeriod, *, today=None, report: Report | None = None
) -> bytes:
    """The programme report of a basin's period for the steering committee (sub-prefecture).

    Figures of the basin as of `today` (by default today, or the period's end once it is
    over) against the previous programme period, with the breakdowns as charts and the
    funders' contributions. With `report`, built from its figures when it has them, else
    the figures measured are left on `report.figures` for the caller to save.
    """
    return html_to_pdf(programme_report_html(basin, period, today=today, report=report))


def programme_report_html(
    basin: Basin, period: ProgrammePeriod, *, today=None, report: Report | None = None
) -> str:
    """The programme report as a self-contained HTML page (the steering committee's pack
    appends it to its cover: `pilotage.steering.steering_report_pages`)."""
    today = today or min(timezone.localdate(), period.end_date)
    previous_period = indicators.previous_period(period)
    snapshot = report.figures if report is not None else None
    if snapshot:
        figures = thaw(snapshot["programme"], indicators.Scope(basin, period))
        previous = thaw(snapshot["previous"], indicators.Scope(basin, previous_period))
        contributions = [
            Contribution(funder=Funder(name=name), committed=_load(committed), paid=_load(paid))
            for name, committed, paid in snapshot["contributions"]
        ]
    else:
        figures = indicators.compute(indicators.Scope(basin, period), today=today)
        previous = (
            indicators.compute(indicators.Scope(basin, previous_period))
            if previous_period
            else None
        )
        contributions = list(
            Contribution.objects.filter(period=period)
            .select_related("funder")
            .order_by("-committed", "funder__name")
        )
        if report is not None:
            report.figures = {
                "programme": freeze(figures),
                "previous": freeze(previous),
                "contributions": [
                    [c.funder.name, _dump(c.committed), _dump(c.paid)] for c in contributions
                ],
            }
    today = figures.as_of or today
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
