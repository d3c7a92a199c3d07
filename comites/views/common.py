"""What the committees' views share: fetching through the scoped querysets (a 404 for what
a user may not see), the permission predicates as 404s, and the services' refusals as
French messages."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect

from alize.models import Role
from comites.models import AgendaItem, Attendance, Committee, CommitteeMembership, Session

DEFAULT_REFUSAL = "Vous ne pouvez pas faire cette action."


def refusal_text(error: Exception) -> str:
    """A service's refusal as one French sentence (or several)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or DEFAULT_REFUSAL


def allowed_or_404(allowed_and_reason) -> None:
    """A predicate that refuses is a 404: the page or action does not exist for this user."""
    allowed = allowed_and_reason[0] if isinstance(allowed_and_reason, tuple) else allowed_and_reason
    if not allowed:
        raise Http404


def flag(allowed_and_reason) -> bool:
    return allowed_and_reason[0] if isinstance(allowed_and_reason, tuple) else allowed_and_reason


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


def members_of(session: Session) -> list[CommitteeMembership]:
    """The mandates in force on the session's day, with their attendance (one query)."""
    attendance = Attendance.objects.filter(session=session, membership=OuterRef("pk"))
    return list(
        CommitteeMembership.objects.active_on(session.day)
        .filter(committee_id=session.committee_id)
        .select_related("person", "corporation")
        .annotate(
            attendance_status=Subquery(attendance.values("status")[:1]),
            attendance_proxy_holder=Subquery(attendance.values("proxy_holder_id")[:1]),
        )
        .order_by("role", "person__last_name", "person__first_name", "pk")
    )


def done(request, target, *, success: str = "", error: Exception | str | None = None):
    """After an action without htmx: say what happened, go back to the page."""
    if error is not None:
        messages.error(request, error if isinstance(error, str) else refusal_text(error))
    elif success:
        messages.success(request, success)
    return redirect(target)


REFUSALS = (ValidationError, PermissionDenied)
