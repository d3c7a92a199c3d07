"""What the committee services share: refusals, locks, names and amounts in French."""

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from alize.formatting import euros
from comites.models import AgendaItem, CommitteeMembership, Session


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
    return (
        Session.objects.select_for_update(of=("self",))
        .select_related("committee__basin")
        .get(pk=session.pk)
    )


def lock_item(item: AgendaItem) -> AgendaItem:
    """The item's row, locked: its votes, opening, closing and decision queue up here."""
    return (
        AgendaItem.objects.select_for_update(of=("self",))
        .select_related("session__committee__basin", "dossier__pme")
        .get(pk=item.pk)
    )


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
