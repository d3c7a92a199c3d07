"""Filters for French amounts, the audit trail panel and the antivirus status of files."""

import uuid

from django import template
from django.utils.formats import date_format
from django.utils.html import format_html

from alize import formatting
from alize.history import history_for
from alize.once import FIELD as ONCE_FIELD

register = template.Library()


@register.simple_tag
def once_token():
    """The one-time token of a form written by hand (see `alize.once`)."""
    return format_html('<input type="hidden" name="{}" value="{}">', ONCE_FIELD, uuid.uuid4())


register.filter("euros", formatting.euros)
register.filter("percent", formatting.percent)
register.filter("integer", formatting.integer)
register.filter("phone", formatting.phone)


@register.inclusion_tag("components/history_panel.html")
def history_panel(obj):
    return {"events": history_for(obj), "object": obj}


@register.simple_tag
def cell(obj, spec: str):
    """Render one list cell: "attribute" or "attribute|filter" (euros, integer, date)."""
    attribute, _, filter_name = spec.partition("|")
    value = getattr(obj, attribute, None)
    if callable(value):
        value = value()
    if filter_name == "euros":
        return formatting.euros(value)
    if filter_name == "integer":
        return formatting.integer(value)
    if filter_name == "date":
        return date_format(value, "SHORT_DATE_FORMAT") if value else "—"
    return "—" if value in (None, "") else value


@register.simple_tag
def display_value(value, internal_type: str):
    """A detail-page value in French format according to its model field type."""
    if value in (None, ""):
        return "—"
    if internal_type == "DecimalField":
        return formatting.euros(value, 2)
    if internal_type in {"PositiveIntegerField", "IntegerField"}:
        return formatting.integer(value)
    if internal_type == "DateField":
        return date_format(value, "SHORT_DATE_FORMAT")
    return value


@register.filter
def scan_badge(status):
    """A badge saying that a file cannot be downloaded yet (or ever): nothing once clean."""
    from alize.antivirus import ScanStatus

    if status == ScanStatus.CLEAN or not status:
        return ""
    style = "danger" if status == ScanStatus.INFECTED else "warning"
    return format_html(' <span class="badge text-bg-{}">{}</span>', style, ScanStatus(status).label)
