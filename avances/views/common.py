"""What the advances' screens share: who sees them, who acts, and how a refusal shows.

Seeing: the operators (staff, managers) of the advance's basin and the administrators;
anyone else gets a 404, as if the advance did not exist (`ScreensMixin`). Behind it, the
pages fetch through the one scope, `Advance.objects.visible_to` / `Basin.objects.visible_to`
(which also open the basin's advances to the steering committee, whose figures come
through the dashboards: these screens name the SMEs' debts line by line). Acting: the
operators of the basin only; an administrator reads.
"""

from django.db.models import Q
from django.http import Http404

from avances import permissions


def can_see_screens(user) -> bool:
    return permissions.is_operator(user)


can_act = permissions.can_record
can_act_somewhere = permissions.can_record_somewhere


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


def search_condition(query: str) -> Q:
    return Q(reference__icontains=query) | Q(dossier__pme__name__icontains=query)
