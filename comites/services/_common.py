"""What the committee services share: refusals, locks, names and amounts in French."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery

from alize.formatting import euros
from alize.services.common import lock_row
from comites.models import AgendaItem, Attendance, CommitteeMembership, Session
from comites.rules import Quorum, compute_quorum


def check_fields(data: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unexpected {what} fields: {', '.join(sorted(unknown))}")


def require(allowed_and_reason: tuple[bool, str] | bool, reason: str = "") -> None:
    """Raise `PermissionDenied` with the predicate's French reason when it refuses."""
    if isinstance(allowed_and_reason, tuple):
        allowed, reason = allowed_and_reason
    else:
        allowed = allowed_and_reason
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def refuse(message: str, field: str | None = None):
    raise ValidationError({field: message} if field else message)


def lock_session(session: Session) -> Session:
    """The session's row, locked: attendance, agenda and status changes queue up here."""
    return lock_row(Session, session.pk, "committee__basin")


def lock_item(item: AgendaItem) -> AgendaItem:
    """The item's row, locked: its votes, opening, closing and decision queue up here."""
    return lock_row(AgendaItem, item.pk, "session__committee__basin", "dossier__pme")


def mandate_in_session(
    session: Session, membership: CommitteeMembership, *, field: str | None = None
) -> CommitteeMembership:
    """The membership, checked to be a mandate of this session's committee on its day."""
    if membership.committee_id != session.committee_id or not membership.is_active_on(session.day):
        refuse(
            f"{membership.person} ne siège pas à ce comité à la date de la séance "
            f"({session.day:%d/%m/%Y}).",
            field,
        )
    return membership


def money(value: Decimal) -> str:
    """15000 → « 15 000 € », 15000.01 → « 15 000,01 € »."""
    places = 0 if value == value.to_integral_value() else 2
    return euros(value, places)


def day(value) -> str:
    return f"{value:%d/%m/%Y}"


# --- Quorum ----------------------------------------------------------------------------


def voting_statuses(session) -> dict[int, str | None]:
    """Each voting member in office on the session's day → their attendance (None: no
    attendance recorded, i.e. absent). One query."""
    attendance = Attendance.objects.filter(session=session, membership=OuterRef("pk"))
    return dict(
        CommitteeMembership.objects.voting()
        .active_on(session.day)
        .filter(committee_id=session.committee_id)
        .annotate(attendance_status=Subquery(attendance.values("status")[:1]))
        .values_list("pk", "attendance_status")
    )


def item_quorum(item: AgendaItem) -> Quorum:
    """The quorum of one vote: recused members neither eligible nor counted; in a written
    consultation, counted on the members who voted."""
    session = item.session
    return compute_quorum(
        voting_statuses(session),
        numerator=session.quorum_numerator,
        denominator=session.quorum_denominator,
        recused=item.recusals.values_list("membership_id", flat=True),
        votes_cast=item.votes.count() if session.is_written else None,
    )
