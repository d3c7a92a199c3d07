"""How a dossier's state reads on every page: its badge, how long it has waited, what next."""

from django import template

from pme import permissions
from pme.workflow import DOSSIER_WORKFLOW, NEXT_ACTIONS, DossierState

register = template.Library()


@register.inclusion_tag("pme/partials/_state_badge.html")
def state_badge(state):
    return DOSSIER_WORKFLOW.badge(state)


@register.filter
def next_action(state) -> str:
    return NEXT_ACTIONS[DossierState(state)] if state else "—"


# The permission predicates the menus ask about: `{% if user|can_create_pme %}`.
for predicate in (permissions.can_browse_pmes, permissions.can_create_pme):
    register.filter(predicate.__name__, predicate)
