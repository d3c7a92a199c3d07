"""Who may open the programme dashboards.

The figures themselves are narrowed by `pilotage.indicators.scope_for`; these predicates
say which basins a person may pick, and whether the menu shows the dashboard at all.
"""

from django.db.models import Q

from alize.models import OPERATOR_ROLES, Basin, Role

DASHBOARD_ROLES = (*OPERATOR_ROLES, Role.STEERING, Role.FUNDER, Role.ADMIN)


def can_view_dashboard(user) -> bool:
    """Operators, the steering committee, funders and administrators read the dashboards;
    committee members and corporations' coordinators do not."""
    return user.is_authenticated and user.has_role(*DASHBOARD_ROLES)


def readable_basins(user):
    """The basins whose dashboard the user may open (the same rules as `scope_for`)."""
    if not can_view_dashboard(user):
        return Basin.objects.none()
    if user.has_role(Role.ADMIN):
        return Basin.objects.all()
    scopes = Q(pk__in=[])
    if user.has_role(*OPERATOR_ROLES, Role.STEERING):
        scopes |= Q(pk__in=user.basins.values("pk"))
    if user.has_role(Role.FUNDER):
        if user.funder_id:
            scopes |= Q(funders__pk=user.funder_id)
        else:
            scopes |= Q(pk__in=user.basins.values("pk"))
    return Basin.objects.filter(scopes).distinct()


# --- The reports ---------------------------------------------------------------------


def can_browse_reports(user) -> bool:
    """Operators, the administrator, the steering committee and funders read reports."""
    return user.is_authenticated and user.has_role(
        *OPERATOR_ROLES, Role.ADMIN, Role.STEERING, Role.FUNDER
    )


def can_manage_reports(user) -> bool:
    """Operators and the administrator edit subscriptions and generate reports."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)
