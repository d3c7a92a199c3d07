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


@register.filter
def can_browse_pmes(user) -> bool:
    return permissions.can_browse_pmes(user)


@register.filter
def can_create_pme(user) -> bool:
    return permissions.can_create_pme(user)
