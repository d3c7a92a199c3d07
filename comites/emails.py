"""The committees' emails: the convocation (with the pack and an `.ics` invitation) and
the decision letter sent to the SME.

Both are sent by a Celery task once the transaction that caused them commits
(`convene_session`, `record_decision`: `transaction.on_commit`, `comites.tasks`). Each
recipient gets his own message, claimed in the outbox (`alize.services.outbox`) before it
leaves, so that a retried task sends no one a second copy, and an address the mail
server refuses costs that message only: it is logged and the others still leave. The
bodies are plain-text templates in `templates/comites/email/`.
"""

import contextlib
import logging
import smtplib
from dataclasses import dataclass
from email.mime.base import MIMEBase
from email.mime.text import MIMEText
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import timezone, translation

from alize.models import DeliveryKind
from alize.pdf import pdf_filename
from alize.services import outbox
from comites.ics import Person, build_ics, session_invitation
from comites.models import CommitteeMembership, Decision, Session
from comites.pdf import agenda_lines, build_decision_letter_pdf, build_pack_pdf
from comites.workflow import DecisionOutcome

logger = logging.getLogger(__name__)

CALENDAR_FILENAME = "invitation.ics"


@dataclass(frozen=True)
class Recipient:
    name: str
    email: str
    # The staff member in charge gets the SME's letter for information.
    for_information: bool = False


def _render(template: str, context: dict) -> str:
    with translation.override("fr"):
        return render_to_string(template, context).strip() + "\n"


def _calendar_part(ics: str) -> MIMEBase:
    """The invitation as `text/calendar; method=REQUEST`, which calendars offer to accept
    (Django's `attach` cannot set the `method` parameter)."""
    part = MIMEText(ics, "calendar", "utf-8")
    part.set_param("method", "REQUEST")
    part.add_header("Content-Disposition", "attachment", filename=CALENDAR_FILENAME)
    return part


class SendingIncomplete(Exception):
    """Some messages could not be handed to the mail server for a passing reason: the task
    retries them (those that left are not sent again)."""


def _send_each(
    messages: list[tuple[Recipient, EmailMessage]], what: str, *, kind: str, key, period: str
) -> int:
    """Send each message on one connection, through the outbox (each at most once: a
    message already handed off, or awaiting verification, is not sent again); a failure
    is logged and the others go on. Returns how many left now; raises
    `SendingIncomplete` at the end if one failed for a reason that may pass."""
    sent = 0
    connection = get_connection()
    try:
        connection.open()
    except Exception as error:
        logger.exception("Could not open the mail connection for the %s.", what)
        raise SendingIncomplete(f"{what}: {error}") from error
    passing = []
    try:
        for recipient, message in messages:
            message.connection = connection
            try:
                sent += outbox.deliver(kind=kind, key=key, message=message, period=period)
            except Exception as error:  # one refused address must not stop the others
                logger.exception("The %s to %s could not be sent.", what, recipient.email)
                if not isinstance(error, smtplib.SMTPRecipientsRefused):
                    passing.append(recipient.email)
                # The server may have dropped the line: the next message opens a new one.
                with contextlib.suppress(Exception):
                    connection.close()
    finally:
        with contextlib.suppress(Exception):
            connection.close()
    if passing:
        raise SendingIncomplete(f"{what} not sent to {', '.join(passing)}")
    return sent


def _organizer(session: Session) -> Person:
    basin = session.committee.basin
    return Person(
        name=basin.operator_name or "Alizé", email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1]
    )


def convocation_recipients(session: Session) -> list[Recipient]:
    """The committee's members with a mandate on the session's day and an email address
    (the secretary included), each address once."""
    memberships = (
        CommitteeMembership.objects.active_on(session.day)
        .filter(committee_id=session.committee_id)
        .exclude(person__email="")
        .select_related("person")
        .order_by("role", "person__last_name", "person__first_name", "pk")
    )
    recipients, seen = [], set()
    for membership in memberships:
        email = membership.person.email.strip()
        if email.lower() not in seen:
            seen.add(email.lower())
            recipients.append(Recipient(name=str(membership.person), email=email))
    return recipients


def send_convocation(session: Session) -> int:
    """Email the convocation to each member of the committee in office on the session's
    day: date, place or link and agenda in the body; the pack (PDF) and an `.ics`
    invitation attached. Returns the number of messages sent."""
    session = Session.objects.select_related("committee__basin").get(pk=session.pk)
    recipients = convocation_recipients(session)
    if not recipients:
        logger.warning("Session %s convened with no member to email.", session.pk)
        return 0
    committee = session.committee
    lines = agenda_lines(session)
    pack = build_pack_pdf(session)
    starts_at = timezone.localtime(session.starts_at)
    filename = pdf_filename(
        "dossier-de-seance", committee.get_kind_display(), f"{starts_at:%Y-%m-%d}"
    )
    agenda = [f"{line.pme_name} ({line.kind_label.lower()})" for line in lines]
    notes = [note.strip() for note in session.agenda_notes.splitlines() if note.strip()]
    subject = f"Convocation : {committee} – séance du {starts_at:%d/%m/%Y à %Hh%M}"
    stamp = timezone.now()
    organizer = _organizer(session)
    messages = []
    for recipient in recipients:
        body = _render(
            "comites/email/convocation.txt",
            {
                "recipient": recipient,
                "session": session,
                "committee": committee,
                "basin": committee.basin,
                "agenda": lines,
                "agenda_notes": notes,
                "pack_filename": filename,
            },
        )
        invitation = session_invitation(
            session,
            stamp=stamp,
            agenda=agenda,
            organizer=organizer,
            attendees=[Person(name=recipient.name, email=recipient.email)],
        )
        message = EmailMessage(subject=subject, body=body, to=[recipient.email])
        message.attach(filename, pack, "application/pdf")
        message.attach(_calendar_part(build_ics(invitation)))
        messages.append((recipient, message))
    return _send_each(
        messages,
        "convocation",
        kind=DeliveryKind.CONVOCATION,
        # Convened again for another time (a new date), the session is convened anew.
        key=f"{session.pk}-{starts_at:%Y%m%d%H%M}",
        period=f"{starts_at:%Y-%m-%d}",
    )


def decision_recipients(decision: Decision) -> list[Recipient]:
    """The SME's contacts with an email address, then the staff member in charge of the
    dossier, each address once."""
    dossier = decision.item.dossier
    people = [Recipient(name=c.name, email=c.email.strip()) for c in dossier.pme.contacts.all()]
    staff = dossier.staff_member
    if staff is not None:
        people.append(Recipient(name=str(staff), email=staff.email.strip(), for_information=True))
    recipients, seen = [], set()
    for person in people:
        if person.email and person.email.lower() not in seen:
            seen.add(person.email.lower())
            recipients.append(person)
    return recipients


def send_decision(decision: Decision) -> int:
    """Email the decision letter (PDF) to the SME's contacts and to the staff member in
    charge of the dossier. Returns the number of messages sent."""
    decision = (
        Decision.objects.select_related(
            "item__session__committee__basin", "item__dossier__pme", "item__dossier__staff_member"
        )
        .prefetch_related("item__dossier__pme__contacts")
        .get(pk=decision.pk)
    )
    recipients = decision_recipients(decision)
    dossier = decision.item.dossier
    if not recipients:
        logger.warning("Decision %s: no email address to send the letter to.", decision.pk)
        return 0
    letter = build_decision_letter_pdf(decision)
    session = decision.item.session
    filename = pdf_filename(
        "decision-comite", dossier.pme.name, f"{decision.decision_date:%Y-%m-%d}"
    )
    subject = (
        f"Décision du {session.committee.get_kind_display().lower()} : {dossier.pme.name} – "
        f"{decision.get_outcome_display().lower()}"
    )
    messages = []
    for recipient in recipients:
        body = _render(
            "comites/email/decision.txt",
            {
                "recipient": recipient,
                "decision": decision,
                "approved": decision.outcome == DecisionOutcome.APPROVED,
                "dossier": dossier,
                "pme": dossier.pme,
                "session": session,
                "committee": session.committee,
                "basin": session.committee.basin,
                "letter_filename": filename,
            },
        )
        message = EmailMessage(subject=subject, body=body, to=[recipient.email])
        message.attach(filename, letter, "application/pdf")
        messages.append((recipient, message))
    return _send_each(
        messages,
        "decision letter",
        kind=DeliveryKind.DECISION,
        key=decision.pk,
        period=f"{decision.decision_date:%Y-%m-%d}",
    )
