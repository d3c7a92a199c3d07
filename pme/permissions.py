"""Who may do what with SMEs and their dossiers.

Predicates answer for one user and one object. Those that can refuse for several reasons
return `(allowed, reason)` so that a service or a view can say why, in French. Seeing is
`Pme.objects.visible_to(user)`: a view fetches through it and answers 404 otherwise.
"""

from alize.models import OPERATOR_ROLES, Role
from pme.workflow import FINISHED_STATES, SUPPORTED_STATES, Transition, transitions_from

# Who may open the lists of SMEs and dossiers at all; each then reads what
# `Pme.objects.visible_to` gives them (their basin, their territory, everything).
READER_ROLES = (*OPERATOR_ROLES, Role.STEERING, Role.FUNDER, Role.ADMIN)


def _works_in_basin(user, basin_id: int) -> bool:
    if user.has_role(Role.ADMIN):
        return True
    if not hasattr(user, "_basin_ids_cache"):
        user._basin_ids_cache = frozenset(user.basins.values_list("pk", flat=True))
    return basin_id in user._basin_ids_cache


def is_operator(user) -> bool:
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES)


def can_browse_pmes(user) -> bool:
    """The lists, exports and pages of SMEs and dossiers: operators, the steering committee,
    funders and administrators. Committee members will see their session's dossiers only."""
    return user.is_authenticated and user.has_role(*READER_ROLES)


def can_create_pme(user) -> bool:
    """Registering SMEs, the SIRET look-up and the work queue are the operator's work."""
    return is_operator(user)


def can_edit_pme(user, pme) -> bool:
    """Operator staff and managers edit the SMEs, contacts and dossiers of their basins."""
    return is_operator(user) and _works_in_basin(user, pme.commune.epci.basin_id)


def can_create_pme_in_basin(user, basin_id: int) -> bool:
    return is_operator(user) and _works_in_basin(user, basin_id)


def can_view_contacts(user) -> bool:
    """Contacts are personal data: operator staff and administrators only, never funders."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)


def can_edit_dossier(user, dossier) -> bool:
    """What an open dossier says is changed by the operators of its basin; a finished
    dossier no longer changes (the service refuses it too)."""
    return dossier.state not in FINISHED_STATES and can_edit_pme(user, dossier.pme)


def can_view_hire_evidence(user) -> bool:
    """A hire's evidence (a contract, a declaration) names the person hired: personal data,
    for the same people as the contacts. Others read that the hire was made, not the file."""
    return can_view_contacts(user)


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


def available_transitions(user, dossier) -> list[Transition]:
    """The moves this user may make on this dossier now, in the workflow's order."""
    return [
        transition
        for transition in transitions_from(dossier.state)
        if can_apply_transition(user, dossier, transition)[0]
    ]
