"""Funders' periodic reports and the steering committee's programme report.

Two halves:
- building: `build_funder_report_pdf(report)` and `build_programme_report_pdf(basin, period)`
  turn the indicators of `pilotage.indicators` into an A4 PDF (HTML rendered by WeasyPrint
  through `alize.pdf`, charts as inline SVG from `pilotage.charts`). Each reads the database
  a fixed number of times, however many SMEs or missions the basin has.
- the report's life: `create_due_reports` (the daily run), `build_report`, `send_report`,
  `record_failure`, `request_report_now`. Each report is one row (unique per funder and
  period); building and sending lock that row, so a retried task, a duplicated message or a
  worker that died half-way never makes a second PDF nor a second email.
"""

import datetime
import logging
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation

from alize.models import Basin, Contribution, Funder, ProgrammePeriod, Role, User
from alize.pdf import html_to_pdf, pdf_filename
from pilotage import charts, indicators
from pilotage.models import (
    Frequency,
    Report,
    ReportStatus,
    ReportSubscription,
    last_complete_period,
    period_label,
    validate_recipients,
)

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


# --- Figures as a reader sees them ----------------------------------------------------


def _delta(current, previous, unit: str) -> str:
    if current is None or previous is None:
        return ""
    difference = Decimal(current) - Decimal(previous)
    if not difference:
        return "="
    sign = "+" if difference > 0 else "−"
    return f"{sign}\u00a0{indicators.format_value(abs(difference), unit)}"


@dataclass
class FigureRow:
    key: str
    label: str
    help: str
    value: str
    previous: str
    delta: str


def figure_rows(figures, previous=None, keys=None) -> list[FigureRow]:
    """One row per indicator (`keys`, else all in DEFINITIONS' order), with its value in the
    previous programme period."""
    rows = []
    for key in keys or indicators.DEFINITIONS:
        definition = indicators.DEFINITIONS[key]
        value = figures.values.get(key)
        before = previous.values.get(key) if previous is not None else None
        rows.append(
            FigureRow(
                key=key,
                label=definition.label,
                help=definition.help,
                value=indicators.format_value(value, definition.unit),
                previous=indicators.format_value(before, definition.unit)
                if previous is not None
                else "",
                delta=_delta(value, before, definition.unit),
            )
        )
    return rows


def breakdown_charts(figures, previous=None, previous_name: str = "") -> list[str]:
    """One bar chart (SVG markup) per breakdown that has something to show."""
    svgs = []
    for key, definition in indicators.BREAKDOWNS.items():
        series = figures.breakdowns.get(key) or []
        if not any(value for _, value in series):
            continue
        compare = previous.breakdowns.get(key) if previous is not None else None
        svgs.append(
            charts.bar_chart(
                definition.label,
                series,
                unit=definition.unit,
                compare=compare,
                names=("Cette période", previous_name or "Période précédente"),
            )
        )
    return svgs


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


def _render(template: str, context: dict) -> bytes:
    with translation.override("fr"):
        html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    return html_to_pdf(html)


# --- The funder's report ---------------------------------------------------------------


def funder_scope(funder: Funder, basin: Basin, period: ProgrammePeriod):
    """A funder's own part of the programme: its territory, or its corporation's missions."""
    corporation = getattr(funder, "corporation", None)
    if funder.epci_id is None and corporation is None:
        return None
    return indicators.Scope(basin, period, epci=funder.epci, corporation=corporation)


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
    return _render(FUNDER_TEMPLATE, context)


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
    with translation.override("fr"):
        return render_to_string(
            PROGRAMME_TEMPLATE, {**context, "generated_at": timezone.localtime()}
        )


# --- The life of a report ----------------------------------------------------------------


class RecipientsRefused(Exception):
    """No recipient, or a malformed address: retrying will not help; the report fails."""


def _enqueue(report: Report) -> None:
    """Hand the report to a worker once the row is committed.

    Without a broker the task runs right here (the demo): whatever goes wrong is already
    written on the report by the task, and must not break the page or the command that
    asked for it.
    """
    from pilotage.tasks import build_and_send_report

    def enqueue():
        try:
            build_and_send_report.delay(report.pk)
        except Exception:
            logger.exception("Report %s could not be handed to a worker", report.pk)

    transaction.on_commit(enqueue)


def steering_recipients(basin: Basin) -> list[str]:
    """The steering committee's members of the basin (the programme report's readers)."""
    return sorted(
        User.objects.filter(basins=basin, groups__name=Role.STEERING, is_active=True)
        .values_list("email", flat=True)
        .distinct()
    )


@transaction.atomic
def create_due_reports(*, today: datetime.date | None = None, enqueue: bool = True) -> list[Report]:
    """The daily run: for each active subscription, the report of the last complete period.

    Rows are got or created on their unique key, so running twice finds the same rows; each
    report not sent yet is (re-)enqueued (unless `enqueue` is false: the caller does it):
    the task itself skips what is already done.
    """
    today = today or timezone.localdate()
    due = []
    subscriptions = ReportSubscription.objects.active().select_related("funder__basin")
    for subscription in subscriptions:
        start, end = last_complete_period(subscription.frequency, today)
        funder = subscription.funder
        report, _ = Report.objects.get_or_create(
            funder=funder,
            period_start=start,
            period_end=end,
            defaults={"basin": funder.basin, "recipients": list(subscription.recipients)},
        )
        if report.status != ReportStatus.SENT:
            due.append(report)
            if enqueue:
                _enqueue(report)
    return due


@transaction.atomic
def save_subscription(*, subscription: ReportSubscription, by: User) -> ReportSubscription:
    """Save a funder's subscription (frequency, recipients, active), validated in full."""
    with pghistory.context(user=by.pk):
        if subscription.pk:
            ReportSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.full_clean()
        subscription.save()
    return subscription


@transaction.atomic
def request_report_now(*, by: User, funder: Funder | None = None, period=None) -> Report:
    """« Générer maintenant »: a funder's report of its last complete period, or the
    programme report of a basin's period; a failed report is given a fresh start."""
    if funder is not None:
        subscription = ReportSubscription.objects.filter(funder=funder).first()
        frequency = subscription.frequency if subscription else Frequency.QUARTERLY
        start, end = last_complete_period(frequency, timezone.localdate())
        report, _ = Report.objects.get_or_create(
            funder=funder,
            period_start=start,
            period_end=end,
            defaults={"basin": funder.basin},
        )
    else:
        report, _ = Report.objects.get_or_create(
            funder=None,
            basin=period.basin,
            period_start=period.start_date,
            period_end=period.end_date,
            defaults={"programme_period": period},
        )
    report = Report.objects.select_for_update().get(pk=report.pk)
    if report.status == ReportStatus.SENT:
        raise ValidationError("Ce rapport a déjà été envoyé : il est dans les archives.")
    if report.status == ReportStatus.FAILED:
        report.status = ReportStatus.BUILT if report.pdf else ReportStatus.PENDING
        report.attempts = 0
        report.last_error = ""
        report.save(update_fields=["status", "attempts", "last_error"])
    logger.info("Report %s requested by user %s", report.pk, by.pk)
    _enqueue(report)
    return report


def _recipients_of(report: Report) -> list[str]:
    if report.is_programme:
        return steering_recipients(report.basin)
    subscription = ReportSubscription.objects.filter(funder_id=report.funder_id).first()
    return list(subscription.recipients) if subscription else []


def _check_recipients(report: Report, addresses: list[str]) -> None:
    if not addresses and report.is_programme:
        raise RecipientsRefused(
            "Aucun destinataire : le comité de pilotage du bassin n'a aucun membre actif."
        )
    if not addresses:
        raise RecipientsRefused(
            "Aucun destinataire : renseignez les adresses dans l'abonnement du financeur."
        )
    try:
        validate_recipients(addresses)
    except ValidationError as error:
        raise RecipientsRefused(" ".join(error.messages)) from error


def build_report(*, report_id: int) -> Report:
    """Build the report's PDF once: a report already built keeps its PDF."""
    with transaction.atomic():
        report = Report.objects.select_for_update().get(pk=report_id)
        if report.status != ReportStatus.PENDING and report.pdf:
            return report
        if report.is_programme:
            period = report.programme_period or period_on(report.basin, report.period_end)
            today = min(timezone.localdate(), report.period_end)
            pdf = build_programme_report_pdf(report.basin, period, today=today)
            name = pdf_filename("rapport-programme", report.basin.name, report.period_label)
        else:
            report.programme_period = report.programme_period or period_on(
                report.basin, report.period_end
            )
            pdf = build_funder_report_pdf(report)
            name = pdf_filename("rapport", report.funder.name, report.period_label)
        report.pdf.save(name, ContentFile(pdf), save=False)
        report.status = ReportStatus.BUILT
        report.built_at = timezone.now()
        report.save(update_fields=["pdf", "status", "built_at", "programme_period"])
    return report


def send_report(*, report_id: int) -> bool:
    """Email the built report to its recipients, once. True when this call sent it.

    The row stays locked while the message goes out and is marked sent in the same
    transaction: a second task for the same report waits, then finds it sent.
    """
    with transaction.atomic():
        report = (
            Report.objects.select_for_update(of=("self",))
            .select_related("funder", "basin")
            .get(pk=report_id)
        )
        if report.status == ReportStatus.SENT:
            return False
        recipients = _recipients_of(report)
        _check_recipients(report, recipients)
        message = EmailMessage(
            subject=f"Alizé – {report.title} – {report.period_label}",
            body=render_to_string(
                "pilotage/reports/email_report.txt", {"report": report, "basin": report.basin}
            ),
            to=recipients,
            from_email=settings.DEFAULT_FROM_EMAIL,
        )
        with report.pdf.open("rb") as handle:
            message.attach(report.pdf.name.rsplit("/", 1)[-1], handle.read(), "application/pdf")
        message.send()
        report.status = ReportStatus.SENT
        report.sent_at = timezone.now()
        report.recipients = recipients
        report.attempts += 1
        report.last_error = ""
        report.save(update_fields=["status", "sent_at", "recipients", "attempts", "last_error"])
    return True


@transaction.atomic
def record_failure(*, report_id: int, error: str, final: bool) -> Report:
    """Count a failed attempt; after the last one, the report is failed with the reason."""
    report = Report.objects.select_for_update().get(pk=report_id)
    if report.status == ReportStatus.SENT:
        return report
    report.attempts += 1
    report.last_error = error[:2000]
    if final:
        report.status = ReportStatus.FAILED
    report.save(update_fields=["attempts", "last_error", "status"])
    return report
