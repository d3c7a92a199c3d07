"""The writes of the outbox (`alize.outbox`): claim a message, hand it to the mail server
once, and let staff settle a message whose hand-off was interrupted.

Each step commits on its own, so call these outside any transaction: the claim is
committed before the message goes out, the start of the hand-off too, and its end right
after the server accepted it.

While a message is being handed off its sender holds a PostgreSQL advisory lock on the
row (released by the server when the sender's connection ends, a killed worker's too): a
second sender waits for the first; finding the row « remise en cours » with the lock free
means its sender died during the hand-off, so the message may have left.
"""

import contextlib
import hashlib
import logging
import os
import signal
import smtplib
import socket
from email.utils import parseaddr
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import connection, transaction
from django.utils import timezone

from alize.outbox import Delivery, DeliveryState

logger = logging.getLogger(__name__)

# The first key of the advisory locks taken here (the second is the row's id).
LOCK_SPACE = 0x0A112E

# Errors after which the server may have accepted the message: never resent on their own.
AMBIGUOUS_ERRORS = (smtplib.SMTPServerDisconnected, TimeoutError)

INTERRUPTED = (
    "La remise au serveur de messagerie a commencé le {start} ({by}) sans que sa fin soit "
    "enregistrée : le message a pu partir. Il n'est pas renvoyé automatiquement."
)


class HandOffRefused(Exception):
    """The mail server did not take the message: nothing left, the claim stays."""


def kill_point(subject: str, stage: str) -> None:
    """Test only: the process kills itself (SIGKILL) the first time it reaches `stage` of
    sending `subject`, if settings.ALIZE_KILL_POINTS names it (tests/alize/
    test_outbox_worker.py). Does nothing otherwise."""
    points = settings.ALIZE_KILL_POINTS
    if not points or f"{subject}@{stage}" not in points.split(","):
        return
    mark = Path(settings.ALIZE_KILL_MARKS) / f"{subject}@{stage}".replace("/", "_")
    try:
        descriptor = os.open(mark, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return  # killed here once already: go on this time
    os.fsync(descriptor)
    os.close(descriptor)
    logger.warning("Test kill point %s@%s: SIGKILL", subject, stage)
    os.kill(os.getpid(), signal.SIGKILL)


def message_id(*, kind: str, key, recipient: str, period: str = "") -> str:
    """The Message-ID of the message of `kind` about `key` to `recipient` for `period`:
    always the same, whichever attempt sends it."""
    digest = hashlib.sha256(f"{kind}|{key}|{recipient.lower()}|{period}".encode()).hexdigest()
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "alize.local"
    return f"<alize.{kind}.{key}.{digest[:20]}@{domain}>"


@contextlib.contextmanager
def exclusive(space: int, number: int):
    """Hold a session-level advisory lock on (`space`, `number`) across transactions: a
    second holder waits; a dead holder's lock is released with its connection."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s, %s)", [space, number])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [space, number])


def subject_lock(kind: str, key) -> tuple[int, int]:
    """The advisory lock of one object sent (a report, a session's convocation…)."""
    digest = hashlib.sha256(f"{kind}|{key}".encode()).digest()
    return LOCK_SPACE + 1, int.from_bytes(digest[:4], "big", signed=True)


def claim(
    *, kind: str, key, recipients: list[str], period: str = "", subject: str = ""
) -> list[Delivery]:
    """Claim the message of `kind` about `key` for each recipient, committed at once: the
    rows already claimed (by an earlier attempt) are found, not claimed twice."""
    key = str(key)
    with transaction.atomic():
        deliveries = []
        for recipient in recipients:
            delivery, _ = Delivery.objects.get_or_create(
                kind=kind,
                key=key,
                recipient=recipient,
                defaults={
                    "period": period,
                    "subject": subject[:300],
                    "message_id": message_id(
                        kind=kind, key=key, recipient=recipient, period=period
                    ),
                },
            )
            deliveries.append(delivery)
    kill_point(f"{kind}-{key}", "claimed")
    return deliveries


def _sender() -> str:
    return f"{socket.gethostname()}, processus {os.getpid()}"


def _interrupted(delivery: Delivery) -> str:
    start = timezone.localtime(delivery.handoff_started_at)
    return INTERRUPTED.format(start=f"{start:%d/%m/%Y à %H:%M:%S}", by=delivery.handoff_by)


def hand_off(*, delivery: Delivery, message: EmailMessage) -> str:
    """Hand `message` to the mail server for the claimed `delivery`, at most once; the
    state the delivery ends in.

    Only a « réservé » delivery is handed off. One found « remise en cours » (its sender
    died during the hand-off) becomes « envoi à vérifier ». A refusal by the server
    (connection refused, an error reply) leaves it « réservé » and raises
    `HandOffRefused`'s cause, for the caller to retry; a connection lost while the server
    may already have taken the message makes it « envoi à vérifier ».
    """
    with exclusive(LOCK_SPACE, delivery.pk):
        with transaction.atomic():
            row = Delivery.objects.select_for_update().get(pk=delivery.pk)
            if row.state == DeliveryState.HANDING_OFF:
                row.state = DeliveryState.TO_VERIFY
                row.last_error = _interrupted(row)
                row.save(update_fields=["state", "last_error"])
                logger.warning("Delivery %s interrupted during its hand-off", row.pk)
                return row.state
            if row.state != DeliveryState.CLAIMED:
                return row.state
        message.extra_headers["Message-ID"] = row.message_id
        message.to = [row.recipient]
        with _open(message):
            with transaction.atomic():
                row.state = DeliveryState.HANDING_OFF
                row.attempts += 1
                row.handoff_started_at = timezone.now()
                row.handoff_by = _sender()[:200]
                row.save(update_fields=["state", "attempts", "handoff_started_at", "handoff_by"])
            try:
                if not message.send():
                    raise HandOffRefused("Le serveur de messagerie n'a pas pris le message.")
            except AMBIGUOUS_ERRORS as error:
                _settle(row, DeliveryState.TO_VERIFY, f"{_interrupted(row)} ({error!r})")
                return DeliveryState.TO_VERIFY
            except BaseException as error:
                # The server said no (or could not be reached): nothing left, retry later.
                if isinstance(error, Exception):
                    _settle(row, DeliveryState.CLAIMED, f"{error.__class__.__name__} : {error}")
                raise
        kill_point(f"{row.kind}-{row.key}", "handed_off")
        with transaction.atomic():
            Delivery.objects.filter(pk=row.pk).update(
                state=DeliveryState.HANDED_OFF, handed_off_at=timezone.now(), last_error=""
            )
        kill_point(f"{row.kind}-{row.key}", "recorded")
    return DeliveryState.HANDED_OFF


@contextlib.contextmanager
def _open(message: EmailMessage):
    """The connection to the mail server, opened before the hand-off starts: a server that
    cannot be reached refuses the message before anything is committed as leaving."""
    mail = message.get_connection()
    opened = mail.open()
    message.connection = mail
    try:
        yield
    finally:
        if opened:
            with contextlib.suppress(Exception):
                mail.close()


def _settle(row: Delivery, state: str, error: str) -> None:
    with transaction.atomic():
        Delivery.objects.filter(pk=row.pk).update(state=state, last_error=error[:2000])


def deliver(*, kind: str, key, message: EmailMessage, period: str = "") -> int:
    """Claim, then hand off, `message` to each of its recipients (one message each, with
    its own Message-ID); the number handed off by this call. A message already handed
    off, or awaiting staff, is not sent again."""
    lock = subject_lock(kind, key)
    with exclusive(*lock):
        deliveries = claim(
            kind=kind, key=key, recipients=list(message.to), period=period, subject=message.subject
        )
        sent = 0
        for delivery in deliveries:
            if delivery.state in (DeliveryState.CLAIMED, DeliveryState.HANDING_OFF):
                one = _copy(message)
                if hand_off(delivery=delivery, message=one) == DeliveryState.HANDED_OFF:
                    sent += 1
        return sent


def _copy(message: EmailMessage) -> EmailMessage:
    copy = EmailMessage(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email,
        to=list(message.to),
        headers=dict(message.extra_headers),
        attachments=list(message.attachments),
        connection=message.connection,
    )
    copy.content_subtype = message.content_subtype
    return copy


@transaction.atomic
def confirm_sent(*, deliveries, by) -> int:
    """Staff say the messages awaiting verification did leave: nothing is resent."""
    return _decide(deliveries, DeliveryState.CONFIRMED, by)


@transaction.atomic
def release_for_resend(*, deliveries, by) -> int:
    """Staff say the messages awaiting verification did not leave: the next attempt sends
    them again (with the same Message-ID)."""
    return _decide(deliveries, DeliveryState.CLAIMED, by)


def _decide(deliveries, state: str, by) -> int:
    rows = list(
        Delivery.objects.select_for_update()
        .filter(pk__in=[d.pk for d in deliveries])
        .order_by("pk")
    )
    if not rows or any(row.state != DeliveryState.TO_VERIFY for row in rows):
        raise ValidationError("Cet envoi n'est plus à vérifier : rechargez la page.")
    now = timezone.now()
    for row in rows:
        row.state = state
        row.confirmed_by = by
        row.confirmed_at = now
        if state == DeliveryState.CLAIMED:
            row.last_error = f"Renvoi décidé le {timezone.localtime(now):%d/%m/%Y à %H:%M}."
        row.save(update_fields=["state", "confirmed_by", "confirmed_at", "last_error"])
    return len(rows)
