"""Forms of the SME registry and its dossiers.

They show errors next to the fields; they are never the gate. Each view hands the cleaned
data to one service of `pme.services`, which validates again and decides.
"""

from django import forms
from django.contrib.auth import get_user_model
from django.urls import reverse

from alize.formkit import OwnedFormMixin, ServiceDataMixin
from alize.forms import DateInput, EuroField, ReferentialForm
from alize.models import OPERATOR_ROLES, Commune, Epci
from alize.versioning import VersionedFormMixin
from pme.models import Document, DocumentKind, Dossier, Hire, Need, Pme, PmeContact
from pme.services.common import CONTACT_FIELDS, DOSSIER_FIELDS, PME_FIELDS
from pme.validators import DOCUMENT_ENDINGS, compact_number, validate_siret


class SiretField(forms.CharField):
    """A SIRET as people type it ("356 000 000 00048"): read as its fourteen digits."""

    default_validators = [validate_siret]

    def __init__(self, *, max_length=None, **kwargs):
        # Room for the spaces, dots and dashes typed between the digits.
        super().__init__(max_length=25, **kwargs)

    def to_python(self, value):
        return compact_number(super().to_python(value))

    def widget_attrs(self, widget):
        return {**super().widget_attrs(widget), "inputmode": "numeric", "autocomplete": "off"}


def needs_field(label: str, *, required: str = "") -> forms.MultipleChoiceField:
    """Domains of support (`Need`) to tick; `required` is the message when none is ticked
    (without one, none may be)."""
    options = {"error_messages": {"required": required}} if required else {"required": False}
    return forms.MultipleChoiceField(
        label=label, choices=Need.choices, widget=forms.CheckboxSelectMultiple, **options
    )


class PmeForm(VersionedFormMixin, ServiceDataMixin, ReferentialForm):
    """The company's record; in the creation form, a SIRET already known is not an error.

    With `reuse_existing`, a SIRET the user's basins already registered makes the other
    company fields optional: the service opens the dossier on the existing SME and leaves
    its record as it is.
    """

    service_fields = PME_FIELDS

    class Meta:
        model = Pme
        fields = list(PME_FIELDS)
        widgets = {"founding_date": DateInput()}
        field_classes = {"siret": SiretField}

    def __init__(self, *args, reuse_existing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.reuse_existing = reuse_existing
        self.fields["commune"].queryset = Commune.objects.visible_to(self.user)
        self.fields["headcount"].widget.attrs.setdefault("min", 0)
        self.existing = None
        if reuse_existing:
            # As the SIRET is typed, say whether the company is already registered.
            self.fields["siret"].widget.attrs.update(
                {
                    "hx-get": reverse("pme:siret_lookup"),
                    "hx-trigger": "input changed delay:400ms, change",
                    "hx-target": "#siret-connu",
                    "hx-swap": "outerHTML",
                }
            )
        if reuse_existing and self.is_bound:
            siret = compact_number(self.data.get(self.add_prefix("siret"), "") or "")
            self.existing = Pme.objects.visible_to(self.user).find_by_siret(siret)
            if self.existing:
                for name, field in self.fields.items():
                    field.required = name == "siret"

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        if self.reuse_existing:
            # A SIRET already registered is the service's business (reuse, or a refusal
            # naming the other basin), not a uniqueness error here.
            exclude.add("siret")
        return exclude

    def _post_clean(self):
        if self.existing is None:
            super()._post_clean()

    def service_data(self) -> dict:
        if self.existing is not None:
            return {"siret": self.cleaned_data["siret"]}
        return super().service_data()


class DossierForm(VersionedFormMixin, ServiceDataMixin, ReferentialForm):
    service_fields = DOSSIER_FIELDS

    needs = needs_field("Besoins par domaine", required="Indiquez au moins un besoin.")

    class Meta:
        model = Dossier
        fields = list(DOSSIER_FIELDS)
        widgets = {
            "project_summary": forms.Textarea(attrs={"rows": 4}),
            "orientation_date": DateInput(),
        }
        field_classes = {"advance_requested": EuroField, "bank_loans": EuroField}
        help_texts = {
            "oriented_by_epci": "Seulement si la PME a été orientée par une intercommunalité.",
            "staff_member": "Vous-même si vous n'en choisissez pas.",
        }

    def __init__(self, *args, basin=None, **kwargs):
        super().__init__(*args, **kwargs)
        epcis = Epci.objects.visible_to(self.user)
        # The staff members of the user's basins (of the SME's basin for an existing SME).
        staff = get_user_model().objects.filter(
            groups__name__in=OPERATOR_ROLES,
            basins__in=[basin] if basin else self.user.basins.all(),
        )
        if basin:
            epcis = epcis.filter(basin=basin)
        self.fields["oriented_by_epci"].queryset = epcis
        self.fields["staff_member"].queryset = staff.distinct().order_by("last_name", "first_name")
        self.fields["staff_member"].empty_label = "—"
        for name in ("jobs_planned", "jobs_horizon_months"):
            self.fields[name].widget.attrs.setdefault("min", 0 if name == "jobs_planned" else 1)


class ContactForm(ServiceDataMixin, ReferentialForm):
    """A contact of the SME; `optional` in the creation form, where it may stay empty."""

    service_fields = CONTACT_FIELDS

    class Meta:
        model = PmeContact
        fields = list(CONTACT_FIELDS)

    def __init__(self, *args, optional=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.optional = optional
        if optional:
            self.fields["name"].required = False

    @property
    def filled(self) -> bool:
        return any(self.data.get(self.add_prefix(name), "").strip() for name in self.fields)

    def clean(self):
        data = super().clean()
        if self.optional and self.filled and not data.get("name"):
            self.add_error("name", "Indiquez le nom du contact, ou videz ses autres champs.")
        return data

    def _post_clean(self):
        if not (self.optional and not self.filled):
            super()._post_clean()


class HireForm(OwnedFormMixin, ReferentialForm):
    owner_field = "dossier"
    submit_label = "Enregistrer l'embauche"

    class Meta:
        model = Hire
        fields = ["hire_date", "contract", "job_title", "evidence"]
        widgets = {"hire_date": DateInput()}

    def __init__(self, *args, **kwargs):
        # The model's rules about the dossier (no hire before orientation) show on the field.
        super().__init__(*args, **kwargs)
        self.fields["evidence"].widget.attrs["accept"] = ".pdf,.png,.jpg,.jpeg"


class DocumentForm(forms.Form):
    file = forms.FileField(
        label="Fichier",
        help_text=(
            "PDF, image (PNG, JPEG) ou fichier bureautique (Word, Excel, PowerPoint, "
            "OpenDocument), 10 Mo au plus."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(DOCUMENT_ENDINGS))}),
    )
    kind = forms.ChoiceField(label="Nature", choices=DocumentKind.choices)
    title = forms.CharField(
        label="Titre",
        required=False,
        max_length=Document._meta.get_field("title").max_length,
        help_text="Facultatif : à défaut, le nom du fichier.",
    )
