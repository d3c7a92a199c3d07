"""Who may do what with the programme referential.

Each predicate answers for a user; views turn a refusal into a 404 so that nobody learns
that a page they may not see exists.
"""

from alize.models import OPERATOR_ROLES, Role


def can_view_referential(user) -> bool:
    """Operator staff, managers and administrators read their basins' referential."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)


def can_edit_referential(user) -> bool:
    """The same people create and edit periods, territories, funders and contributions."""
    return can_view_referential(user)


def can_create_basin(user) -> bool:
    """A new basin is opened by the instance's administrator, who then invites its manager."""
    return user.is_authenticated and user.has_role(Role.ADMIN)


def can_manage_basin(user) -> bool:
    """Changing a basin's operator or its advance cap is an operator manager's decision."""
    return user.is_authenticated and user.has_role(Role.MANAGER, Role.ADMIN)
