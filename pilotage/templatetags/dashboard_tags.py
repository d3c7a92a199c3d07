"""The steering menu's entries: the dashboard and the reports."""

from django import template

from pilotage import permissions

register = template.Library()

# The permission predicates the menu asks about: `{% if user|can_view_dashboard %}`.
for predicate in (permissions.can_view_dashboard, permissions.can_browse_reports):
    register.filter(predicate.__name__, predicate)
