"""Who may do what with SMEs and their dossiers.

Predicates answer for one user and one object. Those that can refuse for several reasons
return `(allowed, reason)` so that a service or a view can say why, in French. Seeing is
`Pme.objects.visible_to(user)`: a view fetches through it and answers 404 otherwise.
"""

from alize.models import OPERATOR_ROLES, Role
from alize.workflow import Transition
from pme.workflow import (
    COMMITTEE,
    FINISHED_STATES,
    SUPPORTED_STATES,
)

# Who may open the lists of SMEs and dossiers at all; each then reads what
# `Pme.objects.visible_to` gives them (their basin, their territory, everything).
READER_ROLES = (*OPERATOR_ROLES, Role.STEERING, Role.FUNDER, Role.ADMIN)


COMMITTEE_DECIDES = (
    "Seul le comité d'agrément décide d'un dossier : sa décision s'enregistre depuis la "
    "séance, une fois le vote clos."
)


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
    return is_operator(user) and user.works_in(pme.commune.epci.basin_id)


def can_create_pme_in_basin(user, basin_id: int) -> bool:
    return is_operator(user) and user.works_in(basin_id)


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


def can_view_documents(user) -> bool:
    """A dossier's documents may hold personal data (statutes name the partners, a Kbis the
    managers): for the same people as the contacts, never funders or the steering committee.
    The dossier must be visible to them too."""
    return can_view_contacts(user)


def can_manage_documents(user, dossier) -> tuple[bool, str]:
    """Operator staff and managers of the dossier's basin add and delete its documents."""
    if not can_edit_pme(user, dossier.pme):
        return False, "Seul le personnel de l'opérateur du bassin gère les documents du dossier."
    return True, ""


def can_apply_transition(user, dossier, transition: Transition) -> tuple[bool, str]:
    """The operators of the dossier's basin move it along; the committee's decisions are
    the committee's alone (`pme.services.decisions.decide_dossier`), never a button of the page."""
    if COMMITTEE in transition.actors:
        return False, COMMITTEE_DECIDES
    if not user.is_authenticated or not user.has_role(*transition.actors):
        return False, f"Votre rôle ne permet pas de « {transition.label.lower()} »."
    if not user.works_in(dossier.pme.commune.epci.basin_id):
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
