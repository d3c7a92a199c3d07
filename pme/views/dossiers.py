"""The dossier's page, its state panel, its changes, and its hires."""

from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import DetailView

from alize import antivirus
from alize.views.base import REFUSALS, ReferentialFormView, cleaned, row_or_404
from alize.views.workflow import TransitionView, panel_context
from pme import permissions, services
from pme.forms import DossierForm, HireForm
from pme.models import Dossier, Hire
from pme.views.base import OperatorMixin, PmeFormView, ReadMixin, editable_or_404, file_download
from pme.workflow import DOSSIER_WORKFLOW, DossierState

# --- The dossier page -----------------------------------------------------------------------


def state_panel_context(user, dossier) -> dict:
    """The dossier's state panel (`components/workflow_panel.html`): the state, how long it
    has waited, what comes next, the moves this user may make and the timeline."""
    notice = ""
    if dossier.state == DossierState.SUBMITTED:
        notice = (
            "La décision appartient au comité d'agrément : elle s'enregistre depuis la séance "
            "où le dossier est inscrit, une fois le vote clos."
        )
    return panel_context(
        workflow=DOSSIER_WORKFLOW,
        obj=dossier,
        user=user,
        permission=permissions.can_apply_transition,
        url=reverse("pme:dossier_transition", args=[dossier.pk]),
        dom_id="etat-dossier",
        title="État du dossier",
        facts_template="pme/partials/_state_facts.html",
        empty_timeline=(
            f"Orienté le {dossier.orientation_date:%d/%m/%Y} ; aucun changement d'état depuis."
        ),
        notice=notice,
    )


class DossierDetailView(ReadMixin, DetailView):
    model = Dossier
    template_name = "pme/dossier_detail.html"
    context_object_name = "dossier"

    def get_queryset(self):
        return super().get_queryset().with_related()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, dossier = self.request.user, self.object
        can_record_hire, hire_refusal = permissions.can_record_hire(user, dossier)
        can_view_contacts = permissions.can_view_contacts(user)
        context.update(
            state_panel_context(user, dossier),
            can_edit=permissions.can_edit_dossier(user, dossier),
            can_edit_pme=permissions.can_edit_pme(user, dossier.pme),
            hires=list(dossier.hires.all()),
            can_view_evidence=permissions.can_view_hire_evidence(user),
            can_record_hire=can_record_hire,
            hire_refusal=hire_refusal if permissions.can_edit_pme(user, dossier.pme) else "",
            hire_form=HireForm(user=user, dossier=dossier) if can_record_hire else None,
            can_view_contacts=can_view_contacts,
            contacts=list(dossier.pme.contacts.all()) if can_view_contacts else [],
        )
        return context


class DossierTransitionView(OperatorMixin, TransitionView):
    """Move a dossier from its state panel."""

    model = Dossier
    workflow = DOSSIER_WORKFLOW

    def get_object(self):
        dossier = get_object_or_404(self.get_queryset().with_related(), pk=self.kwargs["pk"])
        editable_or_404(self.request.user, dossier.pme)
        return dossier

    def move(self, obj, transition, *, comment, expected):
        services.transition_dossier(
            dossier=obj,
            to_state=transition.target,
            by=self.request.user,
            comment=comment,
            expected_state=expected,
        )

    def panel(self, obj):
        return state_panel_context(self.request.user, obj)


class DossierFormView(PmeFormView):
    """Open a new dossier for an SME (pme_pk), or change what a dossier says (pk)."""

    model = Dossier
    form_class = DossierForm
    list_url_name = "pme:dossier_list"
    success_message = "Le dossier est enregistré."

    def get_queryset(self):
        return super().get_queryset().with_related()

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object is not None and not self.object.is_open:
            messages.error(
                request, f"Un dossier « {self.object.get_state_display()} » ne se modifie plus."
            )
            return redirect(self.object.get_absolute_url())
        return response

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["basin"] = self.pme.commune.epci.basin
        if self.object is None:
            kwargs["initial"] = {**kwargs.get("initial", {}), "staff_member": self.request.user.pk}
        return kwargs

    def save(self, form):
        if self.object is not None:
            return services.update_dossier(
                dossier=self.object,
                by=self.request.user,
                data=form.service_data(),
                version=form.expected_version(),
            )
        # The sanctioned writer of a new dossier: the SME is found by its SIRET and kept as it is.
        return services.create_pme_with_dossier(
            by=self.request.user,
            pme_data={"siret": self.pme.siret},
            dossier_data=form.service_data(),
        ).dossier

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        open_dossier = None
        if self.object is None:
            open_dossier = self.pme.dossiers.open().first()
            context["title"] = f"Nouveau dossier : {self.pme}"
        if open_dossier:
            context["help_text"] = (
                f"Cette entreprise a déjà un dossier en cours (n° {open_dossier.pk}, "
                f"« {open_dossier.get_state_display()} ») : clôturez-le ou retirez-le avant "
                "d'en ouvrir un autre."
            )
        return context


# --- Jobs -------------------------------------------------------------------------------------


class HireCreateView(ReferentialFormView):
    model = Dossier
    form_class = HireForm
    allowed = staticmethod(permissions.can_create_pme)
    list_url_name = "pme:dossier_list"
    success_message = "L'embauche est enregistrée."
    refusals = REFUSALS

    def get_object(self):
        return None

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.dossier = get_object_or_404(
            Dossier.objects.visible_to(self.request.user).with_related(), pk=self.kwargs["pk"]
        )
        editable_or_404(self.request.user, self.dossier.pme)
        kwargs["dossier"] = self.dossier
        return kwargs

    def save(self, form):
        services.record_hire(
            dossier=self.dossier,
            by=self.request.user,
            **cleaned(form, "hire_date", "contract", "job_title"),
            evidence=form.cleaned_data["evidence"] or None,
        )
        return self.dossier

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        allowed, reason = permissions.can_record_hire(self.request.user, self.dossier)
        context.update(
            title=f"Nouvelle embauche : {self.dossier}",
            help_text="" if allowed else reason,
        )
        return context


class HireEvidenceView(ReadMixin, View):
    """A hire's evidence file: personal data, to the operators who may see its dossier."""

    model = Hire
    allowed = staticmethod(permissions.can_view_hire_evidence)

    def get(self, request, pk):
        hire = row_or_404(Hire, request.user, pk, parent="dossier")
        if not hire.evidence:
            raise Http404
        if refusal := antivirus.not_downloadable(request, hire.evidence_scan):
            return refusal
        suffix = Path(hire.evidence.name).suffix.lower()
        return file_download(hire.evidence, f"justificatif-embauche-{hire.pk}{suffix}")
