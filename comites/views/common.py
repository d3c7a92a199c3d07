"""What the committees' views share: fetching through the scoped querysets (a 404 for what
a user may not see), the permission predicates as 404s, and the services' refusals as
French messages."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from alize.models import Role
from alize.views import base
from comites import permissions
from comites.models import AgendaItem, Committee, CommitteeMembership, Session

DEFAULT_REFUSAL = "Vous ne pouvez pas faire cette action."


def refusal_text(error: Exception) -> str:
    """A service's refusal as one French sentence (or several)."""
    return base.refusal_text(error, DEFAULT_REFUSAL)


def allowed_or_404(allowed_and_reason) -> None:
    """A predicate that refuses is a 404: the page or action does not exist for this user."""
    if not permissions.granted(allowed_and_reason):
        raise Http404


def committee_or_404(user, pk) -> Committee:
    return get_object_or_404(Committee.objects.visible_to(user).select_related("basin"), pk=pk)


def session_or_404(user, pk) -> Session:
    return get_object_or_404(Session.objects.visible_to(user).with_related(), pk=pk)


def item_or_404(user, pk) -> AgendaItem:
    return get_object_or_404(
        AgendaItem.objects.visible_to(user).select_related(
            "session__committee__basin", "session__first_convocation", "dossier__pme"
        ),
        pk=pk,
    )


def can_see_committees(user) -> bool:
    """The committees' pages: operators and administrators, and whoever sits on one."""
    if not user.is_authenticated:
        return False
    if user.is_operator:
        return True
    return CommitteeMembership.objects.filter(person=user).exists() or user.has_role(Role.ADMIN)


def refused_in_form(form, error: Exception) -> None:
    """A service's refusal on the form: on its fields when it names them."""
    base.refused_in_form(form, error, DEFAULT_REFUSAL)


def done(request, target, *, success: str = "", error: Exception | str | None = None):
    """After an action without htmx: say what happened, go back to the page."""
    if error is not None:
        messages.error(request, error if isinstance(error, str) else refusal_text(error))
    elif success:
        messages.success(request, success)
    return redirect(target)
