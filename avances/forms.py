"""Forms of the advances' screens.

They only read what the user typed (dates, French amounts, choices); every rule of the
domain is the services' (the `avances.services` package), whose French refusals
the views attach to these forms. The forms that record something carry a one-time token
(`alize.once`): sent twice, they record once. Each form has a prefix: the advance page shows several
of them at once, and two fields never share an id.
"""

from django import forms

from alize.formkit import text_field
from alize.forms import DateInput, EuroField
from alize.middleware import has_control_characters
from alize.modelkit import sane_years
from alize.once import OnceFormMixin
from alize.versioning import VersionedFormMixin
from avances.csv_import import parse_statement
from avances.models import (
    DeMinimisAid,
    DeMinimisDeclaration,
    DunningKind,
    Frequency,
    PaymentMeans,
    ProceedingKind,
    Regulation,
)
from avances.schedule import MAX_DURATION_MONTHS, MAX_GRACE_MONTHS
from pme.validators import EVIDENCE_ENDINGS, validate_evidence_file

DATE_ERRORS = {
    "invalid": "Saisissez une date valide (jj/mm/aaaa).",
    "required": "Indiquez la date.",
}


def date_field(label: str, **kwargs) -> forms.DateField:
    """A date the user types: dd/mm/yyyy, within the sane years (`alize.modelkit`)."""
    kwargs.setdefault("validators", sane_years())
    return forms.DateField(label=label, widget=DateInput(), error_messages=DATE_ERRORS, **kwargs)


def months_field(label: str, **kwargs) -> forms.IntegerField:
    """A whole number of months (a duration, a grace period)."""
    kwargs.setdefault("error_messages", {"invalid": "Saisissez un nombre entier de mois."})
    return forms.IntegerField(label=label, **kwargs)


def euro_field(label: str, **kwargs) -> EuroField:
    kwargs.setdefault("error_messages", {"required": "Indiquez un montant."})
    return EuroField(label=label, **kwargs)


class SignContractForm(OnceFormMixin, forms.Form):
    prefix = "contrat"
    contract_signed_on = date_field("Contrat signé le")


class DisbursementForm(OnceFormMixin, forms.Form):
    prefix = "versement"
    disbursed_on = date_field("Versé le")
    amount = euro_field(
        "Montant versé (€)",
        required=False,
        help_text="Laissez vide pour verser tout le solde accordé.",
    )


class CloseDisbursementsForm(OnceFormMixin, forms.Form):
    prefix = "cloture"
    disbursements_closed_on = date_field("Versements clos le")


class PaymentForm(OnceFormMixin, forms.Form):
    prefix = "paiement"
    paid_on = date_field("Date du paiement")
    amount = euro_field("Montant reçu (€)")
    means = forms.ChoiceField(
        label="Moyen de paiement", choices=PaymentMeans.choices, initial=PaymentMeans.TRANSFER
    )
    reference = forms.CharField(label="Référence bancaire", max_length=140, required=False)


def reason_field(label: str, required: str, **kwargs) -> forms.CharField:
    return forms.CharField(label=label, error_messages={"required": required}, **kwargs)


class ReversePaymentForm(OnceFormMixin, forms.Form):
    reason = reason_field(
        "Motif de la contrepassation", "Indiquez pourquoi ce paiement est annulé.", max_length=500
    )


class ReverseDisbursementForm(OnceFormMixin, forms.Form):
    reason = reason_field(
        "Motif de l'annulation", "Indiquez pourquoi ce versement est annulé.", max_length=500
    )


class RescheduleForm(VersionedFormMixin, OnceFormMixin, forms.Form):
    prefix = "reechelonnement"
    from_date = date_field("À compter du")
    duration_months = months_field(
        "Nouvelle durée (mois, différé compris)", min_value=1, max_value=MAX_DURATION_MONTHS
    )
    grace_months = months_field(
        "Différé (mois)", min_value=0, max_value=MAX_GRACE_MONTHS, initial=0
    )
    frequency = forms.ChoiceField(label="Périodicité", choices=Frequency.choices)
    reason = reason_field(
        "Motif", "Indiquez le motif du rééchelonnement.", widget=forms.Textarea(attrs={"rows": 2})
    )


class DunningForm(OnceFormMixin, forms.Form):
    prefix = "relance"
    kind = forms.ChoiceField(label="Nature", choices=DunningKind.choices)
    sent_on = date_field("Envoyée le")
    comment = text_field("Commentaire", rows=2)


class ProceedingForm(OnceFormMixin, forms.Form):
    prefix = "procedure"
    kind = forms.ChoiceField(label="Procédure", choices=ProceedingKind.choices)
    judgment_date = date_field("Date du jugement d'ouverture")
    publication_date = date_field("Date de publication au BODACC")
    court = forms.CharField(label="Tribunal", max_length=200, required=False)
    representative = forms.CharField(
        label="Mandataire judiciaire ou liquidateur", max_length=200, required=False
    )


class ClaimDeclarationForm(OnceFormMixin, forms.Form):
    claim_declared_on = date_field("Créance déclarée le")


class CloseProceedingForm(OnceFormMixin, forms.Form):
    closed_on = date_field("Procédure close le")


class WriteOffRequestForm(OnceFormMixin, forms.Form):
    prefix = "perte"
    reason = reason_field(
        "Motif du passage en perte",
        "Indiquez le motif du passage en perte.",
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class WriteOffDecisionForm(OnceFormMixin, forms.Form):
    APPROVE, REJECT = "approuver", "refuser"

    decision = forms.ChoiceField(
        label="Décision",
        choices=[(APPROVE, "Approuver le passage en perte"), (REJECT, "Refuser")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choisissez d'approuver ou de refuser."},
    )
    decision_comment = text_field("Commentaire (obligatoire pour un refus)", rows=2)


class StatementUploadForm(forms.Form):
    MAX_BYTES = 1_000_000

    statement = forms.FileField(
        label="Relevé bancaire (CSV)",
        help_text="Une ligne par paiement : date ; montant ; libellé du virement (avec la "
        "référence de l'avance, par exemple AV2007-00012). Séparateur point-virgule.",
        error_messages={
            "required": "Choisissez le fichier du relevé.",
            "empty": "Le fichier est vide.",
        },
    )

    def clean_statement(self):
        upload = self.cleaned_data["statement"]
        if upload.size > self.MAX_BYTES:
            raise forms.ValidationError("Le fichier dépasse 1 Mo : découpez le relevé.")
        content = upload.read()
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = content.decode("cp1252", errors="replace")
        if has_control_characters(text):
            raise forms.ValidationError("Ce fichier n'est pas un CSV (texte) lisible.")
        # A file the csv module cannot read at all (a cell of megabytes) is refused here;
        # the rows' own errors are the preview's.
        parse_statement(text)
        return text


# --- De minimis declarations ---------------------------------------------------------------


class DeMinimisDeclarationForm(forms.Form):
    """The declaration itself: when the SME signed it, who signed, the signed scan."""

    prefix = "declaration"
    declared_on = date_field("Déclaration signée le")
    signatory = forms.CharField(
        label="Signataire (nom et qualité)",
        max_length=DeMinimisDeclaration._meta.get_field("signatory").max_length,
        error_messages={"required": "Indiquez qui a signé la déclaration."},
    )
    signed_declaration = forms.FileField(
        label="Déclaration signée",
        help_text="Le formulaire signé, numérisé : PDF, JPEG ou PNG, 10 Mo au plus.",
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(EVIDENCE_ENDINGS))}),
        validators=[validate_evidence_file],
        error_messages={
            "required": "Joignez la déclaration signée.",
            "empty": "Le fichier est vide.",
        },
    )


class DeMinimisAidForm(forms.Form):
    """One aid the SME declared; a line left blank is ignored."""

    grantor = forms.CharField(
        label="Organisme qui l'a accordée",
        max_length=DeMinimisAid._meta.get_field("grantor").max_length,
        required=False,
    )
    granted_on = date_field("Accordée le", required=False)
    amount = euro_field("Montant (€, équivalent-subvention brut)", required=False)
    regulation = forms.ChoiceField(
        label="Règlement", choices=Regulation.choices, initial=Regulation.GENERAL
    )
    description = forms.CharField(
        label="Nature de l'aide",
        max_length=DeMinimisAid._meta.get_field("description").max_length,
        required=False,
    )
    FILLED_BY = ("grantor", "granted_on", "amount", "description")

    @property
    def filled(self) -> bool:
        return any(self.cleaned_data.get(name) not in (None, "") for name in self.FILLED_BY)

    def clean(self):
        data = super().clean()
        if self.filled:
            for name, message in (
                ("grantor", "Indiquez l'organisme qui a accordé l'aide."),
                ("granted_on", "Indiquez la date de l'aide."),
                ("amount", "Indiquez le montant de l'aide."),
            ):
                if data.get(name) in (None, "") and name not in self.errors:
                    self.add_error(name, message)
        return data

    def service_data(self) -> dict:
        return {name: self.cleaned_data[name] for name in (*self.FILLED_BY, "regulation")}


DeMinimisAidFormSet = forms.formset_factory(DeMinimisAidForm, extra=0, max_num=50, absolute_max=50)


class DefaultTermsForm(forms.Form):
    """The terms offered by default to the basin's new advances (each decision may differ)."""

    prefix = "conditions"
    default_duration_months = months_field(
        "Durée par défaut (mois, différé compris)", min_value=1, max_value=MAX_DURATION_MONTHS
    )
    default_grace_months = months_field(
        "Différé par défaut (mois)", min_value=0, max_value=MAX_GRACE_MONTHS
    )
    default_frequency = forms.ChoiceField(label="Périodicité par défaut", choices=Frequency.choices)


class ReferenceRateForm(forms.Form):
    """A reference rate from a date on: the basin's own, or (administrators) every basin's."""

    prefix = "taux"
    valid_from = date_field("En vigueur à partir du")
    annual_rate_percent = forms.DecimalField(
        label="Taux de référence annuel (%)",
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=3,
        localize=True,
        error_messages={"invalid": "Saisissez un taux, par exemple 4,52."},
        help_text="Taux de base de la Commission européenne pour la France, marge comprise.",
    )
    source = forms.CharField(label="Source", max_length=200, required=False)
    national = forms.BooleanField(
        label="Valable dans tous les bassins (taux national)", required=False
    )

    def __init__(self, *args, national_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not national_allowed:
            del self.fields["national"]


class FundEntryForm(forms.Form):
    """Money of a funder's contribution received into the basin's advance fund."""

    prefix = "entree"
    contribution = forms.ModelChoiceField(
        label="Contribution",
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": "Choisissez une contribution de ce bassin."},
        help_text="Seules les contributions dont une part est fléchée vers le fonds d'avances.",
    )
    amount = euro_field(
        "Montant reçu (€)",
        allow_negative=True,
        help_text="Un montant négatif corrige une entrée enregistrée à tort.",
    )
    on = date_field("Reçu le")
    label = forms.CharField(label="Libellé", max_length=200, required=False)

    def __init__(self, *args, contributions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contribution"].queryset = contributions
