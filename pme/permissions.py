"""Who may do what with SMEs and their dossiers.

Predicates answer for one user and one object. Those that can refuse for several reasons
return `(allowed, reason)` so that a service or a view can say why, in French. Seeing is
`Pme.objects.visible_to(user)`: a view fetches through it and answers 404 otherwise.
"""

from alize.models import OPERATOR_ROLES, Role
from pme.workflow import SUPPORTED_STATES, Transition


def _works_in_basin(user, basin_id: int) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    if not hasattr(user, "_basin_ids_cache"):
        user._basin_ids_cache = frozenset(user.basins.values_list("pk", flat=True))
    return basin_id in user._basin_ids_cache


def is_operator(user) -> bool:
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES)


def can_edit_pme(user, pme) -> bool:
    """Operator staff and managers edit the SMEs, contacts and dossiers of their basins."""
    return is_operator(user) and _works_in_basin(user, pme.commune.epci.basin_id)


def can_create_pme_in_basin(user, basin_id: int) -> bool:
    return is_operator(user) and _works_in_basin(user, basin_id)


def can_view_contacts(user) -> bool:
    """Contacts are personal data: operator staff and administrators only, never funders."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)


def can_apply_transition(user, dossier, transition: Transition) -> tuple[bool, str]:
    if not user.is_authenticated or not user.has_role(*transition.roles):
        if transition.is_committee_decision:
            return False, (
                "Seul(e) un(e) responsable de l'opérateur peut enregistrer une décision "
                "du comité d'agrément."
            )
        return False, f"Votre rôle ne permet pas de « {transition.label.lower()} »."
    if not _works_in_basin(user, dossier.pme.commune.epci.basin_id):
        return False, "Ce dossier n'appartient pas à l'un de vos bassins."
    return True, ""


def can_record_hire(user, dossier) -> tuple[bool, str]:
    if not can_edit_pme(user, dossier.pme):
        return False, "Vous ne pouvez pas enregistrer d'embauche sur ce dossier."
    if dossier.state not in SUPPORTED_STATES:
        return False, (
            "On n'enregistre une embauche que sur un dossier agréé, en accompagnement ou clôturé."
        )
    return True, ""
