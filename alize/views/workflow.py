"""The one transition view and the panel it answers with, for every workflow.

A page includes `components/workflow_panel.html` with the context `panel_context` builds:
the state, the facts the app adds, the moves this user may make now (asked of the
workflow with the app's permission) and the timeline. The buttons post to the app's
`TransitionView`, which calls the app's service: with htmx it answers with the panel
alone, swapped in place; without JavaScript, it redirects to the page with a message.
"""

import abc

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from alize.workflow import Permission, Transition, Workflow, timeline

PANEL_TEMPLATE = "components/workflow_panel.html"
UNKNOWN_MOVE = "Ce changement d'état n'est pas reconnu : rechargez la page."


class TransitionForm(forms.Form):
    """A move from the panel: the button pressed, the state the user saw, a comment."""

    transition = forms.CharField(label="Changement d'état", max_length=30)
    expected_state = forms.ChoiceField(label="État affiché")
    comment = forms.CharField(label="Commentaire (facultatif)", required=False, max_length=2000)

    def __init__(self, *args, workflow: Workflow, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expected_state"].choices = workflow.states.choices


def panel_context(
    *,
    workflow: Workflow,
    obj,
    user,
    permission: Permission,
    url: str,
    dom_id: str,
    title: str,
    facts_template: str = "",
    empty_timeline: str = "",
    **extra,
) -> dict:
    """What the panel shows, under the one name `panel` (a page may hold several)."""
    state = workflow.state_of(obj)
    return {
        "panel": {
            "object": obj,
            "dom_id": dom_id,
            "title": title,
            "badge": workflow.badge(state),
            "state": state,
            "facts_template": facts_template,
            "url": url,
            "transitions": workflow.available(user, obj, permission),
            "timeline": timeline(obj.transitions.all()),
            "empty_timeline": empty_timeline,
            "error": "",
            "success": "",
            "comment": "",
            **extra,
        }
    }


class TransitionView(View, abc.ABC):
    """Move one object along its workflow from its panel's buttons."""

    http_method_names = ["post"]
    workflow: Workflow

    @abc.abstractmethod
    def get_object(self):
        """The object, fetched through its scoped queryset: a 404 for what the user may not
        see or not change."""

    @abc.abstractmethod
    def move(self, obj, transition: Transition, *, comment: str, expected: str) -> None:
        """Call the app's service for this move; it raises the refusals."""

    @abc.abstractmethod
    def panel(self, obj) -> dict:
        """The panel's context (`panel_context`) for this object and user."""

    def success_message(self, obj) -> str:
        return f"{self.workflow.nouns.the} est désormais « {self.workflow.state_of(obj).label} »."

    def oob_fragments(self, obj) -> bytes:
        """Other parts of the page that depend on the state, swapped in out of band."""
        return b""

    def post(self, request, *args, **kwargs):
        obj = self.get_object()
        form = TransitionForm(request.POST, workflow=self.workflow)
        error = success = ""
        if not form.is_valid():
            error = UNKNOWN_MOVE
            if set(form.errors) == {"comment"}:
                error = f"{form.fields['comment'].label} : {' '.join(form.errors['comment'])}"
        else:
            data = form.cleaned_data
            try:
                transition = self.workflow.get(data["transition"])
                self.move(obj, transition, comment=data["comment"], expected=data["expected_state"])
            except KeyError:
                error = UNKNOWN_MOVE
            except ValidationError as refusal:
                error = " ".join(refusal.messages)
            except PermissionDenied as refusal:
                error = str(refusal) or "Vous ne pouvez pas faire ce changement d'état."
            else:
                success = self.success_message(obj)
        if request.htmx:
            context = self.panel(obj)
            context["panel"].update(
                error=error, success=success, comment=form.data.get("comment", "") if error else ""
            )
            panel = render(request, PANEL_TEMPLATE, context).content
            return HttpResponse(panel + self.oob_fragments(obj))
        if error:
            messages.error(request, error)
        else:
            messages.success(request, success)
        return redirect(obj.get_absolute_url())
