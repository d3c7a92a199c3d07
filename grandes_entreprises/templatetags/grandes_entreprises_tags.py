"""How missions read on every page (their status badge, days in French), and the blocks
other apps' pages show about corporations: the dossier's missions, the coordinator's card."""

from decimal import Decimal

from django import template
from django.utils.formats import number_format

from alize.models import Role
from grandes_entreprises import permissions
from grandes_entreprises.models import Corporation, MissionStatus, SupportMission
from grandes_entreprises.services import MISSION_DOSSIER_STATES
from grandes_entreprises.workflow import MISSION_WORKFLOW
from pme import permissions as pme_permissions
from pme.workflow import SUPPORTED_STATES

register = template.Library()


@register.inclusion_tag("grandes_entreprises/partials/_status_badge.html")
def mission_badge(status):
    return MISSION_WORKFLOW.badge(status)


@register.filter
def day_count(value) -> str:
    """Decimal("1.5") → « 1,5 », Decimal("12.0") → « 12 » (French decimal comma)."""
    if value is None or value == "":
        return "—"
    value = Decimal(value)
    places = 0 if value == value.to_integral_value() else 1
    return number_format(value, places, use_l10n=True, force_grouping=True)


@register.filter
def days(value) -> str:
    """« 0,5 jour », « 1 jour », « 2 jours » (French: singular below 2)."""
    if value is None or value == "":
        return "—"
    return f"{day_count(value)}\u00a0jour{'s' if Decimal(value) >= 2 else ''}"


register.filter("can_browse_corporations", permissions.can_browse_corporations)


@register.filter
def is_coordinator(user) -> bool:
    return user.is_authenticated and user.has_role(Role.COORDINATOR)


@register.simple_tag
def coordinator_home(user) -> dict:
    """The home card of a coordinator: the corporations they coordinate and their missions
    under way or to come (two queries)."""
    return {
        "corporations": list(Corporation.objects.filter(coordinators=user)),
        "missions": list(
            SupportMission.objects.visible_to(user)
            .filter(status__in=[MissionStatus.PLANNED, MissionStatus.RUNNING])
            .with_related()
            .order_by("status", "start_date", "pk")[:10]
        ),
    }


@register.simple_tag(takes_context=True)
def dossier_missions(context, dossier) -> dict:
    """`{% dossier_missions dossier as block %}`: the support missions of a dossier as its
    reader may see them, and whether they may organise one.

    One query for the missions; none for those who may see no mission (the steering
    committee, funders), to whom the block stays hidden. A link to organise one for the
    operators of the dossier's basin, once the committee has approved it.
    """
    user = context["request"].user
    if not permissions.can_browse_corporations(user):
        return {"visible": False}
    missions = list(
        SupportMission.objects.visible_to(user)
        .filter(dossier=dossier)
        .select_related("corporation")
        .with_days_and_value()
        .order_by("start_date", "pk")
    )
    return {
        # Before the committee's approval there is nothing to show, unless missions remain.
        "visible": bool(missions) or dossier.state in SUPPORTED_STATES,
        "missions": missions,
        # The operators of the dossier's basin; the form checks it again.
        "can_create": dossier.state in MISSION_DOSSIER_STATES
        and pme_permissions.can_edit_pme(user, dossier.pme),
    }
