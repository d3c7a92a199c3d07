"""Reading amounts and writing dates the French way, for the services' messages."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from alize.forms import parse_euros
from avances.schedule import CENT


def as_amount(value, *, field: str = "amount") -> Decimal:
    """A euro amount in cents from a Decimal, an int or French text ("1 234,56").

    Floats are refused (they cannot hold cents exactly); so are fractions of a cent.
    """
    if value is None or value == "":
        raise ValidationError({field: "Indiquez un montant."})
    if isinstance(value, float):
        raise TypeError("amounts are Decimal, never float")
    try:
        amount = value if isinstance(value, Decimal) else parse_euros(value)
    except ValidationError as error:
        raise ValidationError({field: error.messages}) from error
    if not amount.is_finite() or amount != amount.quantize(CENT):
        raise ValidationError(
            {field: "Un montant en euros compte au plus deux décimales (les centimes)."}
        )
    return amount.quantize(CENT)


def french_date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"
