"""The reads behind the lists of SMEs and dossiers: search, filters, sorting.

One description serves both lists and their exports, so an export is exactly the list the
user is looking at. Every parameter comes from the address bar: a value that makes no
sense (an unknown state, a basin that does not exist or is not the user's, a sort key not
in the list) is dropped with a French message, never an error page.
"""

from dataclasses import dataclass

from django import forms
from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Q

from alize.models import Basin, Epci
from pme.models import Dossier, OrientationSource, Pme, Sector, SizeBand
from pme.validators import compact_number
from pme.workflow import DossierState


def state_rank(field: str) -> models.Case:
    """A dossier's state as its place in the workflow, so that sorting follows the life of a
    dossier rather than the alphabet."""
    return models.Case(
        *(
            models.When(**{field: state}, then=models.Value(rank))
            for rank, state in enumerate(DossierState)
        ),
        default=models.Value(len(DossierState)),
        output_field=models.IntegerField(),
    )


# --- Sorting -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sort:
    key: str  # as written in the address: ?sort=key or ?sort=-key
    label: str
    expression: object  # a field name or an expression, ascending


@dataclass(frozen=True)
class Column:
    """A column header: its label, and the sort it offers (if any) with its current state."""

    label: str
    sort: str = ""
    aria_sort: str = ""
    next_sort: str = ""
    css: str = ""

    @property
    def caret(self) -> str:
        """The icon of the current sort: up when ascending, down when descending."""
        return {"ascending": "bi-caret-up-fill", "descending": "bi-caret-down-fill"}.get(
            self.aria_sort, ""
        )

    @property
    def next_order(self) -> str:
        """What a click on the header does, for screen readers."""
        return "décroissant" if self.next_sort.startswith("-") else "croissant"


@dataclass(frozen=True)
class ListKind:
    """What differs between the SME list and the dossier list."""

    lookups: dict[str, str]  # filter name → lookup on the listed model
    search: tuple[str, str, str]  # name, commune name, SIRET
    sorts: tuple[Sort, ...]
    default_sort: str
    tiebreak: tuple[str, ...]

    def sort_by_key(self, key: str) -> Sort | None:
        return next((sort for sort in self.sorts if sort.key == key), None)


def _list_kind(*, sme: str, dossier: str, name: Sort, state_label: str, **rest) -> ListKind:
    """The SME list or the dossier list: the same filters, search and sorts, the SME's
    fields reached through `sme`, the (current) dossier's under `dossier`."""
    return ListKind(
        lookups={
            "basin": f"{sme}commune__epci__basin",
            "epci": f"{sme}commune__epci",
            "sector": f"{sme}sector",
            "size_band": f"{sme}size_band",
            "state": f"{dossier}state",
            "orientation": f"{dossier}orientation_source",
            "staff": f"{dossier}staff_member_id",
        },
        search=(f"{sme}name", f"{sme}commune__name", f"{sme}siret"),
        sorts=(
            name,
            Sort("state", state_label, state_rank(f"{dossier}state")),
            Sort("time", "Temps dans l'état", models.F(f"{dossier}state_changed_at").desc()),
            Sort("jobs", "Emplois prévus", f"{dossier}jobs_planned"),
            Sort("orientation", "Date d'orientation", f"{dossier}orientation_date"),
        ),
        **rest,
    )


# An SME carries its current dossier's fields as `current_*` annotations.
PME_LIST = _list_kind(
    sme="",
    dossier="current_",
    name=Sort("name", "Raison sociale", "name"),
    state_label="État du dossier",
    default_sort="name",
    tiebreak=("name", "pk"),
)

DOSSIER_LIST = _list_kind(
    sme="pme__",
    dossier="",
    name=Sort("name", "Entreprise", "pme__name"),
    state_label="État",
    default_sort="-orientation",
    tiebreak=("-pk",),
)


def _ordering(sort: Sort, descending: bool):
    expression = sort.expression
    if isinstance(expression, str):
        expression = models.F(expression)
    if isinstance(expression, models.OrderBy):
        # Already carries a direction ("time": the most recent change is the shortest time).
        expression = expression.copy()
        expression.descending = expression.descending != descending
        expression.nulls_last, expression.nulls_first = True, None
        return expression
    return expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)


# --- The filter form -----------------------------------------------------------------------


class ListFilterForm(forms.Form):
    """The search box, the filters and the sort of a list, read from the address bar."""

    q = forms.CharField(label="Rechercher", required=False, max_length=200)
    state = forms.ChoiceField(
        label="État du dossier", required=False, choices=[("", "Tous"), *DossierState.choices]
    )
    basin = forms.ModelChoiceField(
        label="Bassin", required=False, queryset=Basin.objects.none(), empty_label="Tous"
    )
    epci = forms.ModelChoiceField(
        label="Intercommunalité", required=False, queryset=Epci.objects.none(), empty_label="Toutes"
    )
    sector = forms.ChoiceField(
        label="Secteur", required=False, choices=[("", "Tous"), *Sector.choices]
    )
    size_band = forms.ChoiceField(
        label="Tranche d'effectif", required=False, choices=[("", "Toutes"), *SizeBand.choices]
    )
    orientation = forms.ChoiceField(
        label="Orientée par", required=False, choices=[("", "Tous"), *OrientationSource.choices]
    )
    staff = forms.ModelChoiceField(
        label="Chargé(e) de mission",
        required=False,
        queryset=get_user_model().objects.none(),
        empty_label="Tous",
    )
    sort = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data, *, kind: ListKind, visible_pmes, visible_dossiers):
        super().__init__(data)
        self.kind = kind
        # Offer only what the user's rows can match: one subquery each, no extra round trip.
        self.fields["basin"].queryset = Basin.objects.filter(
            pk__in=visible_pmes.values("commune__epci__basin")
        )
        self.fields["epci"].queryset = Epci.objects.filter(
            pk__in=visible_pmes.values("commune__epci")
        )
        self.fields["staff"].queryset = get_user_model().objects.filter(
            pk__in=visible_dossiers.values("staff_member")
        )

    def clean_sort(self):
        raw = self.cleaned_data["sort"] or self.kind.default_sort
        if self.kind.sort_by_key(raw.removeprefix("-")) is None:
            raise forms.ValidationError("ce tri n'existe pas.")
        return raw

    @property
    def ignored(self) -> list[str]:
        """The parameters that were dropped, in French, for the message above the list."""
        return [
            f"{self.fields[name].label or 'Tri'} : {' '.join(errors)}"
            for name, errors in self.errors.items()
        ]

    def value(self, name: str):
        """A parameter's value if it made sense, else None (the filter is not applied)."""
        if not self.is_bound or name in self.errors:
            return None
        return self.cleaned_data.get(name) or None

    # --- Applying it ---

    def apply(self, queryset):
        """The rows the list shows: searched, filtered and sorted."""
        self.is_valid()  # fills cleaned_data with the sensible values, errors with the rest
        query = (self.value("q") or "").strip()
        if query:
            name_field, commune_field, siret_field = self.kind.search
            condition = Q(**{f"{name_field}__icontains": query}) | Q(
                **{f"{commune_field}__icontains": query}
            )
            digits = compact_number(query)
            if digits.isdigit():
                condition |= Q(**{f"{siret_field}__contains": digits})
            queryset = queryset.filter(condition)
        for name, lookup in self.kind.lookups.items():
            value = self.value(name)
            if value is not None:
                queryset = queryset.filter(**{lookup: getattr(value, "pk", value)})
        return queryset.order_by(*self.ordering())

    def ordering(self) -> list:
        raw = self.value("sort") or self.kind.default_sort
        sort = self.kind.sort_by_key(raw.removeprefix("-"))
        return [_ordering(sort, raw.startswith("-")), *self.kind.tiebreak]

    def columns(self, headers) -> list[Column]:
        """Column headers; those that sort are links that flip the direction."""
        current = self.value("sort") or self.kind.default_sort
        key, descending = current.removeprefix("-"), current.startswith("-")
        columns = []
        for label, sort_key, *css in headers:
            if not sort_key:
                columns.append(Column(label, css=css[0] if css else ""))
                continue
            active = sort_key == key
            columns.append(
                Column(
                    label,
                    sort=sort_key,
                    aria_sort=("descending" if descending else "ascending") if active else "",
                    next_sort=f"-{sort_key}" if active and not descending else sort_key,
                    css=css[0] if css else "",
                )
            )
        return columns

    @property
    def sort_value(self) -> str:
        """The sort to keep when the filters change ("" for the default one)."""
        value = self.value("sort") or ""
        return "" if value == self.kind.default_sort else value

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (for the "clear the filters" link)."""
        return any(self.value(name) for name in ("q", *self.kind.lookups))


# --- The current dossier of each SME on a page ----------------------------------------------


def attach_current_dossiers(pmes) -> list[Pme]:
    """Give each SME of a page its `current_dossier` (with its staff member), in one query.

    The list sorts and filters on the `current_*` annotations of
    `Pme.objects.with_current_dossier()`; the page shows the dossier itself.
    """
    pmes = list(pmes)
    ids = [pme.current_dossier_id for pme in pmes if pme.current_dossier_id]
    dossiers = (
        {d.pk: d for d in Dossier.objects.filter(pk__in=ids).select_related("staff_member")}
        if ids
        else {}
    )
    for pme in pmes:
        pme.current_dossier = dossiers.get(pme.current_dossier_id)
    return pmes
