"""The reads behind the lists of corporations and missions: their filters, from the address
bar. A value that makes no sense (an unknown status, a corporation or a dossier the user
may not see, a year out of range) is dropped with a French message, never an error page.
"""

import datetime

from django import forms
from django.db.models import Max, Min, Q

from alize.models import ProgrammePeriod
from grandes_entreprises.models import Corporation, MissionStatus
from pme.models import Dossier, Need


class AddressBarFilters(forms.Form):
    """What the list filters share: the sensible values, and a message for the others."""

    def value(self, name: str):
        """A parameter's value if it made sense, else None (the filter is not applied)."""
        if not self.is_bound or name in self.errors:
            return None
        value = self.cleaned_data.get(name)
        return None if value in (None, "") else value

    @property
    def ignored(self) -> list[str]:
        return [
            f"{self.fields[name].label} : {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]

    @property
    def active(self) -> bool:
        return any(self.value(name) is not None for name in self.fields)


class CorporationFilterForm(AddressBarFilters):
    period = forms.ModelChoiceField(
        label="Participation à la période",
        required=False,
        queryset=ProgrammePeriod.objects.none(),
        empty_label="Toutes les périodes",
    )

    def __init__(self, data, *, visible):
        super().__init__(data)
        # One subquery: the periods of the basins whose corporations the user reads.
        self.fields["period"].queryset = ProgrammePeriod.objects.filter(
            basin__in=visible.values("basin")
        ).select_related("basin")

    def apply(self, queryset):
        self.is_valid()
        period = self.value("period")
        if period is not None:
            queryset = queryset.members_of(period)
        return queryset


class DossierChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, dossier):
        return f"{dossier.pme.name} – dossier n° {dossier.pk}"


class MissionFilterForm(AddressBarFilters):
    q = forms.CharField(label="PME accompagnée", required=False, max_length=200)
    corporation = forms.ModelChoiceField(
        label="Grande entreprise",
        required=False,
        queryset=Corporation.objects.none(),
        empty_label="Toutes",
    )
    status = forms.ChoiceField(
        label="État", required=False, choices=[("", "Tous"), *MissionStatus.choices]
    )
    domain = forms.ChoiceField(
        label="Domaine", required=False, choices=[("", "Tous"), *Need.choices]
    )
    year = forms.TypedChoiceField(label="Année", required=False, coerce=int, empty_value=None)
    dossier = DossierChoiceField(
        label="Dossier", required=False, queryset=Dossier.objects.none(), empty_label="Tous"
    )

    def __init__(self, data, *, visible_missions):
        super().__init__(data)
        # Offer only what the user's missions can match, one query each.
        self.fields["corporation"].queryset = Corporation.objects.filter(
            pk__in=visible_missions.values("corporation")
        )
        self.fields["dossier"].queryset = (
            Dossier.objects.filter(pk__in=visible_missions.values("dossier"))
            .select_related("pme")
            .order_by("pme__name", "pk")
        )
        span = visible_missions.aggregate(first=Min("start_date"), last=Max("end_date"))
        years = (
            range(span["last"].year, span["first"].year - 1, -1)
            if span["first"]
            else [datetime.date.today().year]
        )
        self.fields["year"].choices = [("", "Toutes"), *((year, str(year)) for year in years)]

    def apply(self, queryset):
        """The missions the list shows: searched and filtered, the latest first."""
        self.is_valid()
        query = (self.value("q") or "").strip()
        if query:
            queryset = queryset.filter(dossier__pme__name__icontains=query)
        for name, lookup in (
            ("corporation", "corporation"),
            ("status", "status"),
            ("domain", "domain"),
            ("dossier", "dossier"),
        ):
            value = self.value(name)
            if value is not None:
                queryset = queryset.filter(**{lookup: value})
        year = self.value("year")
        if year is not None:
            # The missions under way at some point of the year.
            queryset = queryset.filter(
                Q(start_date__lte=datetime.date(year, 12, 31))
                & Q(end_date__gte=datetime.date(year, 1, 1))
            )
        return queryset.order_by("-start_date", "-pk")
