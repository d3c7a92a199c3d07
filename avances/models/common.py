"""What the models of the advances app share: money, frequencies, messages, SQL helpers."""

from decimal import Decimal

import pgtrigger
from django.db import models
from django.db.models import Q
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import Exact

from alize.constraints import in_range, positive
from alize.modelkit import author, check, grouped_sum
from alize.models import MONEY
from alize.triggers import final_once_set, never_deleted
from avances.schedule import (
    DURATION_MESSAGE,
    GRACE_MESSAGE,
    GRACE_WITHIN_DURATION_MESSAGE,
    MAX_DURATION_MONTHS,
    MAX_GRACE_MONTHS,
    QUARTERS_MESSAGE,
)

ZERO = Decimal("0.00")
POSITIVE_AMOUNT_MESSAGE = "Le montant doit être strictement positif."
# An annual rate in percent with three decimals: 4.780 %.
RATE = {"max_digits": 6, "decimal_places": 3}
DEFAULT_DURATION_MONTHS = 36
DEFAULT_GRACE_MONTHS = 6


class Frequency(models.TextChoices):
    MONTHLY = "mensuelle", "Mensuelle"
    QUARTERLY = "trimestrielle", "Trimestrielle"

    @property
    def months(self) -> int:
        return 3 if self is Frequency.QUARTERLY else 1


def terms_constraints(prefix: str, duration: str, grace: str, frequency: str) -> list:
    """The database's side of `avances.schedule.terms_errors`, for any model with terms."""
    return [
        in_range(duration, 1, MAX_DURATION_MONTHS, f"{prefix}_duration_range", DURATION_MESSAGE),
        in_range(grace, 0, MAX_GRACE_MONTHS, f"{prefix}_grace_range", GRACE_MESSAGE),
        check(
            Q(**{f"{grace}__lt": models.F(duration)}),
            f"{prefix}_grace_within_duration",
            GRACE_WITHIN_DURATION_MESSAGE,
        ),
        check(
            Q(**{frequency: Frequency.MONTHLY})
            | Q(
                Exact(Mod(models.F(duration) - models.F(grace), 3), 0),
                **{frequency: Frequency.QUARTERLY},
            ),
            f"{prefix}_whole_periods",
            QUARTERS_MESSAGE,
        ),
    ]


def sum_of(queryset, column: str, group_by: str):
    """SUM(column) of a correlated queryset as a scalar subquery, 0.00 when it has no rows."""
    money = models.DecimalField(**MONEY)
    return Coalesce(
        grouped_sum(queryset, group_by, column, output_field=money), ZERO, output_field=money
    )


class DaysBetween(models.Func):
    """later − earlier in whole days: PostgreSQL subtracts two dates into an integer."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


class ReversibleEntryQuerySet(models.QuerySet):
    def not_reversed(self):
        """The entries that count: a reversed one is kept only as a trace."""
        return self.filter(reversed_at__isnull=True)

    def reversed(self):
        return self.filter(reversed_at__isnull=False)


class ReversibleEntry(models.Model):
    """A money entry (a tranche, a payment) never changed nor deleted: one recorded by
    mistake is marked reversed once (who, when, why) and then counts no more. The concrete
    model adds `reversed_by` (`reversed_by_field`), `reversible_entry_checks` and
    `reversible_triggers` to its Meta; its queryset builds on `ReversibleEntryQuerySet`."""

    reversed_at = models.DateTimeField("annulé le", null=True, blank=True, editable=False)
    reversal_reason = models.TextField("motif de l'annulation", blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


def reversed_by_field(related_name: str) -> models.ForeignKey:
    return author("annulé par", related_name, null=True, blank=True, editable=False)


def reversible_entry_checks(prefix: str, noun: str) -> list[models.CheckConstraint]:
    """An entry's amount is positive; it is reversed entirely (who, when, why) or not at
    all."""
    return [
        positive("amount", f"{prefix}_amount_positive", POSITIVE_AMOUNT_MESSAGE),
        check(
            Q(reversed_at__isnull=True, reversed_by__isnull=True, reversal_reason="")
            | (Q(reversed_at__isnull=False, reversed_by__isnull=False) & ~Q(reversal_reason="")),
            f"{prefix}_reversal_complete",
            f"Une annulation de {noun} indique qui l'a faite, quand, et pourquoi.",
        ),
    ]


def reversible_triggers(prefix: str, record_fields: list[str]) -> list:
    """What an entry was recorded with never changes; it is never deleted; once reversed,
    it never changes again."""
    return [
        pgtrigger.ReadOnly(name=f"{prefix}_record_read_only", fields=record_fields),
        never_deleted(f"{prefix}_never_deleted"),
        final_once_set(f"{prefix}_reversal_final", "reversed_at"),
    ]
