"""What the models of the advances app share: money, frequencies, messages, SQL helpers."""

from decimal import Decimal

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q, Subquery, Sum
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import Exact

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


def choice_values(choices) -> list[str]:
    return sorted(str(c) for c in choices)


def terms_constraints(prefix: str, duration: str, grace: str, frequency: str) -> list:
    """The database's side of `avances.schedule.terms_errors`, for any model with terms."""
    return [
        models.CheckConstraint(
            condition=Q(**{f"{duration}__gte": 1, f"{duration}__lte": MAX_DURATION_MONTHS}),
            name=f"{prefix}_duration_range",
            violation_error_message=DURATION_MESSAGE,
        ),
        models.CheckConstraint(
            condition=Q(**{f"{grace}__gte": 0, f"{grace}__lte": MAX_GRACE_MONTHS}),
            name=f"{prefix}_grace_range",
            violation_error_message=GRACE_MESSAGE,
        ),
        models.CheckConstraint(
            condition=Q(**{f"{grace}__lt": models.F(duration)}),
            name=f"{prefix}_grace_within_duration",
            violation_error_message=GRACE_WITHIN_DURATION_MESSAGE,
        ),
        models.CheckConstraint(
            condition=Q(**{frequency: Frequency.MONTHLY})
            | Q(
                Exact(Mod(models.F(duration) - models.F(grace), 3), 0),
                **{frequency: Frequency.QUARTERLY},
            ),
            name=f"{prefix}_whole_periods",
            violation_error_message=QUARTERS_MESSAGE,
        ),
    ]


def sum_of(queryset, column: str, group_by: str):
    """SUM(column) of a correlated queryset as a scalar subquery, 0.00 when it has no rows."""
    total = Subquery(
        queryset.order_by().values(group_by).annotate(total=Sum(column)).values("total")[:1],
        output_field=models.DecimalField(**MONEY),
    )
    return Coalesce(total, ZERO, output_field=models.DecimalField(**MONEY))


class DaysBetween(models.Func):
    """later − earlier in whole days: PostgreSQL subtracts two dates into an integer."""

    arg_joiner = " - "
    template = "(%(expressions)s)"
    output_field = models.IntegerField()

    def __init__(self, later, earlier, **extra):
        super().__init__(later, earlier, **extra)


class ReversibleEntry(models.Model):
    """A money entry (a tranche, a payment) never changed nor deleted: one recorded by
    mistake is marked reversed once (who, when, why) and then counts no more. The concrete
    model adds `reversed_by` (`reversed_by_field`), `reversal_complete` and
    `reversible_triggers` to its Meta."""

    reversed_at = models.DateTimeField("annulé le", null=True, blank=True, editable=False)
    reversal_reason = models.TextField("motif de l'annulation", blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_reversed(self) -> bool:
        return self.reversed_at is not None


def reversed_by_field(related_name: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name=related_name,
        verbose_name="annulé par",
    )


def reversal_complete(name: str, noun: str) -> models.CheckConstraint:
    """Reversed entirely (who, when, why) or not at all."""
    return models.CheckConstraint(
        condition=Q(reversed_at__isnull=True, reversed_by__isnull=True, reversal_reason="")
        | (Q(reversed_at__isnull=False, reversed_by__isnull=False) & ~Q(reversal_reason="")),
        name=name,
        violation_error_message=(
            f"Une annulation de {noun} indique qui l'a faite, quand, et pourquoi."
        ),
    )


def reversible_triggers(prefix: str, record_fields: list[str]) -> list:
    """What an entry was recorded with never changes; it is never deleted; once reversed,
    it never changes again."""
    return [
        pgtrigger.ReadOnly(name=f"{prefix}_record_read_only", fields=record_fields),
        never_deleted(f"{prefix}_never_deleted"),
        final_once_set(f"{prefix}_reversal_final", "reversed_at"),
    ]
