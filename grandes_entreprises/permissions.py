"""Who may do what with corporations, missions and revitalisation conventions.

Predicates answer for one user and one object. Those that can refuse for several reasons
return `(allowed, reason)` so that a service or a view can say why, in French. Seeing is
`Corporation.objects.visible_to(user)` and `SupportMission.objects.visible_to(user)`: a
view fetches through them and answers 404 otherwise.

Writing is the operator's work in its basins (staff and managers, as in `pme`;
administrators read everything but do not act for an operator). The one exception is a
corporation coordinator, who logs the days their corporation's experts gave, moves its
missions along and records their results.
"""

from alize.models import OPERATOR_ROLES, Role
from alize.workflow import Transition
from grandes_entreprises.workflow import COORDINATOR, OPERATOR

NOT_YOUR_BASIN = "Cette entreprise n'appartient pas à l'un de vos bassins."
NOT_YOUR_CORPORATION = (
    "Vous ne coordonnez pas l'entreprise de cette mission : vous ne pouvez pas y saisir de jours."
)


def is_operator_of_basin(user, basin_id: int) -> bool:
    """Operator staff or manager working in this basin."""
    return (
        user.is_authenticated
        and user.has_role(*OPERATOR_ROLES)
        and user.basins.filter(pk=basin_id).exists()
    )


def is_coordinator_of(user, corporation) -> bool:
    """A user with the coordinator role, named among this corporation's coordinators."""
    return (
        user.is_authenticated
        and user.has_role(Role.COORDINATOR)
        and corporation.coordinators.filter(pk=user.pk).exists()
    )


def actor_kinds(user, mission) -> frozenset[str]:
    """In which capacities a user may act on a mission: operator, coordinator, both, none."""
    kinds = set()
    if is_operator_of_basin(user, mission.corporation.basin_id):
        kinds.add(OPERATOR)
    if is_coordinator_of(user, mission.corporation):
        kinds.add(COORDINATOR)
    return frozenset(kinds)


def can_manage_corporation(user, corporation) -> bool:
    """The record, experts, contacts, rates, memberships and coordinators of a corporation:
    the operators of its basin."""
    return is_operator_of_basin(user, corporation.basin_id)


def can_create_mission(user, corporation) -> tuple[bool, str]:
    if not is_operator_of_basin(user, corporation.basin_id):
        return False, "Seul le personnel de l'opérateur du bassin organise les missions d'appui."
    return True, ""


def can_log_days(user, mission) -> tuple[bool, str]:
    """The operators of the mission's basin, and the coordinators of its corporation."""
    if actor_kinds(user, mission):
        return True, ""
    if user.is_authenticated and user.has_role(Role.COORDINATOR):
        return False, NOT_YOUR_CORPORATION
    return False, "Vous n'avez pas le droit de saisir les jours de cette mission."


def can_change_status(
    user, mission, transition: Transition, *, kinds: frozenset[str] | None = None
) -> tuple[bool, str]:
    """The permission `MISSION_WORKFLOW` moves are checked with (page and service). A page
    that has worked out the user's `kinds` already passes them (no query per button)."""
    kinds = actor_kinds(user, mission) if kinds is None else kinds
    if not kinds:
        return False, "Vous n'avez pas le droit de modifier cette mission."
    if not kinds & transition.actors:
        return False, f"Seul le personnel de l'opérateur peut « {transition.lowered_label} »."
    return True, ""


def can_record_result(user, mission) -> tuple[bool, str]:
    if actor_kinds(user, mission):
        return True, ""
    return False, "Vous n'avez pas le droit d'enregistrer les résultats de cette mission."


def can_record_outcome(user, mission) -> tuple[bool, str]:
    """The SME's satisfaction is gathered by the operator, not by the corporation that
    helped it."""
    if OPERATOR in actor_kinds(user, mission):
        return True, ""
    return False, "Seul le personnel de l'opérateur enregistre le bilan et la satisfaction."


def can_manage_conventions(user, corporation) -> bool:
    """Revitalisation conventions and the payments under them: the basin's operators."""
    return is_operator_of_basin(user, corporation.basin_id)


# --- Who opens which pages (a refusal is a 404) ------------------------------------------

# The lists and pages of corporations and missions, each reading what `visible_to` gives.
# The steering committee, funders and committee members see none of it yet: they will read
# what the corporations gave in the programme reports and in their session's packs.
BROWSER_ROLES = (*OPERATOR_ROLES, Role.COORDINATOR, Role.ADMIN)


def can_browse_corporations(user) -> bool:
    """Operators (their basins), coordinators (their corporation) and administrators."""
    return user.is_authenticated and user.has_role(*BROWSER_ROLES)


def can_browse_conventions(user) -> bool:
    """A revitalisation convention is the operator's business with the State: operators and
    administrators read it; coordinators do not (see `ConventionQuerySet.visible_to`)."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)


def can_view_contacts(user) -> bool:
    """A corporation's contacts, coordinators and committee representatives are personal
    data: operators and administrators only."""
    return can_browse_conventions(user)


def is_operator(user) -> bool:
    """Operator staff or manager of any basin: the gate of the pages that write; each page
    then asks `can_manage_corporation` about its corporation (a 404 otherwise)."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES)


def can_act_on_missions(user) -> bool:
    """The gate of the pages that log days, record results and move a mission: operators
    and coordinators; each page then asks `actor_kinds` about its mission."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.COORDINATOR)
