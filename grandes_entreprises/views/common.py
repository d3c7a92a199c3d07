"""What the screens of corporations, missions and conventions share.

The views stay thin, as in `pme`: a scoped queryset (what a user may not see is a 404),
one service of `grandes_entreprises.services`, its French refusal shown on the form at
status 200, nothing half-saved (every service runs in one transaction).
"""

from abc import ABCMeta, abstractmethod

from django import forms

from alize.views.base import REFUSALS, ReferentialFormView, ScopedMixin
from grandes_entreprises import permissions


class BrowseMixin(ScopedMixin):
    """Pages of corporations and missions: operators, coordinators and administrators, each
    reading what `visible_to` gives them."""

    allowed = staticmethod(permissions.can_browse_corporations)


class ServiceFormView(ReferentialFormView, metaclass=ABCMeta):
    """A form page saved by one service.

    Subclasses fetch what the page is about in `get_target()` (a 404 when the user may not
    see it or may not act on it), give the form its keyword arguments in
    `form_extra_kwargs()` and call the service in `save(form)`, which returns the object to
    go back to. A refusal (ValidationError or PermissionDenied) is shown on the form.
    """

    template_name = "grandes_entreprises/form.html"
    list_url_name = "grandes_entreprises:corporation_list"
    refusals = REFUSALS
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

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, help_text=self.help_text, breadcrumbs=self.breadcrumbs())
        return context
