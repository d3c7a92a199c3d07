"""What the advances' screens share: who sees them, who acts, and how a refusal shows.

Seeing: the operators (staff, managers) of the advance's basin and the administrators;
anyone else gets a 404, as if the advance did not exist (`Advance.objects.visible_to` also
opens the basin's advances to the steering committee, whose figures come through the
dashboards: these screens name the SMEs' debts line by line). Acting: the operators of the
basin only; an administrator reads.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404

from alize.models import OPERATOR_ROLES, Basin, Role
from avances import permissions
from avances.models import Advance, DunningKind


def can_see_screens(user) -> bool:
    return permissions.is_operator(user)


def can_act(user, basin_id: int) -> bool:
    """The operators of the basin record; an administrator only reads these screens."""
    return user.has_role(*OPERATOR_ROLES) and permissions.can_manage_advances(user, basin_id)


def can_act_somewhere(user) -> bool:
    return user.is_authenticated and user.has_role(*OPERATOR_ROLES)


def visible_advances(user):
    if not can_see_screens(user):
        return Advance.objects.none()
    return Advance.objects.visible_to(user)


def visible_basins(user):
    if not can_see_screens(user):
        return Basin.objects.none()
    if user.has_role(Role.ADMIN):
        return Basin.objects.all()
    return Basin.objects.filter(pk__in=user.basins.values("pk"))


class ScreensMixin:
    """Operators and administrators; 404 for anyone else signed in (the login middleware
    sends anonymous users to the sign-in page first)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_see_screens(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ActorsMixin:
    """Pages that record something: the operators only (an administrator reads)."""

    def dispatch(self, request, *args, **kwargs):
        if not can_act_somewhere(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


def refusal_text(error) -> str:
    """A service's refusal as one French sentence (ValidationError or PermissionDenied)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    if isinstance(error, PermissionDenied) and str(error):
        return str(error)
    return "Vous n'avez pas le droit de faire cette action."


def delinquency_bucket(days_late: int) -> str:
    if days_late > 90:
        return "Plus de 90 jours"
    if days_late > 30:
        return "31 à 90 jours"
    if days_late > 0:
        return "1 à 30 jours"
    return "À jour"


def next_dunning_step(
    *,
    days_late: int,
    oldest_due_date: datetime.date | None,
    last_kind: str | None,
    last_sent_on: datetime.date | None,
    last_pay_by: datetime.date | None,
    today: datetime.date,
    in_proceedings: bool = False,
) -> str:
    """What staff should do next on a late advance, in French (a suggestion, not a rule)."""
    if days_late <= 0:
        return "Aucune : l'avance est à jour."
    if in_proceedings:
        return "Suivre la procédure collective (déclaration de créance)."
    if last_kind is None or (oldest_due_date and last_sent_on < oldest_due_date):
        return "Envoyer une relance."
    if last_pay_by and last_pay_by >= today:
        return f"Attendre le délai de paiement ({last_pay_by:%d/%m/%Y})."
    if last_kind == DunningKind.REMINDER:
        return "Envoyer une mise en demeure."
    return "Envisager une procédure ou un passage en perte."


def search_condition(query: str) -> Q:
    return Q(reference__icontains=query) | Q(dossier__pme__name__icontains=query)
