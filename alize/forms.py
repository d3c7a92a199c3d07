"""Forms of the programme referential, and the fields every app's forms share."""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from stdnum.fr import siren as fr_siren

from alize.formkit import OwnedFormMixin, SubmitButtonMixin
from alize.modelkit import sane_years
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
    User,
)
from alize.once import OnceFormMixin
from alize.services import users

# Every space a French user (or a spreadsheet) may put between thousands.
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
# ASCII digits only: \d would also take Arabic-Indic or Devanagari digits.
_AMOUNT = re.compile(r"^-?[0-9]+(\.[0-9]{1,2})?$")
_TOO_PRECISE = re.compile(r"^-?[0-9]+\.[0-9]{3,}$")
SIREN_FORMAT = re.compile(r"^[0-9]{9}$")
# A row's id in an address: ASCII digits, fewer than a bigint holds ("²".isdigit() is true,
# and int() of 5,000 digits raises).
_ID = re.compile(r"^[0-9]{1,18}$")


def parse_id(raw) -> int | None:
    """The id a query string or a form names ("12", " 12 "), or None for anything else."""
    text = str(raw or "").strip()
    return int(text) if _ID.match(text) else None


def parse_euros(raw) -> Decimal:
    """Understand "15 000", "15000,00", "15 000 €", "15 000,5 EUR"; refuse "1e6" and "abc"."""
    if isinstance(raw, Decimal):
        return raw
    text = _SPACES.sub("", str(raw)).replace("€", "").upper().removesuffix("EUR")
    text = text.replace(",", ".")
    if _TOO_PRECISE.match(text):
        raise ValidationError(
            "Un montant en euros compte au plus deux décimales (les centimes).",
            code="max_decimal_places",
        )
    if not _AMOUNT.match(text):
        raise ValidationError(
            "Saisissez un montant en euros, par exemple 15 000 ou 15 000,50.", code="invalid"
        )
    try:
        return Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the pattern already rules it out
        raise ValidationError("Montant illisible.", code="invalid") from exc


class EuroField(forms.DecimalField):
    """A money field that reads French amounts and shows them as French amounts.

    Amounts are positive or zero unless the form asks for `allow_negative=True`.
    """

    widget = forms.TextInput

    def __init__(self, *args, allow_negative=False, **kwargs):
        kwargs.setdefault("max_digits", 14)
        kwargs.setdefault("decimal_places", 2)
        self.allow_negative = allow_negative
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        self.widget.attrs.setdefault("autocomplete", "off")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        # DecimalField.validate then applies max_digits, decimal_places and min/max values.
        return parse_euros(value)

    def validate(self, value):
        super().validate(value)
        if value is not None and value < 0 and not self.allow_negative:
            raise ValidationError("Un montant ne peut pas être négatif.", code="negative")

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return f"{value:,.2f}".replace(",", " ").replace(".", ",")
        return value

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        # DecimalField adds step/min for number inputs; a text input needs none.
        attrs.pop("step", None)
        return attrs


def attach_errors(error: ValidationError, *forms) -> None:
    """Show a service's refusal on the form(s) the user filled in.

    Each message goes next to its field, on the first of the forms that has it; a message
    about several fields (or none) goes at the top of the first form.
    """
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        target = next((form for form in forms if field in form.fields), None)
        if target is None:
            forms[0].add_error(None, errors)
        else:
            target.add_error(field, errors)


def attempt(form, service, **kwargs):
    """Call a service; its refusal goes on the form (by field) and the call gives None."""
    try:
        return service(**kwargs)
    except ValidationError as error:
        attach_errors(error, form)
    except PermissionDenied as error:
        form.add_error(None, str(error) or "Vous n'avez pas le droit de faire cette action.")
    return None


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class ReferentialForm(SubmitButtonMixin, forms.ModelForm):
    """Base form: crispy layout with one submit button, querysets scoped to the user."""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        for name, model in (("basin", Basin), ("epci", Epci)):
            if name in self.fields:
                self.fields[name].queryset = model.objects.visible_to(user)


class BasinForm(ReferentialForm):
    class Meta:
        model = Basin
        fields = [
            "name",
            "slug",
            "operator_name",
            "operator_short_name",
            "departement",
            "due_date_rule",
        ]


class NewBasinForm(BasinForm):
    """A new basin and the advance cap it starts with: no advance can be granted without one."""

    submit_label = "Créer le bassin"
    cap_amount = EuroField(
        label="Plafond de l'avance remboursable (€)",
        initial=Decimal("25000.00"),
        help_text="25 000 € dans la plupart des bassins, 15 000 € dans le Valenciennois.",
    )
    cap_valid_from = forms.DateField(
        label="Plafond en vigueur à partir du",
        widget=DateInput(),
        initial=datetime.date.today,
        validators=sane_years(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["slug"].help_text = (
            "En minuscules, sans espace ni accent (par exemple « valenciennes ») : "
            "il sert dans les adresses et les fichiers exportés."
        )


class AdvanceCapForm(ReferentialForm):
    submit_label = "Enregistrer le plafond"

    class Meta:
        model = AdvanceCap
        fields = ["amount", "valid_from", "comment"]
        widgets = {"valid_from": DateInput()}
        field_classes = {"amount": EuroField}


class PeriodForm(ReferentialForm):
    class Meta:
        model = ProgrammePeriod
        fields = ["basin", "name", "start_date", "end_date", "target_jobs", "target_smes", "budget"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}
        field_classes = {"budget": EuroField}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        # The database constraint holds the rule; here it is shown next to the field.
        if start and end and end <= start:
            self.add_error("end_date", "La fin de la période doit être postérieure à son début.")
        return data


class EpciForm(ReferentialForm):
    class Meta:
        model = Epci
        fields = ["name", "siren", "kind", "population", "basin"]
        error_messages = {
            "siren": {"unique": "Une intercommunalité porte déjà ce SIREN."},
        }

    def clean_siren(self):
        siren = self.cleaned_data["siren"].strip()
        # The key catches typing errors; a SIREN already recorded is not re-checked on edits.
        if (
            "siren" in self.changed_data
            and SIREN_FORMAT.match(siren)
            and not fr_siren.is_valid(siren)
        ):
            raise ValidationError(
                "Ce SIREN n'existe pas : sa clé de contrôle est fausse (vérifiez la saisie).",
                code="invalid_checksum",
            )
        return siren


class CommuneForm(ReferentialForm):
    class Meta:
        model = Commune
        fields = ["name", "insee_code", "postcode", "population", "epci"]
        error_messages = {
            "insee_code": {"unique": "Une commune porte déjà ce code INSEE."},
        }


class FunderForm(ReferentialForm):
    class Meta:
        model = Funder
        fields = ["name", "kind", "basin", "epci"]

    def clean(self):
        data = super().clean()
        epci, basin = data.get("epci"), data.get("basin")
        if epci and basin and epci.basin_id != basin.pk:
            self.add_error("epci", "Cette intercommunalité n'appartient pas au bassin choisi.")
        return data


class ContributionForm(OnceFormMixin, OwnedFormMixin, ReferentialForm):
    owner_field = "funder"

    class Meta:
        model = Contribution
        fields = ["period", "committed", "paid", "earmarked_for_advances", "comment"]
        field_classes = {
            "committed": EuroField,
            "paid": EuroField,
            "earmarked_for_advances": EuroField,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        basin_id = self.owner.basin_id
        self.fields["period"].queryset = ProgrammePeriod.objects.filter(basin_id=basin_id)


# --- Accounts ----------------------------------------------------------------------------


class UserAccessForm(SubmitButtonMixin, forms.Form):
    """A role, a basin and, where the role needs one, what the account represents.

    The choices are those the signed-in person may give; the service checks them again.
    """

    role = forms.ChoiceField(label="Rôle")
    basin = forms.ModelChoiceField(
        label="Bassin",
        queryset=Basin.objects.none(),
        required=False,
        help_text="Obligatoire, sauf pour un administrateur.",
    )

    def __init__(self, *args, user, account=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["role"].choices = [("", "---------")] + [
            (role, Role(role).label) for role in users.grantable_roles(user)
        ]
        self.fields["basin"].queryset = users.managed_basins(user)
        basin_ids = None if user.has_role(Role.ADMIN) else user.basin_ids
        self.links = {}
        for role, link in users.ROLE_LINKS.items():
            self.links[link.field] = link
            self.fields[link.field] = forms.ModelChoiceField(
                label=link.label,
                queryset=link.choices(basin_ids),
                required=False,
                help_text=f"Pour le rôle « {Role(role).label} » seulement.",
            )
        if account is not None:
            managed = set(self.fields["basin"].queryset.values_list("pk", flat=True))
            roles = [role for role in Role.values if role in account.roles]
            basins = [pk for pk in account.basin_ids if pk in managed]
            self.initial.setdefault("role", roles[0] if roles else "")
            self.initial.setdefault("basin", basins[0] if basins else None)
            for name, link in self.links.items():
                self.initial.setdefault(name, link.current(account))

    def target(self):
        """The object the chosen role links the account to (None if it needs none)."""
        link = users.ROLE_LINKS.get(self.cleaned_data.get("role"))
        return self.cleaned_data.get(link.field) if link else None


class UserInviteForm(UserAccessForm):
    submit_label = "Envoyer l'invitation"

    email = forms.EmailField(label="Adresse électronique")
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    organisation = forms.CharField(label="Organisme", max_length=200, required=False)

    field_order = ["email", "first_name", "last_name", "organisation", "role", "basin"]

    def clean_email(self):
        email = self.cleaned_data["email"].strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(users.EMAIL_TAKEN, code="taken")
        return email


# --- The official referential ------------------------------------------------------------


class OfficialPickForm(forms.Form):
    """One result of the official referential (its hidden code) and where it goes."""

    q = forms.CharField(required=False, widget=forms.HiddenInput)
    choice_field = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        model = self.fields[self.choice_field].queryset.model
        self.fields[self.choice_field].queryset = model.objects.visible_to(user)


class OfficialCommuneForm(OfficialPickForm):
    """Add a commune of the official referential under one of the basin's intercommunalities."""

    code = forms.CharField(label="Code INSEE", max_length=5, widget=forms.HiddenInput)
    epci = forms.ModelChoiceField(label="Intercommunalité", queryset=Epci.objects.none())
    choice_field = "epci"


class OfficialEpciForm(OfficialPickForm):
    """Add an intercommunality of the official referential, and its communes, to a basin."""

    siren = forms.CharField(label="SIREN", max_length=9, widget=forms.HiddenInput)
    basin = forms.ModelChoiceField(label="Bassin", queryset=Basin.objects.none())
    choice_field = "basin"
