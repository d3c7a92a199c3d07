"""Filters for French amounts and the audit trail panel."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def euros(value, places=0):
    """15000 → « 15 000 € » (narrow no-break spaces, as French typography wants)."""
    if value is None or value == "":
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return value
    places = int(places)
    quantum = Decimal(1).scaleb(-places)
    amount = amount.quantize(quantum, rounding=ROUND_HALF_UP)
    return f"{number_format(amount, places, use_l10n=True, force_grouping=True)}\u00a0€"


@register.filter
def percent(value, places=1):
    if value is None:
        return "—"
    return f"{number_format(Decimal(value), int(places), use_l10n=True)}\u00a0%"


@register.filter
def integer(value):
    if value is None:
        return "—"
    return number_format(value, 0, use_l10n=True, force_grouping=True)


@register.inclusion_tag("components/history_panel.html")
def history_panel(obj):
    from alize.history import history_for

    return {"events": history_for(obj), "object": obj}


@register.simple_tag
def cell(obj, spec: str):
    """Render one list cell: "attribute" or "attribute|filter" (euros, integer, date)."""
    from django.utils.formats import date_format

    attribute, _, filter_name = spec.partition("|")
    value = getattr(obj, attribute, None)
    if callable(value):
        value = value()
    if filter_name == "euros":
        return euros(value)
    if filter_name == "integer":
        return integer(value)
    if filter_name == "date":
        return date_format(value, "SHORT_DATE_FORMAT") if value else "—"
    return "—" if value in (None, "") else value


@register.simple_tag
def display_value(value, internal_type: str):
    """A detail-page value in French format according to its model field type."""
    from django.utils.formats import date_format

    if value in (None, ""):
        return "—"
    if internal_type == "DecimalField":
        return euros(value, 2)
    if internal_type in {"PositiveIntegerField", "IntegerField"}:
        return integer(value)
    if internal_type == "DateField":
        return date_format(value, "SHORT_DATE_FORMAT")
    return value
