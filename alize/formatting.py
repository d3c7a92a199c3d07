"""How amounts, counts and dates read in French: the one home of their formatting.

Templates use these through the `alize_tags` filters; services use them in their French
messages; the audit trail and the PDFs use them too. Nothing here parses text: reading
what a user typed is the forms' business (`alize.forms.parse_euros`).
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import phonenumbers
from django.utils.formats import number_format

EMPTY = "—"


def euros(value, places=0) -> str:
    """15000 → « 15 000 € » (narrow no-break spaces, as French typography wants)."""
    if value is None or value == "":
        return EMPTY
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    places = int(places)
    quantum = Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{number_format(amount, places, use_l10n=True, force_grouping=True)}\u00a0€"


def money(value: Decimal) -> str:
    """Whole euros without cents, others with: 15000 → « 15 000 € », 15000.01 →
    « 15 000,01 € »."""
    places = 0 if value == value.to_integral_value() else 2
    return euros(value, places)


def percent(value, places=1) -> str:
    if value is None:
        return EMPTY
    return f"{number_format(Decimal(value), int(places), use_l10n=True)}\u00a0%"


def integer(value) -> str:
    if value is None:
        return EMPTY
    return number_format(value, 0, use_l10n=True, force_grouping=True)


def french_date(day: datetime.date) -> str:
    """2007-03-15 → « 15/03/2007 »."""
    return f"{day:%d/%m/%Y}"


def phone(number) -> str:
    """A phone number the French way: 03 27 51 31 31 for a French one, +32 2 555 12 12
    for a foreign one; "" for none."""
    if not number:
        return ""
    if isinstance(number, phonenumbers.PhoneNumber):
        parsed = number
    else:
        try:
            parsed = phonenumbers.parse(str(number), "FR")
        except phonenumbers.NumberParseException:
            return str(number)
    if parsed.country_code == 33:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
