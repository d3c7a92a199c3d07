from alize.models import Role


def navigation(request):
    """What the layout needs to draw the menu for the signed-in person."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "nav_is_operator": user.is_operator,
        "nav_is_admin": user.has_role(Role.ADMIN),
        "nav_manages_users": user.has_role(Role.MANAGER, Role.ADMIN),
    }
