"""What the SME and dossier pages share: who may open them, and the SME a form works on.

The views stay thin, as in the referential: a scoped queryset (what a user may not see is
a 404), one service of `pme.services`, its French refusal shown on the form.
"""

import copy

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404

from alize.views.base import ReferentialFormView, ScopedMixin
from pme import permissions
from pme.models import Pme


class ReadMixin(ScopedMixin):
    """Pages of SMEs and dossiers: readers only, each reading what visible_to gives them."""

    allowed = staticmethod(permissions.can_browse_pmes)


class OperatorMixin(ScopedMixin):
    """Pages that change SMEs and dossiers: the operator's staff and managers only."""

    allowed = staticmethod(permissions.can_create_pme)


def editable_or_404(user, pme) -> None:
    if not permissions.can_edit_pme(user, pme):
        raise Http404


class PmeFormView(ReferentialFormView):
    """A form on an SME (`pme_pk`: a new contact or dossier), on the SME itself or on one of
    its rows (`pk`), for the operators who work on it.

    `self.pme` is the SME, read through what the user may see and refused (404) unless the
    user works on it; the form edits a copy, so the page's object stays as in the database.
    """

    allowed = staticmethod(permissions.can_create_pme)

    @staticmethod
    def pme_of(obj) -> Pme:
        return obj.pme

    def get_object(self):
        obj = super().get_object()
        if obj is None:
            self.pme = get_object_or_404(
                Pme.objects.visible_to(self.request.user).with_geography(),
                pk=self.kwargs["pme_pk"],
            )
        else:
            self.pme = self.pme_of(obj)
        editable_or_404(self.request.user, self.pme)
        return obj

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            kwargs["instance"] = copy.copy(self.object)
        return kwargs


def file_download(field, filename: str, *, missing: str = "", **options) -> FileResponse:
    """A stored file as an attachment: a 404 when it is not on disk."""
    try:
        handle = field.open("rb")
    except FileNotFoundError as exc:
        raise Http404(missing) from exc
    return FileResponse(handle, as_attachment=True, filename=filename, **options)
