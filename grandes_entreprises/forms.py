"""Forms of corporations, support missions and revitalisation conventions.

They show errors next to the fields; they are never the gate. Each view hands the cleaned
data to one service of `grandes_entreprises.services`, which validates again and decides.
"""

from decimal import Decimal

from django import forms
from django.db.models import Q

from alize.formkit import CrispyForm, OwnedFormMixin, ServiceDataMixin, text_field
from alize.forms import DateInput, EuroField, ReferentialForm
from alize.modelkit import sane_years
from alize.models import Basin, Funder
from alize.once import OnceFormMixin
from alize.versioning import VersionedFormMixin
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    CorporationContact,
    DailyRate,
    Expert,
    Membership,
    MissionResult,
    RevitalisationConvention,
    SupportMission,
)
from grandes_entreprises.models.common import MULTIPLE_CEILING
from grandes_entreprises.services import CONTACT_FIELDS, CORPORATION_FIELDS, EXPERT_FIELDS
from pme.forms import SiretField, needs_field
from pme.models import Need

HALF_DAY, WHOLE_DAY = Decimal("0.5"), Decimal("1")
SATISFACTION_CHOICES = [
    ("", "Non recueillie"),
    (1, "1 – pas du tout satisfaite"),
    (2, "2 – peu satisfaite"),
    (3, "3 – assez satisfaite"),
    (4, "4 – satisfaite"),
    (5, "5 – très satisfaite"),
]


def days_field(label: str, **kwargs) -> forms.DecimalField:
    """A number of days as people type it: « 1,5 » or « 1.5 »."""
    field = forms.DecimalField(label=label, max_digits=5, decimal_places=1, localize=True, **kwargs)
    field.widget.attrs.update({"inputmode": "decimal", "autocomplete": "off"})
    return field


# --- Corporations ----------------------------------------------------------------------


class CorporationForm(VersionedFormMixin, ServiceDataMixin, ReferentialForm):
    """A corporation's record: one local site of a group, in one of the user's basins.

    On an edit the basin is not offered (experts, missions and rates belong to it). The
    funders offered are the « grande entreprise » funders of the user's basins that no other
    corporation carries yet.
    """

    class Meta:
        model = Corporation
        fields = ["group_name", "site_name", "siret", "sector", "headcount", "basin", "funder"]
        field_classes = {"siret": SiretField}
        help_texts = {
            "group_name": "Par exemple : Toyota, Alstom, Vallourec.",
            "funder": (
                "Le financeur « grande entreprise » qui porte ses contributions au programme, "
                "s'il est déjà enregistré parmi les financeurs du bassin."
            ),
        }
        error_messages = {
            "headcount": {"min_value": "L'effectif du groupe compte au moins une personne."},
            "funder": {"unique": "Ce financeur correspond déjà à une autre grande entreprise."},
        }

    service_fields = CORPORATION_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            del self.fields["basin"]
            basins = Basin.objects.filter(pk=self.instance.basin_id)
        else:
            basins = self.fields["basin"].queryset
        free = Q(corporation__isnull=True)
        if self.instance.pk:
            free |= Q(corporation=self.instance.pk)
        self.fields["funder"].queryset = Funder.objects.filter(
            free, kind=Funder.Kind.CORPORATION, basin__in=basins
        ).order_by("name")
        self.fields["funder"].empty_label = "— Aucun pour l'instant —"


class CorporationContactForm(OwnedFormMixin, ServiceDataMixin, ReferentialForm):
    owner_field = "corporation"
    service_fields = CONTACT_FIELDS

    class Meta:
        model = CorporationContact
        fields = ["name", "role", "email", "phone"]


class MembershipForm(OwnedFormMixin, ReferentialForm):
    """A corporation joins one of its basin's programme periods."""

    owner_field = "corporation"
    submit_label = "Enregistrer la participation"

    class Meta:
        model = Membership
        fields = ["period", "joined_on", "left_on"]
        widgets = {"joined_on": DateInput(), "left_on": DateInput()}
        help_texts = {"left_on": "À laisser vide tant que l'entreprise participe."}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].queryset = self.owner.basin.periods.order_by("start_date")
        self.fields["period"].empty_label = "— Choisissez la période —"


class MembershipEndForm(CrispyForm):
    submit_label = "Enregistrer la sortie"

    left_on = forms.DateField(
        label="Sortie du programme", widget=DateInput(), validators=sane_years()
    )


class HolderChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.email})"


class HolderForm(CrispyForm):
    """Pick the person to name coordinator or committee representative of a corporation:
    an active account of its basin with the right role, not named yet."""

    submit_label = "Nommer"

    user = HolderChoiceField(label="Personne", queryset=None, empty_label="— Choisissez —")

    def __init__(self, *args, people, label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = people
        self.fields["user"].label = label


class ExpertForm(OwnedFormMixin, ServiceDataMixin, ReferentialForm):
    owner_field = "corporation"
    service_fields = EXPERT_FIELDS

    domains = needs_field(
        "Domaines d'expertise", required="Indiquez au moins un domaine d'expertise."
    )

    class Meta:
        model = Expert
        fields = ["name", "job_title", "domains", "email", "is_active"]


class DailyRateForm(OwnedFormMixin, ReferentialForm):
    owner_field = "corporation"
    submit_label = "Enregistrer la valeur"

    class Meta:
        model = DailyRate
        fields = ["rate", "valid_from", "comment"]
        widgets = {"valid_from": DateInput()}
        field_classes = {"rate": EuroField}
        help_texts = {
            "valid_from": (
                "Les journées données à partir de cette date sont valorisées à ce montant ; "
                "les précédentes gardent la valeur de leur date."
            )
        }


# --- Support missions ------------------------------------------------------------------


class ExpertChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, expert):
        return f"{expert.name} ({expert.job_title}) — {expert.corporation.name}"


class MissionForm(CrispyForm):
    """A new mission on a dossier. The experts offered are those of the corporation chosen
    (the page reloads them with htmx when it changes), or of every corporation of the basin
    before one is chosen; the service refuses an expert of another corporation."""

    submit_label = "Organiser la mission"

    corporation = forms.ModelChoiceField(
        label="Grande entreprise", queryset=None, empty_label="— Choisissez l'entreprise —"
    )
    experts = ExpertChoiceField(
        label="Experts",
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Indiquez au moins un expert."},
    )
    domain = forms.ChoiceField(label="Domaine", choices=Need.choices)
    objective = text_field("Objectif", max_length=2000, required=True)
    planned_days = days_field(
        "Jours prévus", help_text="Par demi-journées : 0,5, 1, 1,5… pour tous les experts."
    )
    start_date = forms.DateField(label="Début", widget=DateInput(), validators=sane_years())
    end_date = forms.DateField(label="Fin", widget=DateInput(), validators=sane_years())

    def __init__(self, *args, corporations, chosen=None, dossier=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corporation"].queryset = corporations
        experts = Expert.objects.filter(is_active=True).select_related("corporation")
        if chosen is not None:
            experts = experts.filter(corporation=chosen)
        else:
            experts = experts.filter(corporation__in=corporations)
        self.fields["experts"].queryset = experts.order_by(
            "corporation__group_name", "corporation__site_name", "name"
        )
        self.chosen = chosen
        self.has_experts = experts.exists()
        if dossier is not None and dossier.needs and not self.is_bound:
            self.initial.setdefault("domain", dossier.needs[0])

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "La fin de la mission ne peut précéder son début.")
        return data


class AssignExpertForm(CrispyForm):
    submit_label = "Ajouter l'expert"

    expert = forms.ModelChoiceField(label="Expert", queryset=None, empty_label="—")

    def __init__(self, *args, mission, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["expert"].queryset = (
            Expert.objects.filter(corporation_id=mission.corporation_id, is_active=True)
            .exclude(assignments__mission=mission)
            .order_by("name")
        )


class DayLogForm(CrispyForm):
    """The time one expert of the mission gave on one date: half a day or a day."""

    submit_label = "Enregistrer la journée"
    # The mission page holds other forms: its fields are named apart.
    prefix = "journee"

    expert = forms.TypedChoiceField(label="Expert", coerce=int)
    date = forms.DateField(label="Date", widget=DateInput(), validators=sane_years())
    days = forms.TypedChoiceField(
        label="Temps donné",
        choices=[(str(WHOLE_DAY), "1 journée"), (str(HALF_DAY), "½ journée")],
        coerce=Decimal,
        initial=str(WHOLE_DAY),
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(label="Commentaire (facultatif)", required=False, max_length=300)

    def __init__(self, *args, experts: list[Expert], **kwargs):
        super().__init__(*args, **kwargs)
        self.experts = {expert.pk: expert for expert in experts}
        self.fields["expert"].choices = [("", "—")] + [
            (expert.pk, expert.name) for expert in experts
        ]
        if len(experts) == 1:
            self.initial.setdefault("expert", experts[0].pk)

    def clean_expert(self):
        return self.experts[self.cleaned_data["expert"]]


class MissionResultForm(OwnedFormMixin, ReferentialForm):
    owner_field = "mission"
    submit_label = "Enregistrer le résultat"

    class Meta:
        model = MissionResult
        fields = ["kind", "title", "achieved_on", "description"]
        widgets = {"achieved_on": DateInput(), "description": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"achieved_on": "Obligatoire pour une certification."}


class OutcomeForm(ReferentialForm):
    submit_label = "Enregistrer le bilan"

    sme_satisfaction = forms.TypedChoiceField(
        label="Satisfaction de la PME",
        choices=SATISFACTION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = SupportMission
        fields = ["outcome", "sme_satisfaction"]
        widgets = {"outcome": forms.Textarea(attrs={"rows": 4})}


class ConventionForm(OnceFormMixin, OwnedFormMixin, ReferentialForm):
    owner_field = "corporation"
    submit_label = "Enregistrer la convention"

    class Meta:
        model = RevitalisationConvention
        fields = [
            "reference",
            "signature_date",
            "ends_on",
            "without_convention",
            "jobs_eliminated",
            "employees_reclassified",
            "multiple",
            "jobs_to_recreate",
            "comment",
        ]
        widgets = {
            "signature_date": DateInput(),
            "ends_on": DateInput(),
            "comment": forms.Textarea(attrs={"rows": 3}),
        }
        localized_fields = ["multiple"]
        help_texts = {
            "signature_date": "Le SMIC mensuel en vigueur à cette date sert au calcul.",
            "multiple": (
                "Fixé par le préfet, de 2 à 4 SMIC mensuels par emploi supprimé ; laissé vide "
                "« sans convention » (4 SMIC)."
            ),
        }
        error_messages = {"reference": {"unique": "Une convention porte déjà cette référence."}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["multiple"].required = False
        self.fields["multiple"].widget.attrs.update({"inputmode": "decimal"})

    def clean(self):
        data = super().clean()
        if data.get("without_convention"):
            if data.get("multiple") not in (None, MULTIPLE_CEILING):
                self.add_error(
                    "multiple",
                    "Sans convention, la contribution est de 4 SMIC mensuels par emploi supprimé.",
                )
            else:
                data["multiple"] = MULTIPLE_CEILING
        elif data.get("multiple") is None and "multiple" not in self.errors:
            self.add_error("multiple", "Indiquez le multiple du SMIC fixé par le préfet.")
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class PaymentForm(OnceFormMixin, OwnedFormMixin, ReferentialForm):
    owner_field = "convention"
    submit_label = "Enregistrer le versement"

    class Meta:
        model = ConventionPayment
        fields = ["paid_on", "amount", "comment"]
        widgets = {"paid_on": DateInput()}
        field_classes = {"amount": EuroField}
