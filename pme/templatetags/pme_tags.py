"""How a dossier's state reads on every page: its badge, how long it has waited, what next."""

from django import template

from pme import permissions
from pme.workflow import NEXT_ACTIONS, DossierState

register = template.Library()

S = DossierState
# Bootstrap's text-bg-* classes pair each background with a text colour of enough contrast.
STATE_BADGES = {
    S.ORIENTED: "text-bg-light border",
    S.UNDER_INSTRUCTION: "text-bg-info",
    S.SUBMITTED: "text-bg-warning",
    S.APPROVED: "text-bg-success",
    S.DEFERRED: "text-bg-warning",
    S.REJECTED: "text-bg-danger",
    S.UNDER_SUPPORT: "text-bg-dark",
    S.CLOSED: "text-bg-secondary",
    S.WITHDRAWN: "text-bg-secondary",
}


@register.inclusion_tag("pme/partials/_state_badge.html")
def state_badge(state):
    if not state:
        return {"label": ""}
    state = DossierState(state)
    return {"label": state.label, "css": STATE_BADGES[state]}


@register.filter
def next_action(state) -> str:
    return NEXT_ACTIONS[DossierState(state)] if state else "—"


@register.filter
def can_browse_pmes(user) -> bool:
    return permissions.can_browse_pmes(user)


@register.filter
def can_create_pme(user) -> bool:
    return permissions.can_create_pme(user)
