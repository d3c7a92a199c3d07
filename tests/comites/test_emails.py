"""The convocation and the decision letter, as they leave: recipients, bodies, attachments,
sent once after the commit, never when the service refuses."""

import datetime
import logging
import smtplib
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.mail.backends import locmem

from alize.celery import app as celery_app
from alize.models import Delivery, DeliveryKind, DeliveryState
from comites import services, tasks
from comites.workflow import DecisionOutcome, VoteChoice
from pme.models import Need
from tests.comites.factories import (
    AgendaItemFactory,
    MembershipFactory,
    SessionFactory,
    in_days,
)
from tests.pme.factories import PmeContactFactory

pytestmark = pytest.mark.django_db


def parts(message) -> dict[str, object]:
    """The message's MIME parts by content type (the body is text/plain)."""
    return {
        part.get_content_type(): part
        for part in message.message().walk()
        if not part.is_multipart()
    }


@pytest.fixture
def draft(board):
    """A session in ten days, two dossiers on its agenda."""
    session = SessionFactory(committee=board.committee, starts_at=in_days(10))
    for order, name in enumerate(("Heuille Mécanique", "Transports Scarpe"), start=1):
        AgendaItemFactory(
            session=session,
            order=order,
            dossier__pme__name=name,
            proposed_corporations=[board.alstom.corporation],
        )
    return session


def members_emails(board) -> set[str]:
    return {m.person.email for m in (*board.voters, board.secretary)}


# --- The convocation ---------------------------------------------------------------------


def test_each_member_in_office_receives_the_convocation_once_the_session_is_convened(
    board, draft, staff, mailoutbox, django_capture_on_commit_callbacks
):
    # Neither a mandate ended before the session nor a member without an address is sent.
    MembershipFactory(committee=board.committee, end_date=datetime.date(2006, 6, 30))
    MembershipFactory(committee=board.committee, person__email="")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.convene_session(session=draft, by=staff)

    assert len(callbacks) == 1
    assert {message.to[0] for message in mailoutbox} == members_emails(board)
    assert all(len(message.to) == 1 for message in mailoutbox)
    message = next(m for m in mailoutbox if m.to == [board.chair.person.email])
    day = draft.starts_at.astimezone(datetime.UTC)
    assert message.subject.startswith(f"Convocation : {board.committee} – séance du ")
    assert f"Bonjour {board.chair.person}," in message.body
    assert draft.place in message.body
    assert "1. Heuille Mécanique" in message.body and "2. Transports Scarpe" in message.body
    assert str(board.alstom.corporation) in message.body

    attached = parts(message)
    assert set(attached) == {"text/plain", "application/pdf", "text/calendar"}
    pdf = attached["application/pdf"]
    assert pdf.get_filename().startswith("dossier-de-seance-comite-dagrement-")
    assert pdf.get_payload(decode=True).startswith(b"%PDF-")
    calendar = attached["text/calendar"]
    assert calendar.get_param("method") == "REQUEST"
    assert calendar.get_filename() == "invitation.ics"
    ics = calendar.get_payload(decode=True).decode()
    assert "METHOD:REQUEST" in ics
    assert f"DTSTART:{day:%Y%m%dT%H%M%S}Z" in ics
    assert f"UID:seance-{draft.pk}@alize" in ics
    assert "ORGANIZER;CN=" in ics
    # Each member's invitation names him alone: the others' addresses are not disclosed.
    unfolded = ics.replace("\r\n ", "")
    assert f"mailto:{board.chair.person.email}" in unfolded
    assert f"mailto:{board.alstom.person.email}" not in unfolded


def test_nothing_is_sent_before_the_commit(board, draft, staff, mailoutbox):
    services.convene_session(session=draft, by=staff)

    assert mailoutbox == []


def test_a_refused_convocation_sends_nothing(
    board, staff, mailoutbox, django_capture_on_commit_callbacks
):
    empty = SessionFactory(committee=board.committee, starts_at=in_days(10))

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError, match="Inscrivez au moins un dossier"),
    ):
        services.convene_session(session=empty, by=staff)

    assert callbacks == []
    assert mailoutbox == []


def test_a_refused_address_does_not_stop_the_others(
    board, draft, staff, mailoutbox, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    refused = board.members[2].person
    refused.email = "adresse-refusee@alize.test"
    refused.save()
    deliver = locmem.EmailBackend.send_messages

    def refuse_one(self, messages):
        if any(refused.email in message.to for message in messages):
            raise smtplib.SMTPRecipientsRefused({refused.email: (550, b"Unknown user")})
        return deliver(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", refuse_one)

    with (
        caplog.at_level(logging.ERROR, logger="comites.emails"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        services.convene_session(session=draft, by=staff)

    assert {message.to[0] for message in mailoutbox} == members_emails(board) - {refused.email}
    assert any(refused.email in record.getMessage() for record in caplog.records)


# --- The decision ------------------------------------------------------------------------


def voted(board, choice=VoteChoice.FOR, **dossier):
    board.everyone_present()
    item = board.item(
        proposed_corporations=[board.alstom.corporation],
        **{f"dossier__{name}": value for name, value in dossier.items()},
    )
    services.open_item(item=item, by=board.chair.person)
    for member in (board.chair, *board.members[1:]):
        services.cast_vote(item=item, member=member, choice=choice, by=member.person)
    return services.close_item(item=item, by=board.chair.person)


def test_the_decision_letter_goes_to_the_smes_contacts_and_the_staff_member(
    board, staff, mailoutbox, django_capture_on_commit_callbacks
):
    item = voted(board, staff_member=staff, pme__name="Heuille Mécanique")
    pme = item.dossier.pme
    manager_of_the_sme = PmeContactFactory(pme=pme, name="Marc Heuille")
    accountant = PmeContactFactory(pme=pme, name="Anne Comptable")
    PmeContactFactory(pme=pme, name="Sans Adresse", email="")

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.record_decision(
            item=item,
            outcome=DecisionOutcome.APPROVED,
            corporations=[board.alstom.corporation],
            domains=[Need.QUALITY],
            advance_granted=Decimal("12000"),
            by=board.secretary.person,
        )

    assert len(callbacks) == 1
    assert sorted(message.to[0] for message in mailoutbox) == sorted(
        [manager_of_the_sme.email, accountant.email, staff.email]
    )
    message = next(m for m in mailoutbox if m.to == [manager_of_the_sme.email])
    assert message.subject == "Décision du comité d'agrément : Heuille Mécanique – agréé"
    assert "Bonjour Marc Heuille," in message.body
    assert "Décision : Agréé, avec une avance remboursable de 12" in message.body
    assert f"Votre chargé(e) de mission, {staff}" in message.body
    copy = next(m for m in mailoutbox if m.to == [staff.email])
    assert "Pour information, voici la décision envoyée à Heuille Mécanique" in copy.body
    letter = parts(message)["application/pdf"]
    assert letter.get_filename().startswith("decision-comite-heuille-mecanique-")
    assert letter.get_payload(decode=True).startswith(b"%PDF-")


def test_a_refused_decision_sends_no_letter(board, mailoutbox, django_capture_on_commit_callbacks):
    item = voted(board)
    PmeContactFactory(pme=item.dossier.pme)

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(ValidationError),
    ):
        services.record_decision(
            item=item,
            outcome=DecisionOutcome.APPROVED,
            corporations=[],
            domains=[Need.QUALITY],
            by=board.secretary.person,
        )

    assert callbacks == []
    assert mailoutbox == []


# --- At most once: the outbox ------------------------------------------------------------


@pytest.fixture
def eager_retries():
    """In-process tasks retry at once, as a worker would after the backoff."""
    propagates = celery_app.conf.task_eager_propagates
    celery_app.conf.task_eager_propagates = False
    yield
    celery_app.conf.task_eager_propagates = propagates


def test_a_convocation_task_run_twice_sends_each_member_one_message(
    board, draft, staff, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.convene_session(session=draft, by=staff)
    first = len(mailoutbox)
    assert {m.to[0] for m in mailoutbox} == members_emails(board)

    assert tasks.send_convocation.delay(draft.pk).get() == 0
    assert len(mailoutbox) == first
    deliveries = Delivery.objects.filter(kind=DeliveryKind.CONVOCATION)
    assert deliveries.count() == first
    assert set(deliveries.values_list("state", flat=True)) == {DeliveryState.HANDED_OFF}
    assert len({m.extra_headers["Message-ID"] for m in mailoutbox}) == first


def test_a_passing_failure_is_retried_for_the_messages_that_did_not_leave(
    board, draft, staff, mailoutbox, monkeypatch, django_capture_on_commit_callbacks, eager_retries
):
    deliver = locmem.EmailBackend.send_messages
    calls = []

    def fail_the_second(self, messages):
        calls.append(messages[0].to[0])
        if len(calls) == 2:
            raise ConnectionResetError("ligne coupée")
        return deliver(self, messages)

    monkeypatch.setattr(locmem.EmailBackend, "send_messages", fail_the_second)
    with django_capture_on_commit_callbacks(execute=True):
        services.convene_session(session=draft, by=staff)

    # The task retried (at once, in-process): the member whose message failed got it on
    # the retry, nobody got two.
    received = [m.to[0] for m in mailoutbox]
    assert sorted(received) == sorted(members_emails(board))
    assert calls.count(calls[1]) == 2
    assert len(calls) == len(received) + 1
