"""Who reads which dashboard, and what of it: the one home of the dashboards' scope.

`readable_basins` lists the basins a person may pick; `scope_for` says what they read of one
of them (the whole programme, or a funder's own part: `funder_scope`); the dashboard, the
reports and the menu call these, never their own rules.
"""

from django.db.models import Q
from django.http import Http404

from alize.models import OPERATOR_ROLES, Basin, Role
from pilotage.indicators import Scope

DASHBOARD_ROLES = (*OPERATOR_ROLES, Role.STEERING, Role.FUNDER, Role.ADMIN)
# Who reads a basin's whole programme when they work in it.
PROGRAMME_ROLES = (*OPERATOR_ROLES, Role.STEERING)


def can_view_dashboard(user) -> bool:
    """Operators, the steering committee, funders and administrators read the dashboards;
    committee members and corporations' coordinators do not."""
    return user.is_authenticated and user.has_role(*DASHBOARD_ROLES)


def _reads_whole_programme(user, basin_id: int) -> bool:
    """An administrator; operators and the steering committee of the basin; a funder's
    representative not tied to a funder, working in the basin."""
    if user.has_role(Role.ADMIN):
        return True
    member = user.has_role(*PROGRAMME_ROLES) or (user.has_role(Role.FUNDER) and not user.funder_id)
    return member and user.works_in(basin_id)


def readable_basins(user):
    """The basins whose dashboard the user may open (the same rules as `scope_for`)."""
    if not can_view_dashboard(user):
        return Basin.objects.none()
    if user.has_role(Role.ADMIN):
        return Basin.objects.all()
    scopes = Q(pk__in=[])
    if user.has_role(*PROGRAMME_ROLES):
        scopes |= Q(pk__in=user.basins.values("pk"))
    if user.has_role(Role.FUNDER):
        if user.funder_id:
            scopes |= Q(funders__pk=user.funder_id)
        else:
            scopes |= Q(pk__in=user.basins.values("pk"))
    return Basin.objects.filter(scopes).distinct()


def funder_scope(funder, basin, period) -> Scope:
    """A funder's own part of the programme: the SMEs of its intercommunality's territory (a
    local authority), the missions of its corporation (a corporation)."""
    corporation = getattr(funder, "corporation", None)
    return Scope(basin=basin, period=period, epci=funder.epci, corporation=corporation)


def scope_for(user, basin, period) -> Scope:
    """What this user may read of `basin` and `period`; Http404 if nothing.

    Administrators read every basin; operator staff and managers and the steering committee
    read their basins' whole programme; a funder reads the programme figures of its basin,
    narrowed for the SMEs to its intercommunality's territory (a local authority) or for
    the missions to its own (a corporation).
    """
    if not user.is_authenticated or basin is None or period is None:
        raise Http404("Aucun tableau de bord.")
    if period.basin_id != basin.pk:
        raise Http404("Cette période n'appartient pas à ce bassin.")
    if _reads_whole_programme(user, basin.pk):
        return Scope(basin=basin, period=period)
    funder = user.funder if user.has_role(Role.FUNDER) else None
    if funder is not None and funder.basin_id == basin.pk:
        return funder_scope(funder, basin, period)
    raise Http404("Aucun tableau de bord.")


def national_scope(basin, period) -> Scope:
    """What the national Alizé structure reads through the API: any basin's whole programme
    (a token is not a person: no narrowing applies)."""
    if period.basin_id != basin.pk:
        raise Http404("Cette période n'appartient pas à ce bassin.")
    return Scope(basin=basin, period=period)


def reads_corporation_breakdowns(user) -> bool:
    """What each corporation gave is the operator's business: funders read the totals only."""
    return not user.has_role(Role.FUNDER) or user.has_role(*PROGRAMME_ROLES, Role.ADMIN)


def default_basin(user, basins: list[Basin]) -> Basin | None:
    """The basin a dashboard opens on: a funder's own, else one the user works in, else the
    first readable one (None when there is none)."""
    if not basins:
        return None
    if user.funder_id and user.has_role(Role.FUNDER):
        for basin in basins:
            if basin.pk == user.funder.basin_id:
                return basin
    return next((basin for basin in basins if user.works_in(basin.pk)), basins[0])


# --- The reports ---------------------------------------------------------------------


def can_browse_reports(user) -> bool:
    """Operators, the administrator, the steering committee and funders read reports."""
    return can_view_dashboard(user)


def can_manage_reports(user) -> bool:
    """Operators and the administrator edit subscriptions and generate reports."""
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES, Role.ADMIN)
