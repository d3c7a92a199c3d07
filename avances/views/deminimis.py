"""An SME's de minimis declarations: what it declared of the aid it received over the last
three years, the signed form, and the ceiling left today.

Seeing: the operators of the SME's basin and the administrators (404 for anyone else);
recording: the operators of the basin, through `record_de_minimis_declaration`, whose
French refusals show on the form (nothing is saved).
"""

from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from alize import antivirus
from alize.forms import attempt
from alize.views.base import cleaned, row_or_404
from avances import forms as f
from avances import permissions
from avances.models import DeMinimisDeclaration
from avances.models.common import ZERO
from avances.selectors import de_minimis_position, declarations_of
from avances.services import record_de_minimis_declaration
from avances.views.common import ScreensMixin, can_act, can_see_screens
from pme.models import Pme
from pme.views.base import file_download

TEMPLATE = "avances/deminimis.html"
# Blank aid lines offered at first; "Ajouter des lignes" offers more.
AID_LINES, MORE_LINES, MAX_LINES = 3, 3, f.DeMinimisAidFormSet.max_num


def get_pme(user, pk) -> Pme:
    """The SME, if the user sees it and works on (or reads) its basin's advances."""
    pme = get_object_or_404(Pme.objects.visible_to(user).with_geography(), pk=pk)
    if not permissions.can_manage_advances(user, pme.commune.epci.basin_id):
        raise Http404
    return pme


def aid_lines(raw) -> int:
    try:
        return min(max(int(raw), 1), MAX_LINES)
    except (TypeError, ValueError):
        return AID_LINES


class DeMinimisView(ScreensMixin, View):
    """The SME's declarations (GET) and the form that records a new one (POST)."""

    def dispatch(self, request, *args, **kwargs):
        self.pme = (
            get_pme(request.user, kwargs["pme_pk"]) if can_see_screens(request.user) else None
        )
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pme_pk):
        lines = aid_lines(request.GET.get("lignes"))
        form = f.DeMinimisDeclarationForm(
            initial={"declared_on": timezone.localdate(), "signatory": ""}
        )
        aids = f.DeMinimisAidFormSet(prefix="aides", initial=[{}] * lines)
        return self.render(form, aids, lines)

    def post(self, request, pme_pk):
        if not can_act(request.user, self.pme.commune.epci.basin_id):
            raise Http404
        form = f.DeMinimisDeclarationForm(request.POST, request.FILES)
        aids = f.DeMinimisAidFormSet(request.POST, prefix="aides")
        if form.is_valid() and aids.is_valid():
            declaration = attempt(
                form,
                record_de_minimis_declaration,
                pme=self.pme,
                **cleaned(form, "declared_on", "signatory", "signed_declaration"),
                aids=[line.service_data() for line in aids if line.filled],
                by=request.user,
            )
            if declaration is not None:
                messages.success(request, "La déclaration des aides de minimis est enregistrée.")
                return redirect(reverse("avances:deminimis", args=[self.pme.pk]))
        return self.render(form, aids, aids.total_form_count())

    def render(self, form, aids, lines):
        today = timezone.localdate()
        may_act = can_act(self.request.user, self.pme.commune.epci.basin_id)
        return render(
            self.request,
            TEMPLATE,
            {
                "title": f"Aides de minimis : {self.pme.name}",
                "pme": self.pme,
                "declarations": declarations_of(self.pme),
                "position": de_minimis_position(pme=self.pme, day=today, gge=ZERO),
                "today": today,
                "may_act": may_act,
                "form": form,
                "aids": aids,
                "more_lines": min(lines + MORE_LINES, MAX_LINES) if lines < MAX_LINES else 0,
            },
        )


class SignedDeclarationView(ScreensMixin, View):
    """The signed declaration's scan, to the operators of the SME's basin."""

    def get(self, request, pk):
        declaration = row_or_404(
            DeMinimisDeclaration, request.user, pk, parent="pme", related=("pme__commune__epci",)
        )
        if not (
            declaration.signed_declaration
            and permissions.can_manage_advances(request.user, declaration.pme.commune.epci.basin_id)
        ):
            raise Http404
        if refusal := antivirus.not_downloadable(request, declaration.signed_declaration_scan):
            return refusal
        suffix = Path(declaration.signed_declaration.name).suffix.lower()
        return file_download(
            declaration.signed_declaration,
            f"declaration-de-minimis-{declaration.pk}{suffix}",
        )
