"""Screens of the SME registry and its dossiers.

The views stay thin, as in the referential: a scoped queryset (what a user may not see is
a 404), one service of `pme.services`, its French refusal shown on the form.
"""

import copy
from abc import ABCMeta, abstractmethod
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.urls import NoReverseMatch, reverse
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from alize.forms import attach_errors
from alize.models import Role
from alize.views.base import ReferentialFormView, ScopedMixin
from alize.views.workflow import TransitionView, panel_context
from pme import exports, permissions, services
from pme.forms import ContactForm, DossierForm, HireForm, PmeForm
from pme.models import Dossier, Hire, Pme, PmeContact
from pme.queries import DOSSIER_LIST, PME_LIST, ListFilterForm, attach_current_dossiers
from pme.validators import compact_number, validate_siret
from pme.workflow import DOSSIER_WORKFLOW, DossierState

DOCUMENTS_TEMPLATE = "pme/partials/_documents.html"


class ReadMixin(ScopedMixin):
    """Pages of SMEs and dossiers: readers only, each reading what visible_to gives them."""

    allowed = staticmethod(permissions.can_browse_pmes)


class OperatorMixin(ScopedMixin):
    """Pages that change SMEs and dossiers: the operator's staff and managers only."""

    allowed = staticmethod(permissions.can_create_pme)


def editable_or_404(user, pme) -> None:
    if not permissions.can_edit_pme(user, pme):
        raise Http404


# --- Lists and their exports ------------------------------------------------------------


class FilteredListMixin(ReadMixin, metaclass=ABCMeta):
    """The search, filters and sort of a list, shared by the page and its exports."""

    kind = None

    @abstractmethod
    def base_queryset(self):
        """The rows before the filters: what the user may read."""

    def get_queryset(self):
        user = self.request.user
        self.filters = ListFilterForm(
            self.request.GET,
            kind=self.kind,
            visible_pmes=Pme.objects.visible_to(user),
            visible_dossiers=Dossier.objects.visible_to(user),
        )
        return self.filters.apply(self.base_queryset())


class FilteredListView(FilteredListMixin, ListView):
    paginate_by = 25
    headers: list[tuple] = []  # (label, sort key or "", optional CSS class)
    export_url_names = ("", "")
    title = ""

    def paginate_queryset(self, queryset, page_size):
        # "?page=abc" or "?page=999" shows the first or the last page, never an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        query = f"?{params.urlencode()}" if params else ""
        csv_name, xlsx_name = self.export_url_names
        context.update(
            title=self.title,
            filters=self.filters,
            columns=self.filters.columns(self.headers),
            csv_url=reverse(csv_name) + query,
            xlsx_url=reverse(xlsx_name) + query,
            can_create=permissions.can_create_pme(self.request.user),
        )
        return context


class PmeListMixin:
    model = Pme
    kind = PME_LIST

    def base_queryset(self):
        return Pme.objects.visible_to(self.request.user).with_geography().with_current_dossier()


class DossierListMixin:
    model = Dossier
    kind = DOSSIER_LIST

    def base_queryset(self):
        return Dossier.objects.visible_to(self.request.user).with_related().with_hires_count()


class PmeListView(PmeListMixin, FilteredListView):
    template_name = "pme/pme_list.html"
    title = "Entreprises"
    export_url_names = ("pme:pme_export_csv", "pme:pme_export_xlsx")
    headers = [
        ("Raison sociale", "name"),
        ("Commune", ""),
        ("Secteur, effectif", ""),
        ("État du dossier", "state"),
        ("Temps dans l'état", "time"),
        ("Prochaine action", ""),
        ("Emplois prévus", "jobs", "text-end"),
        ("Orientée le", "orientation"),
        ("Chargé(e) de mission", ""),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = attach_current_dossiers(context["object_list"])
        return context


class DossierListView(DossierListMixin, FilteredListView):
    template_name = "pme/dossier_list.html"
    title = "Dossiers"
    export_url_names = ("pme:dossier_export_csv", "pme:dossier_export_xlsx")
    headers = [
        ("Entreprise", "name"),
        ("État", "state"),
        ("Temps dans l'état", "time"),
        ("Prochaine action", ""),
        ("Nature", ""),
        ("Emplois prévus", "jobs", "text-end"),
        ("Embauches", "", "text-end"),
        ("Avance demandée", "", "text-end"),
        ("Orientée le", "orientation"),
        ("Chargé(e) de mission", ""),
    ]


class ExportView(FilteredListMixin, View):
    """The list the user is looking at (all its pages), as CSV or XLSX."""

    fmt = "csv"
    stem = ""
    sheet_title = ""
    columns = ()

    def rows(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        rows = self.rows()
        if self.fmt == "xlsx":
            return exports.xlsx_response(self.stem, self.sheet_title, self.columns, rows)
        return exports.csv_response(self.stem, self.columns, rows)


class PmeExportView(PmeListMixin, ExportView):
    stem = "entreprises"
    sheet_title = "Entreprises"
    columns = exports.PME_COLUMNS

    def rows(self):
        return attach_current_dossiers(self.get_queryset())


class DossierExportView(DossierListMixin, ExportView):
    stem = "dossiers"
    sheet_title = "Dossiers"
    columns = exports.DOSSIER_COLUMNS


# --- The SME page -----------------------------------------------------------------------


class PmeDetailView(ReadMixin, DetailView):
    model = Pme
    template_name = "pme/pme_detail.html"

    def get_queryset(self):
        return super().get_queryset().with_geography()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, pme = self.request.user, self.object
        dossiers = list(
            pme.dossiers.select_related("staff_member")
            .with_hires_count()
            .order_by("-orientation_date", "-pk")
        )
        current = next((d for d in dossiers if d.is_open), dossiers[0] if dossiers else None)
        can_edit = permissions.can_edit_pme(user, pme)
        context.update(
            dossiers=dossiers,
            current_dossier=current,
            can_edit=can_edit,
            can_open_dossier=can_edit and not any(d.is_open for d in dossiers),
            can_view_contacts=permissions.can_view_contacts(user),
            contacts=list(pme.contacts.all()) if permissions.can_view_contacts(user) else [],
        )
        return context


class PmeCreateView(OperatorMixin, TemplateView):
    """One short form: the company (or an existing one, by its SIRET), its first dossier and,
    if the user has one at hand, a first contact."""

    model = Pme
    template_name = "pme/pme_create.html"

    def get_forms(self):
        user = self.request.user
        data = self.request.POST if self.request.method == "POST" else None
        return (
            PmeForm(
                data,
                prefix="pme",
                user=user,
                reuse_existing=True,
                initial={"siret": self.request.GET.get("siret", "")},
            ),
            DossierForm(data, prefix="dossier", user=user, initial={"staff_member": user.pk}),
            ContactForm(data, prefix="contact", user=user, optional=True),
        )

    def get(self, request, *args, **kwargs):
        return self.render_forms(*self.get_forms())

    def post(self, request, *args, **kwargs):
        pme_form, dossier_form, contact_form = self.get_forms()
        # Validate all three (no short-circuit), so that every error shows at once.
        valid = [form.is_valid() for form in (pme_form, dossier_form, contact_form)]
        if all(valid):
            contacts = [contact_form.service_data()] if contact_form.filled else []
            try:
                result = services.create_pme_with_dossier(
                    by=request.user,
                    pme_data=pme_form.service_data(),
                    dossier_data=dossier_form.service_data(),
                    contacts=contacts,
                )
            except ValidationError as error:
                attach_errors(error, dossier_form, pme_form, contact_form)
            except PermissionDenied as error:
                dossier_form.add_error(None, str(error))
            else:
                if result.pme_created:
                    messages.success(request, "L'entreprise et son dossier sont enregistrés.")
                else:
                    messages.info(request, result.message)
                    if contacts:
                        messages.warning(
                            request,
                            "Le contact saisi n'a pas été ajouté à la fiche existante : "
                            "ajoutez-le depuis la fiche de l'entreprise si besoin.",
                        )
                return redirect(result.dossier.get_absolute_url())
        return self.render_forms(pme_form, dossier_form, contact_form)

    def render_forms(self, pme_form, dossier_form, contact_form):
        forms = (pme_form, dossier_form, contact_form)
        return self.render_to_response(
            self.get_context_data(
                pme_form=pme_form,
                dossier_form=dossier_form,
                contact_form=contact_form,
                has_errors=any(form.errors for form in forms),
                lookup=siret_lookup_context(
                    self.request.user, pme_form["siret"].value() or "", only_complete=True
                ),
            )
        )


class PmeUpdateView(ReferentialFormView):
    model = Pme
    form_class = PmeForm
    allowed = staticmethod(permissions.can_create_pme)
    list_url_name = "pme:pme_list"
    success_message = "La fiche de l'entreprise est enregistrée."

    def get_object(self):
        pme = super().get_object()
        editable_or_404(self.request.user, pme)
        return pme

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # The form writes into its instance: keep the page's object as it is in the database.
        kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def save(self, form):
        return services.update_pme(pme=self.object, by=self.request.user, data=form.service_data())


# --- Contacts -------------------------------------------------------------------------------


class ContactFormView(ReferentialFormView):
    """Add a contact to an SME (pme_pk), or change one (pk)."""

    model = PmeContact
    form_class = ContactForm
    allowed = staticmethod(permissions.can_create_pme)
    list_url_name = "pme:pme_list"
    success_message = "Le contact est enregistré."

    def get_queryset(self):
        return PmeContact.objects.filter(
            pme__in=Pme.objects.visible_to(self.request.user)
        ).select_related("pme__commune__epci")

    def get_object(self):
        contact = super().get_object()
        if contact is None:
            self.pme = get_object_or_404(
                Pme.objects.visible_to(self.request.user).with_geography(),
                pk=self.kwargs["pme_pk"],
            )
        else:
            self.pme = contact.pme
        editable_or_404(self.request.user, self.pme)
        return contact

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object is not None:
            kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def save(self, form):
        user, data = self.request.user, form.service_data()
        if self.object is None:
            services.add_contact(pme=self.pme, by=user, data=data)
        else:
            services.update_contact(contact=self.object, by=user, data=data)
        # Back to the SME's page, where its contacts are listed.
        return self.pme

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Modifier le contact « {self.object.name} »"
            if self.object
            else f"Nouveau contact : {self.pme}",
            list_title="entreprises",
        )
        return context


class ContactDeleteView(OperatorMixin, TemplateView):
    model = PmeContact
    template_name = "pme/contact_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        self.contact = get_object_or_404(
            PmeContact.objects.filter(pme__in=Pme.objects.visible_to(request.user)).select_related(
                "pme__commune__epci"
            ),
            pk=kwargs["pk"],
        )
        editable_or_404(request.user, self.contact.pme)
        return super(ScopedMixin, self).dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def post(self, request, *args, **kwargs):
        pme = self.contact.pme
        try:
            services.remove_contact(contact=self.contact, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(request, f"Le contact « {self.contact.name} » est supprimé.")
        return redirect(pme.get_absolute_url())


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


def documents_enabled() -> bool:
    """Whether the documents of a dossier can be shown (their partial exists)."""
    try:
        get_template(DOCUMENTS_TEMPLATE)
    except TemplateDoesNotExist:
        return False
    return True


def dossier_pdf_url(dossier) -> str:
    try:
        return reverse("pme:dossier_pdf", args=[dossier.pk])
    except NoReverseMatch:
        return ""


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
            documents_enabled=documents_enabled(),
            pdf_url=dossier_pdf_url(dossier),
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


class DossierFormView(ReferentialFormView):
    """Open a new dossier for an SME (pme_pk), or change what a dossier says (pk)."""

    model = Dossier
    form_class = DossierForm
    allowed = staticmethod(permissions.can_create_pme)
    list_url_name = "pme:dossier_list"
    success_message = "Le dossier est enregistré."

    def get_queryset(self):
        return super().get_queryset().with_related()

    def get_object(self):
        dossier = super().get_object()
        if dossier is None:
            self.pme = get_object_or_404(
                Pme.objects.visible_to(self.request.user).with_geography(),
                pk=self.kwargs["pme_pk"],
            )
        else:
            self.pme = dossier.pme
        editable_or_404(self.request.user, self.pme)
        return dossier

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
        if self.object is not None:
            kwargs["instance"] = copy.copy(self.object)
        else:
            kwargs["initial"] = {**kwargs.get("initial", {}), "staff_member": self.request.user.pk}
        return kwargs

    def save(self, form):
        if self.object is not None:
            return services.update_dossier(
                dossier=self.object, by=self.request.user, data=form.service_data()
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
        data = form.cleaned_data
        services.record_hire(
            dossier=self.dossier,
            by=self.request.user,
            hire_date=data["hire_date"],
            contract=data["contract"],
            job_title=data["job_title"],
            evidence=data["evidence"] or None,
        )
        return self.dossier

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except PermissionDenied as refusal:
            form.add_error(None, str(refusal))
            return self.form_invalid(form)

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
        hire = get_object_or_404(
            Hire.objects.filter(dossier__in=Dossier.objects.visible_to(request.user)), pk=pk
        )
        if not hire.evidence:
            raise Http404
        suffix = Path(hire.evidence.name).suffix.lower()
        try:
            handle = hire.evidence.open("rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        return FileResponse(
            handle, as_attachment=True, filename=f"justificatif-embauche-{hire.pk}{suffix}"
        )


# --- Work queue and SIRET look-up ---------------------------------------------------------------


class WorkQueueView(OperatorMixin, TemplateView):
    """The staff member's open dossiers, the longest waiting first, with their next action.

    Managers also see every dossier of their basins that waits for a committee decision.
    """

    model = Dossier
    template_name = "pme/work_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Dossier.objects.visible_to(user).with_related()
        context["mine"] = list(visible.open().in_charge_of(user).longest_waiting_first())
        if user.has_role(Role.MANAGER):
            context["awaiting_committee"] = list(
                visible.awaiting_committee().longest_waiting_first()
            )
        return context


def siret_lookup_context(user, raw: str, *, only_complete: bool = False) -> dict:
    """What the creation form says about a SIRET: already registered here, in another basin,
    or a wrong key. Nothing while it is still being typed."""
    siret = compact_number(raw or "")
    if len(siret) != 14 or not siret.isdigit():
        return {}
    try:
        validate_siret(siret)
    except ValidationError as error:
        return {} if only_complete else {"lookup_error": " ".join(error.messages)}
    existing = Pme.objects.filter(siret=siret).with_geography().first()
    if existing is None:
        return {}
    if Pme.objects.visible_to(user).filter(pk=existing.pk).exists():
        return {"existing": existing, "open_dossier": existing.dossiers.open().first()}
    return {"elsewhere": True}


class SiretLookupView(OperatorMixin, View):
    """The htmx look-up of the SIRET field: "this company already exists", with its link."""

    model = Pme

    def get(self, request):
        raw = request.GET.get("siret") or request.GET.get("pme-siret") or ""
        return render(
            request, "pme/partials/_siret_lookup.html", siret_lookup_context(request.user, raw)
        )
