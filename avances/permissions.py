"""Who may do what with advances and the fund.

Predicates answer for one user and one basin or object; those that can refuse for
several reasons return `(allowed, reason)` so a service or a view can say why in French.
Seeing is `Advance.objects.visible_to(user)`: a view fetches through it, 404 otherwise.
"""

from alize.models import OPERATOR_ROLES, Role

NOT_YOUR_BASIN = "Cette avance ne relève pas de l'un de vos bassins."


def is_operator(user) -> bool:
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)


def can_manage_advances(user, basin_id: int) -> bool:
    """Contracts, disbursements, payments, dunning, proceedings, de minimis declarations,
    write-off requests and the fund's contributions: the operator staff of the basin."""
    return is_operator(user) and user.reads_basin(basin_id)


def can_record(user, basin_id: int) -> bool:
    """Recording from the advances' screens: the operators of the basin; an administrator
    only reads them."""
    return user.has_role(*OPERATOR_ROLES) and can_manage_advances(user, basin_id)


def can_record_somewhere(user) -> bool:
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES)


def can_reschedule(user, basin_id: int) -> tuple[bool, str]:
    """A rescheduling changes what the SME owes and when: an operator manager's decision."""
    if not (user.is_authenticated and user.has_role(Role.MANAGER, Role.ADMIN)):
        return False, "Seul(e) un(e) responsable de l'opérateur peut rééchelonner une avance."
    if not user.reads_basin(basin_id):
        return False, NOT_YOUR_BASIN
    return True, ""


def can_decide_write_off(user, write_off) -> tuple[bool, str]:
    """An operator manager of the basin, other than the person who asked, decides."""
    if not (user.is_authenticated and user.has_role(Role.MANAGER)):
        return False, (
            "Seul(e) un(e) responsable de l'opérateur approuve ou refuse un passage en perte."
        )
    if not user.reads_basin(write_off.advance.basin_id):
        return False, NOT_YOUR_BASIN
    if write_off.requested_by_id == user.pk:
        return False, (
            "Vous avez demandé ce passage en perte : un(e) autre responsable doit le décider."
        )
    return True, ""


def can_set_terms(user, basin_id: int) -> bool:
    """A basin's default terms and reference rate: its operator's manager (or an
    administrator), as for its advance cap."""
    return (
        user.is_authenticated
        and user.has_role(Role.MANAGER, Role.ADMIN)
        and user.reads_basin(basin_id)
    )


def can_set_national_rate(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)
