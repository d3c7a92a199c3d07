"""The steering menu's entries: the dashboard and the reports."""

from django import template

from pilotage import permissions

register = template.Library()


@register.filter
def can_view_dashboard(user) -> bool:
    return permissions.can_view_dashboard(user)


@register.filter
def can_browse_reports(user) -> bool:
    return permissions.can_browse_reports(user)
