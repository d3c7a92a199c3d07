"""The committees' PDF documents: the pack sent with the convocation, the minutes
(procès-verbal) and the decision letter to the SME.

Each builder reads the database a fixed number of times, however many dossiers are on the
agenda, then renders auto-escaped HTML templates (`templates/comites/pdf/`) through
WeasyPrint, which fetches nothing from outside (`alize.pdf`).

The pack of an approval committee goes to its members: it holds each dossier's one-page
summary (`pme.pdf`), which shows the company and its project but none of the SME
contacts' personal details (name, email, phone), and the pack adds none either.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from django.template.loader import render_to_string
from django.utils import timezone, translation

from alize.pdf import html_to_pdf, refuse_fetch
from comites.models import AgendaItem, CommitteeMembership, Decision, Session
from comites.selectors import minutes_data
from comites.workflow import AttendanceStatus, DecisionOutcome
from pme.pdf import dossier_summaries, render_summary_html

PACK_TEMPLATE = "comites/pdf/pack.html"
MINUTES_TEMPLATE = "comites/pdf/minutes.html"
LETTER_TEMPLATE = "comites/pdf/decision_letter.html"


@dataclass(frozen=True)
class AgendaLine:
    """One dossier of the agenda, as the pack's table shows it."""

    order: int
    dossier_id: int
    pme_name: str
    commune: str
    kind_label: str
    jobs_planned: int
    advance_requested: Decimal
    corporations: list[str]


def _render(template: str, context: dict) -> str:
    with translation.override("fr"):
        return render_to_string(template, {**context, "generated_at": timezone.localtime()})


def _to_pdf(pages: list[str]) -> bytes:
    """One PDF from several self-contained HTML pages, each keeping its own page style
    (the dossier summaries keep their header and footer)."""
    if len(pages) == 1:
        return html_to_pdf(pages[0])
    import weasyprint  # as in `alize.pdf`: loaded only when a PDF is built

    documents = [
        weasyprint.HTML(string=page, base_url=None, url_fetcher=refuse_fetch).render()
        for page in pages
    ]
    all_pages = [page for document in documents for page in document.pages]
    return documents[0].copy(all_pages).write_pdf()


def _session(session: Session) -> Session:
    return Session.objects.select_related("committee__basin", "first_convocation").get(
        pk=session.pk
    )


def _chair(committee_id: int, day: datetime.date) -> CommitteeMembership | None:
    return (
        CommitteeMembership.objects.chairs()
        .active_on(day)
        .filter(committee_id=committee_id)
        .select_related("person")
        .first()
    )


def agenda_lines(session: Session) -> list[AgendaLine]:
    """The agenda in order (two queries, whatever its length)."""
    items = (
        AgendaItem.objects.filter(session=session)
        .select_related("dossier__pme__commune")
        .prefetch_related("proposed_corporations")
        .order_by("order")
    )
    return [
        AgendaLine(
            order=item.order,
            dossier_id=item.dossier_id,
            pme_name=item.dossier.pme.name,
            commune=item.dossier.pme.commune.name,
            kind_label=item.dossier.get_kind_display(),
            jobs_planned=item.dossier.jobs_planned,
            advance_requested=item.dossier.advance_requested,
            corporations=[str(c) for c in item.proposed_corporations.all()],
        )
        for item in items
    ]


# --- The steering committee's report: built by `pilotage`, which registers it -----------

SteeringReport = Callable[[Session], list[str]]
_steering_report: list[SteeringReport] = []


def register_steering_report(pages: SteeringReport) -> None:
    """Name the builder of the steering committee's report: the HTML pages its pack adds
    after the cover (`pilotage.steering.steering_report_pages`, registered when `pilotage`
    is ready). A second registration replaces the first."""
    _steering_report[:] = [pages]


def steering_report_pages(session: Session) -> list[str]:
    return _steering_report[0](session) if _steering_report else []


def build_pack_pdf(session: Session) -> bytes:
    """The committee pack: a cover (committee, basin, date, place or link, chair) and the
    agenda; for an approval committee, each dossier's one-page summary after it; for a
    steering committee, the report `pilotage` registered (`register_steering_report`)."""
    session = _session(session)
    committee = session.committee
    chair = _chair(committee.pk, session.day)
    lines = agenda_lines(session)
    report_pages = [] if committee.is_approval else steering_report_pages(session)
    cover = _render(
        PACK_TEMPLATE,
        {
            "session": session,
            "committee": committee,
            "basin": committee.basin,
            "chair": chair,
            "agenda": lines,
            "agenda_notes": [n.strip() for n in session.agenda_notes.splitlines() if n.strip()],
        },
    )
    summaries = dossier_summaries([line.dossier_id for line in lines]) if lines else []
    return _to_pdf([cover, *(render_summary_html(summary) for summary in summaries), *report_pages])


def build_minutes_pdf(session: Session) -> bytes:
    """The minutes (procès-verbal) of a session, from `comites.selectors.minutes_data`:
    attendance, quorum, each dossier's decision with its tally, recusals, proxies, a late
    convocation, amendments and the signature (or « projet non signé »)."""
    minutes = minutes_data(session)
    return html_to_pdf(
        _render(
            MINUTES_TEMPLATE,
            {
                "minutes": minutes,
                "basin": minutes.session.committee.basin,
                # Voting members only: the secretary neither votes nor counts.
                "present_count": minutes.count(AttendanceStatus.PRESENT),
                "remote_count": minutes.count(AttendanceStatus.REMOTE),
                "represented_count": minutes.count(AttendanceStatus.REPRESENTED),
                "absent_count": minutes.count(AttendanceStatus.ABSENT),
            },
        )
    )


def build_decision_letter_pdf(decision: Decision) -> bytes:
    """The letter telling the SME the committee's decision: approved with the support plan
    and the advance granted, deferred with what is missing, or rejected with the reason.

    Committee members may download it too: it names no SME contact (personal data)."""
    decision = (
        Decision.objects.select_related(
            "item__session__committee__basin",
            "item__dossier__pme__commune",
            "item__dossier__staff_member",
        )
        .prefetch_related("corporations")
        .get(pk=decision.pk)
    )
    session = decision.item.session
    dossier = decision.item.dossier
    return html_to_pdf(
        _render(
            LETTER_TEMPLATE,
            {
                "decision": decision,
                "session": session,
                "committee": session.committee,
                "basin": session.committee.basin,
                "dossier": dossier,
                "pme": dossier.pme,
                "chair": _chair(session.committee_id, session.day),
                "corporations": [str(c) for c in decision.corporations.all()],
                "approved": decision.outcome == DecisionOutcome.APPROVED,
                "deferred": decision.outcome == DecisionOutcome.DEFERRED,
                "rejected": decision.outcome == DecisionOutcome.REJECTED,
            },
        )
    )
