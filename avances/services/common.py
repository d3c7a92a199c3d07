"""What every writer of advances shares: who acts, the advance locked, amounts and dates
checked the same way."""

import datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.utils import timezone

from alize.formatting import french_date
from alize.services.common import lock_row
from avances import permissions
from avances.models import Advance, Frequency, Schedule
from avances.models.common import ZERO
from avances.schedule import CENT, terms_errors

FUTURE_DATE_MESSAGE = "La date ne peut pas être dans le futur."


def as_amount(value, *, field: str = "amount") -> Decimal:
    """A euro amount in cents from a Decimal or an int.

    Services take numbers, never text: what a user typed is read by the forms
    (`alize.forms.parse_euros`), a file by its reader. Floats are refused (they cannot hold
    cents exactly); so are fractions of a cent.
    """
    if value is None:
        raise ValidationError({field: "Indiquez un montant."})
    if isinstance(value, float | str) or not isinstance(value, Decimal | int):
        raise TypeError(f"amounts are Decimal, never {type(value).__name__}")
    amount = Decimal(value)
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(
            {field: "Un montant en euros compte au plus deux décimales (les centimes)."}
        )
    return amount.quantize(CENT)


def require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def require_operator(by, basin_id: int) -> None:
    require(
        permissions.can_manage_advances(by, basin_id),
        "Seul le personnel de l'opérateur du bassin gère ses avances.",
    )


def not_in_future(day: datetime.date | None, field: str) -> None:
    if day is None:
        raise ValidationError({field: "Indiquez la date."})
    if day > timezone.localdate():
        raise ValidationError({field: FUTURE_DATE_MESSAGE})


def check_terms(duration_months, grace_months, frequency: str) -> None:
    """Refuse terms out of range (see `avances.schedule.terms_errors`), by field."""
    if frequency not in Frequency.values:
        raise ValidationError({"frequency": "Périodicité inconnue."})
    errors = terms_errors(duration_months, grace_months, Frequency(frequency).months)
    if errors:
        raise ValidationError(errors)


def lock_advance(advance: Advance) -> Advance:
    """The advance, read again under a row lock (call after `lock_fund` when both)."""
    return lock_row(Advance, advance.pk, "basin", "dossier__pme")


def refuse_written_off(advance: Advance, what: str) -> None:
    if advance.written_off_on:
        raise ValidationError(
            f"Cette avance est passée en perte le {french_date(advance.written_off_on)} : {what}"
        )


def advance_totals(advance: Advance) -> tuple[Decimal, Decimal]:
    """(disbursed, repaid), reversed entries left out."""
    disbursed = advance.disbursements.not_reversed().aggregate(t=Sum("amount"))["t"] or ZERO
    repaid = advance.payments.not_reversed().aggregate(t=Sum("amount"))["t"] or ZERO
    return disbursed, repaid


def active_schedule(advance: Advance) -> Schedule | None:
    return Schedule.objects.filter(advance=advance, is_active=True).first()


def first_due_date(schedule: Schedule) -> datetime.date:
    return schedule.instalments.order_by("due_date", "number").values_list("due_date", flat=True)[0]
