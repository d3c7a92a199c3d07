"""What the screens of corporations, missions and conventions share.

The views stay thin, as in `pme`: a scoped queryset (what a user may not see is a 404),
one service of `grandes_entreprises.services`, its French refusal shown on the form at
status 200, nothing half-saved (every service runs in one transaction).
"""

from abc import ABCMeta, abstractmethod

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect

from alize.forms import attach_errors
from alize.models import Submission
from alize.versioning import EditConflict
from alize.views.base import ReferentialFormView, ScopedMixin
from grandes_entreprises import permissions


class BrowseMixin(ScopedMixin):
    """Pages of corporations and missions: operators, coordinators and administrators, each
    reading what `visible_to` gives them."""

    allowed = staticmethod(permissions.can_browse_corporations)


def refusal_text(error) -> str:
    """A service's refusal as one French sentence (ValidationError or PermissionDenied)."""
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "Vous n'avez pas le droit de faire cette action."


class ServiceFormView(ReferentialFormView, metaclass=ABCMeta):
    """A form page saved by one service.

    Subclasses fetch what the page is about in `get_target()` (a 404 when the user may not
    see it or may not act on it), give the form its keyword arguments in
    `form_extra_kwargs()` and call the service in `save(form)`, which returns the object to
    go back to. A refusal (ValidationError or PermissionDenied) is shown on the form.
    """

    template_name = "grandes_entreprises/form.html"
    list_url_name = "grandes_entreprises:corporation_list"
    title = ""
    help_text = ""

    def get_object(self):
        return None

    @abstractmethod
    def get_target(self):
        """The object the form acts on (its page is where the user returns)."""

    def form_extra_kwargs(self) -> dict:
        return {}

    def breadcrumbs(self) -> list[tuple[str, str]]:
        return []

    def dispatch(self, request, *args, **kwargs):
        # The page's object first: anything the user may not see is a 404, whatever the
        # method (ScopedMixin has already turned away the roles that never get here).
        if self.allowed(request.user):
            self.target = self.get_target()
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if not issubclass(self.get_form_class(), forms.ModelForm):
            kwargs.pop("instance", None)
            kwargs.pop("user", None)
        kwargs.update(self.form_extra_kwargs())
        return kwargs

    def form_valid(self, form):
        try:
            obj = self.save_once(form)
        except EditConflict as conflict:
            return self.conflicted(form, conflict)
        except ValidationError as error:
            attach_errors(error, form)
            return self.form_invalid(form)
        except PermissionDenied as error:
            form.add_error(None, refusal_text(error))
            return self.form_invalid(form)
        if isinstance(obj, Submission):
            return self.replayed(obj)
        messages.success(self.request, self.success_message)
        return redirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, help_text=self.help_text, breadcrumbs=self.breadcrumbs())
        return context
