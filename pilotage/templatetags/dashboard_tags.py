"""The dashboards' menu entry."""

from django import template

from pilotage.permissions import can_view_dashboard as _can_view_dashboard

register = template.Library()


@register.filter
def can_view_dashboard(user) -> bool:
    return _can_view_dashboard(user)
