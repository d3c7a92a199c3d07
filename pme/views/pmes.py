"""The SME's page, its creation and changes, its contacts, and the SIRET look-up."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.views import View
from django.views.generic import DetailView, TemplateView

from alize.forms import attach_errors
from alize.views.base import act, row_or_404, visible_through
from pme import permissions, services
from pme.forms import ContactForm, DossierForm, PmeForm
from pme.models import Pme, PmeContact
from pme.validators import compact_number, validate_siret
from pme.views.base import OperatorMixin, PmeFormView, ReadMixin, editable_or_404

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
            .with_de_minimis_status()
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


class PmeUpdateView(PmeFormView):
    model = Pme
    form_class = PmeForm
    list_url_name = "pme:pme_list"
    success_message = "La fiche de l'entreprise est enregistrée."

    @staticmethod
    def pme_of(obj) -> Pme:
        return obj

    def save(self, form):
        return services.update_pme(
            pme=self.object,
            by=self.request.user,
            data=form.service_data(),
            version=form.expected_version(),
        )


# --- Contacts -------------------------------------------------------------------------------


class ContactFormView(PmeFormView):
    """Add a contact to an SME (pme_pk), or change one (pk)."""

    model = PmeContact
    form_class = ContactForm
    list_url_name = "pme:pme_list"
    success_message = "Le contact est enregistré."

    def get_queryset(self):
        return visible_through(PmeContact, self.request.user, "pme").select_related(
            "pme__commune__epci"
        )

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
        # The contact first, for the operators (OperatorMixin turns away the others).
        if self.allowed(request.user):
            self.contact = row_or_404(
                PmeContact,
                request.user,
                kwargs["pk"],
                parent="pme",
                related=("pme__commune__epci",),
            )
            editable_or_404(request.user, self.contact.pme)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(contact=self.contact, **kwargs)

    def post(self, request, *args, **kwargs):
        pme = self.contact.pme
        success = f"Le contact « {self.contact.name} » est supprimé."
        act(
            request, services.remove_contact, contact=self.contact, by=request.user, success=success
        )
        return redirect(pme.get_absolute_url())


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
