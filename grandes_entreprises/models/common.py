"""What the models of the app share: units, messages, validators and query helpers."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F
from django.db.models.functions import Coalesce, Mod
from django.db.models.lookups import Exact

from alize.modelkit import grouped_sum
from alize.models import MONEY

ZERO = Decimal("0.00")
NO_DAYS = Decimal("0.0")
# Days are counted in half days: one decimal place is enough.
DAYS = {"max_digits": 5, "decimal_places": 1}

# The revitalisation contribution (Code du travail, L1233-84 to L1233-90): at least twice
# the monthly SMIC per job eliminated net of staff reclassified in the group, set by the
# prefect between 2 and 4 times; a firm that signs no convention owes 4 times to the State.
MULTIPLE_FLOOR = Decimal("2")
MULTIPLE_CEILING = Decimal("4")
# The obligation concerns firms and groups of at least 1,000 employees (L1233-71, L1233-84).
REVITALISATION_HEADCOUNT = 1000

HALF_DAYS_MESSAGE = "Les jours se comptent par demi-journées : 0,5, 1, 1,5…"
POSITIVE_DAYS_MESSAGE = "Le nombre de jours doit être positif."
ONE_DAY_MESSAGE = "Un expert donne au plus une journée par date : 0,5 ou 1 jour."
RECLASSIFIED_MESSAGE = (
    "Les salariés reclassés dans le groupe ne peuvent pas dépasser les emplois supprimés."
)
MULTIPLE_MESSAGE = "Le multiple du SMIC mensuel est compris entre 2 et 4."
NO_CONVENTION_MESSAGE = (
    "Sans convention, la contribution est de 4 SMIC mensuels par emploi supprimé."
)


def is_half_days(value: Decimal) -> bool:
    return (value * 2) == (value * 2).to_integral_value()


def validate_planned_days(value: Decimal) -> None:
    if value is None:
        return
    if value <= 0:
        raise ValidationError(POSITIVE_DAYS_MESSAGE, code="not_positive")
    if not is_half_days(value):
        raise ValidationError(HALF_DAYS_MESSAGE, code="not_half_days")


def validate_logged_days(value: Decimal) -> None:
    if value is None:
        return
    if value <= 0:
        raise ValidationError(POSITIVE_DAYS_MESSAGE, code="not_positive")
    if value > 1:
        raise ValidationError(ONE_DAY_MESSAGE, code="more_than_a_day")
    if not is_half_days(value):
        raise ValidationError(HALF_DAYS_MESSAGE, code="not_half_days")


def days_sum(queryset, group_by: str) -> Coalesce:
    """The days of a correlated queryset of day logs, summed (0.0 when it has none)."""
    return Coalesce(
        grouped_sum(queryset, group_by, "days"), NO_DAYS, output_field=models.DecimalField(**DAYS)
    )


def money_sum(queryset, group_by: str, column: str) -> Coalesce:
    """The euros of `column` in a correlated queryset, summed (0.00 when it has none)."""
    return Coalesce(
        grouped_sum(queryset, group_by, column), ZERO, output_field=models.DecimalField(**MONEY)
    )


def half_day_steps(field: str) -> Exact:
    """The database's side of `is_half_days`: twice the value is a whole number."""
    return Exact(Mod(F(field) * 2, 1), 0)
