"""Forms of the committees' screens. They read and check what people type; the rules
(quorum, proxies, recusals, the decision's plan and cap) are the services' business, whose
French refusals the views put back on these forms."""

import datetime

from django import forms
from django.urls import reverse
from django.utils import timezone

from alize.formkit import CrispyForm, SubmitButtonMixin, text_field
from alize.forms import DateInput, EuroField
from alize.modelkit import sane_years
from alize.models import User
from alize.once import OnceFormMixin
from comites.models import AgendaItem, Committee, CommitteeMembership, Session
from comites.workflow import (
    AttendanceStatus,
    DecisionOutcome,
    MemberRole,
    SessionKind,
    SessionStatus,
    VoteChoice,
)
from grandes_entreprises.models import Corporation
from pme.forms import needs_field
from pme.models import Dossier, DossierState


def person_choices():
    return User.objects.filter(is_active=True).order_by("last_name", "first_name", "email")


class CommitteeRulesForm(SubmitButtonMixin, forms.ModelForm):
    submit_label = "Enregistrer les règles"

    class Meta:
        model = Committee
        fields = [
            "name",
            "quorum_numerator",
            "quorum_denominator",
            "chair_casting_vote",
            "notice_days",
        ]

    def clean(self):
        data = super().clean()
        numerator, denominator = data.get("quorum_numerator"), data.get("quorum_denominator")
        if (
            numerator is not None
            and denominator is not None
            and not (1 <= numerator <= denominator)
        ):
            self.add_error("quorum_numerator", "Le quorum est une fraction comprise entre 0 et 1.")
        return data


class CommitteeCreateForm(CommitteeRulesForm):
    """A new committee of one of the manager's basins: its kind, its name and its rules."""

    submit_label = "Créer le comité"

    class Meta(CommitteeRulesForm.Meta):
        fields = ["basin", "kind", *CommitteeRulesForm.Meta.fields]

    def __init__(self, *args, basins, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basin"].queryset = basins
        self.fields["basin"].empty_label = None


class AppointForm(CrispyForm):
    submit_label = "Nommer"

    person = forms.ModelChoiceField(label="Personne", queryset=User.objects.none())
    role = forms.ChoiceField(label="Rôle", choices=MemberRole.choices)
    corporation = forms.ModelChoiceField(
        label="Grande entreprise représentée",
        queryset=Corporation.objects.none(),
        required=False,
        help_text="Connue, elle déporte automatiquement le membre des dossiers qu'elle accompagne.",
    )
    organisation = forms.CharField(
        label="Organisme représenté",
        max_length=200,
        required=False,
        help_text="Par défaut, le nom de la grande entreprise.",
    )
    start_date = forms.DateField(
        label="Début du mandat", widget=DateInput(), validators=sane_years()
    )
    end_date = forms.DateField(
        label="Fin du mandat", widget=DateInput(), required=False, validators=sane_years()
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = person_choices()
        self.fields["corporation"].queryset = Corporation.objects.filter(
            basin_id=committee.basin_id
        ).order_by("group_name", "site_name")

    def clean(self):
        data = super().clean()
        if not data.get("organisation") and not data.get("corporation"):
            self.add_error(
                "organisation", "Indiquez l'organisme représenté ou la grande entreprise."
            )
        return data


class ChairForm(AppointForm):
    submit_label = "Changer la présidence"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["role"]
        del self.fields["end_date"]
        self.fields["start_date"].label = "Début de la nouvelle présidence"
        self.fields[
            "start_date"
        ].help_text = "La présidence en place prend fin la veille de cette date."


class EndMandateForm(CrispyForm):
    submit_label = "Terminer le mandat"

    end_date = forms.DateField(
        label="Dernier jour du mandat",
        widget=DateInput(),
        initial=timezone.localdate,
        validators=sane_years(),
    )


def date_time_field(label: str, **kwargs) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"],
        validators=sane_years(),
        **kwargs,
    )


class SessionForm(CrispyForm):
    submit_label = "Créer la séance"

    kind = forms.ChoiceField(
        label="Nature",
        choices=SessionKind.choices,
        initial=SessionKind.SITTING,
        required=False,
        widget=forms.RadioSelect,
        help_text=(
            "Une consultation écrite décide hors séance : pas de lieu ni de présences, les "
            "membres votent dans l'application jusqu'à la clôture des votes, et le quorum se "
            "compte sur ceux qui ont voté."
        ),
    )
    starts_at = date_time_field(
        "Date et heure", help_text="Consultation écrite : le jour où elle est lancée."
    )
    closes_at = date_time_field(
        "Clôture des votes (consultation écrite)",
        required=False,
        help_text="Les membres votent jusqu'à cette date et heure.",
    )
    duration_minutes = forms.IntegerField(
        label="Durée prévue (minutes)", initial=120, min_value=15, max_value=720
    )
    place = forms.CharField(label="Lieu", max_length=250, required=False)
    video_link = forms.URLField(
        label="Lien de visioconférence",
        max_length=500,
        required=False,
        assume_scheme="https",
    )
    agenda_notes = text_field("Autres points à l'ordre du jour", max_length=4000)
    first_convocation = forms.ModelChoiceField(
        label="Seconde convocation de la séance",
        queryset=Session.objects.none(),
        required=False,
        help_text=(
            "Si le quorum n'a pas été atteint à une séance : la seconde convocation "
            "délibère sans condition de quorum."
        ),
    )

    def __init__(self, *args, committee: Committee, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_convocation"].queryset = Session.objects.filter(
            committee=committee,
            kind=SessionKind.SITTING,
            status__in=[SessionStatus.CLOSED, SessionStatus.SIGNED],
            second_convocation__isnull=True,
        ).select_related("committee")
        if not committee.is_approval:
            # The steering committee does not vote: it only sits.
            del self.fields["kind"], self.fields["closes_at"]

    def clean(self):
        data = super().clean()
        if "kind" in self.fields:
            data["kind"] = data.get("kind") or SessionKind.SITTING
        if data.get("kind") == SessionKind.WRITTEN:
            if not data.get("closes_at") and not self.has_error("closes_at"):
                self.add_error("closes_at", "Indiquez jusqu'à quand les membres votent.")
            return data
        data.pop("closes_at", None)
        if (
            not data.get("place")
            and not data.get("video_link")
            and not self.has_error("video_link")
        ):
            self.add_error("place", "Indiquez le lieu de la séance ou son lien de visioconférence.")
        return data


def corporations_of(session: Session):
    return Corporation.objects.filter(basin_id=session.committee.basin_id).order_by(
        "group_name", "site_name"
    )


def proposed_corporations_field() -> forms.ModelMultipleChoiceField:
    """The corporations proposed to support a dossier (`corporations_of` the session)."""
    return forms.ModelMultipleChoiceField(
        label="Grandes entreprises proposées pour l'accompagner",
        queryset=Corporation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Leurs représentants au comité sont déportés automatiquement.",
    )


class AgendaItemForm(CrispyForm):
    submit_label = "Inscrire à l'ordre du jour"

    dossier = forms.ModelChoiceField(
        label="Dossier soumis au comité", queryset=Dossier.objects.none()
    )
    proposed_corporations = proposed_corporations_field()

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["dossier"].queryset = (
            Dossier.objects.filter(
                state=DossierState.SUBMITTED,
                pme__commune__epci__basin_id=session.committee.basin_id,
            )
            .exclude(agenda_items__session=session)
            .select_related("pme")
            .order_by("pme__name", "pk")
        )
        self.fields["dossier"].label_from_instance = lambda d: f"{d.pme.name} (dossier n° {d.pk})"
        self.fields["proposed_corporations"].queryset = corporations_of(session)


class ProposedCorporationsForm(CrispyForm):
    submit_label = "Enregistrer les entreprises proposées"

    corporations = proposed_corporations_field()

    def __init__(self, *args, item: AgendaItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corporations"].queryset = corporations_of(item.session)


class AttendanceForm(forms.Form):
    """One status (and, when represented, a proxy holder) per member of the session."""

    def __init__(self, *args, members: list[CommitteeMembership], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = members
        voting = [(m.pk, f"{m.person} ({m.organisation})") for m in members if m.is_voting]
        for member in members:
            status_choices = AttendanceStatus.choices
            if not member.is_voting:
                status_choices = [
                    (value, label)
                    for value, label in AttendanceStatus.choices
                    if value != AttendanceStatus.REPRESENTED
                ]
            self.fields[f"status_{member.pk}"] = forms.ChoiceField(
                label=f"Présence de {member.person}",
                choices=status_choices,
                initial=getattr(member, "attendance_status", None) or AttendanceStatus.ABSENT,
            )
            if member.is_voting:
                self.fields[f"proxy_{member.pk}"] = forms.TypedChoiceField(
                    label=f"Procuration de {member.person} donnée à",
                    choices=[("", "—")] + [c for c in voting if c[0] != member.pk],
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=getattr(member, "attendance_proxy_holder", None),
                )

    def rows(self):
        for member in self.members:
            yield (
                member,
                self[f"status_{member.pk}"],
                self[f"proxy_{member.pk}"] if member.is_voting else None,
            )

    def clean(self):
        data = super().clean()
        for member in self.members:
            status = data.get(f"status_{member.pk}")
            holder = data.get(f"proxy_{member.pk}")
            if status == AttendanceStatus.REPRESENTED and not holder:
                self.add_error(
                    f"proxy_{member.pk}", "Indiquez le membre qui détient la procuration."
                )
            if holder and status != AttendanceStatus.REPRESENTED:
                self.add_error(
                    f"proxy_{member.pk}",
                    "Une procuration ne se donne qu'avec la présence « représenté(e) ».",
                )
        return data


class VoteForm(forms.Form):
    member = forms.IntegerField()
    choice = forms.ChoiceField(choices=VoteChoice.choices)


class InterestForm(forms.Form):
    member = forms.IntegerField(required=False)
    details = forms.CharField(
        label="Intérêt déclaré",
        max_length=300,
        help_text="Par exemple : administrateur de l'entreprise, lien familial avec le dirigeant.",
    )


class DecisionForm(OnceFormMixin, CrispyForm):
    submit_label = "Enregistrer la décision"

    outcome = forms.ChoiceField(
        label="Décision", choices=DecisionOutcome.choices, widget=forms.RadioSelect
    )
    corporations = forms.ModelMultipleChoiceField(
        label="Grandes entreprises qui accompagnent (agrément)",
        queryset=Corporation.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    domains = needs_field("Domaines d'accompagnement (agrément)")
    advance_granted = EuroField(label="Avance remboursable accordée (€, agrément)", required=False)
    missing = text_field("Éléments manquants (ajournement)", max_length=2000)
    reason = text_field("Motif du refus (refus)", max_length=2000)

    def __init__(self, *args, item: AgendaItem, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["corporations"].queryset = item.proposed_corporations.order_by(
            "group_name", "site_name"
        )
        self.fields[
            "advance_granted"
        ].help_text = f"Demandée : {item.dossier.advance_requested:,.2f} €".replace(
            ",", " "
        ).replace(".", ",")

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        if outcome == DecisionOutcome.DEFERRED and not data.get("missing", "").strip():
            self.add_error("missing", "Un ajournement dit ce qui manque au dossier.")
        if outcome == DecisionOutcome.REJECTED and not data.get("reason", "").strip():
            self.add_error("reason", "Un refus est motivé.")
        return data


class AmendmentForm(CrispyForm):
    submit_label = "Ajouter l'avenant"

    item = forms.ModelChoiceField(
        label="Point de l'ordre du jour concerné",
        queryset=AgendaItem.objects.none(),
        required=False,
        empty_label="La séance dans son ensemble",
    )
    text = text_field("Correction", max_length=4000, rows=4, required=True)

    def __init__(self, *args, session: Session, **kwargs):
        super().__init__(*args, **kwargs)
        # Shown on the minutes page too, which does not take posts: it names its own view.
        self.helper.form_action = reverse("comites:amendment_create", args=[session.pk])
        self.fields["item"].queryset = session.items.select_related("dossier__pme").order_by(
            "order"
        )


def default_session_start() -> datetime.datetime:
    """Two weeks ahead at 9:30, local time: enough notice for the convocation."""
    day = timezone.localdate() + datetime.timedelta(days=14)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
