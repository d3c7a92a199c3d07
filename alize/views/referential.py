"""The programme referential's pages: basins and their caps, periods, territories, funders
and contributions. They stay thin: a scoped queryset (404 for what a user may not see), one
service, a French message."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.db.models import Count, OuterRef, Subquery, Sum
from django.shortcuts import get_object_or_404, redirect
from django.views.generic.edit import FormView

from alize import formatting, geo, history, permissions, services
from alize.forms import (
    AdvanceCapForm,
    BasinForm,
    CommuneForm,
    ContributionForm,
    EpciForm,
    FunderForm,
    NewBasinForm,
    OfficialCommuneForm,
    OfficialEpciForm,
    PeriodForm,
    attempt,
)
from alize.models import AdvanceCap, Basin, Commune, Contribution, Epci, Funder, ProgrammePeriod
from alize.services import territory
from alize.views.base import (
    EntityPagesMixin,
    ReferentialDetailView,
    ReferentialFormView,
    ReferentialListView,
    ScopedMixin,
)

# --- Basins ------------------------------------------------------------------------------


class BasinPages:
    model, pages = Basin, "alize:basin"


class BasinListView(BasinPages, ReferentialListView):
    columns = [
        ("Bassin", "name"),
        ("Opérateur", "operator_name"),
        ("Plafond en vigueur", "cap_in_force|euros"),
    ]
    may_create = staticmethod(permissions.can_create_basin)

    def get_queryset(self):
        # One subquery instead of Basin.current_cap's query per row.
        cap_in_force = (
            AdvanceCap.objects.filter(basin=OuterRef("pk"), valid_from__lte=datetime.date.today())
            .order_by("-valid_from")
            .values("amount")[:1]
        )
        return super().get_queryset().annotate(cap_in_force=Subquery(cap_in_force))


class BasinDetailView(BasinPages, ReferentialDetailView):
    # The page shows what the edit form changes.
    fields = BasinForm.Meta.fields
    extra_template = "alize/partials/_basin_extra.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            update_url_name="alize:basin_update"
            if permissions.can_manage_basin(self.request.user)
            else "",
            can_manage=permissions.can_manage_basin(self.request.user),
            caps=self.object.advance_caps.all(),
            periods=self.object.periods.all(),
            epcis=self.object.epcis.annotate(commune_count=Count("communes")),
        )
        return context


class BasinUpdateView(BasinPages, ReferentialFormView):
    form_class = BasinForm
    allowed = staticmethod(permissions.can_manage_basin)


class BasinCreateView(BasinPages, ReferentialFormView):
    """The administrator opens a new basin with its first advance cap; its manager is
    invited next, from the users' page."""

    form_class = NewBasinForm
    allowed = staticmethod(permissions.can_create_basin)
    success_message = (
        "Le bassin est créé. Invitez maintenant son responsable depuis la page des utilisateurs."
    )

    def save(self, form):
        data = form.cleaned_data
        return services.create_basin(
            basin=form.save(commit=False),
            cap_amount=data["cap_amount"],
            cap_valid_from=data["cap_valid_from"],
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="Nouveau bassin d'emploi",
            help_text=(
                "Le bassin regroupe l'opérateur local, ses communes, ses périodes de programme "
                "et son plafond d'avance. Après sa création, ajoutez ses intercommunalités "
                "depuis le référentiel officiel et invitez son responsable."
            ),
        )
        return context


class AdvanceCapCreateView(ScopedMixin, FormView):
    model = Basin
    form_class = AdvanceCapForm
    template_name = "alize/referential_form.html"
    allowed = staticmethod(permissions.can_manage_basin)

    def dispatch(self, request, *args, **kwargs):
        # The basin first, for the users the page is for (ScopedMixin turns away the others).
        if self.allowed(request.user):
            self.basin = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        if attempt(form, services.set_advance_cap, basin=self.basin, **form.cleaned_data) is None:
            return self.form_invalid(form)
        messages.success(self.request, "Le nouveau plafond est enregistré.")
        return redirect(self.basin.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Nouveau plafond d'avance : {self.basin}",
            object=self.basin,
            list_url_name="alize:basin_list",
            list_title="bassins d'emploi",
            help_text=(
                "Un plafond s'applique aux décisions prises à partir de sa date d'effet. "
                "Les décisions antérieures gardent le plafond de leur date."
            ),
        )
        return context


# --- Periods -----------------------------------------------------------------------------


class PeriodPages:
    model, pages, related = ProgrammePeriod, "alize:period", ("basin",)


class PeriodListView(PeriodPages, ReferentialListView):
    columns = [
        ("Période", "name"),
        ("Bassin", "basin"),
        ("Début", "start_date|date"),
        ("Fin", "end_date|date"),
        ("Objectif d'emplois", "target_jobs|integer"),
    ]


class PeriodDetailView(PeriodPages, ReferentialDetailView):
    fields = ["basin", "name", "start_date", "end_date", "target_jobs", "target_smes", "budget"]
    extra_template = "alize/partials/_period_extra.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        contributions = self.object.contributions.select_related("funder")
        by_kind = list(
            contributions.values("funder__kind")
            .annotate(committed=Sum("committed"), paid=Sum("paid"))
            .order_by("-committed", "funder__kind")
        )
        # The totals are the sums of the rows by kind: no second aggregate query.
        totals = {
            "committed": sum((row["committed"] for row in by_kind), Decimal(0)),
            "paid": sum((row["paid"] for row in by_kind), Decimal(0)),
        }
        kinds = dict(Funder.Kind.choices)
        total = totals["committed"]
        context.update(
            contributions=contributions,
            totals=totals,
            by_kind=[
                {
                    "label": kinds[row["funder__kind"]],
                    "committed": row["committed"],
                    "paid": row["paid"],
                    "share": (row["committed"] * 100 / total) if total else None,
                }
                for row in by_kind
            ],
        )
        return context


class PeriodFormView(PeriodPages, ReferentialFormView):
    form_class = PeriodForm

    def save(self, form):
        return services.save_period(period=form.save(commit=False))


# --- Territories -------------------------------------------------------------------------


class EpciPages:
    model, pages, related = Epci, "alize:epci", ("basin",)


class EpciListView(EpciPages, ReferentialListView):
    columns = [
        ("Intercommunalité", "name"),
        ("Nature", "get_kind_display"),
        ("SIREN", "siren"),
        ("Population", "population|integer"),
        ("Bassin", "basin"),
    ]
    import_url_name = "alize:epci_import"
    search_fields = ("name", "siren")


class EpciDetailView(EpciPages, ReferentialDetailView):
    fields = ["name", "kind", "siren", "population", "basin"]
    extra_template = "alize/partials/_epci_extra.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["communes"] = self.object.communes.all()
        return context


class EpciFormView(EpciPages, ReferentialFormView):
    form_class = EpciForm


class CommunePages:
    model, pages, related = Commune, "alize:commune", ("epci",)


class CommuneListView(CommunePages, ReferentialListView):
    columns = [
        ("Commune", "name"),
        ("Code INSEE", "insee_code"),
        ("Code postal", "postcode"),
        ("Intercommunalité", "epci"),
    ]
    import_url_name = "alize:commune_import"
    search_fields = ("name", "insee_code", "postcode")


class CommuneDetailView(CommunePages, ReferentialDetailView):
    fields = ["name", "insee_code", "postcode", "population", "epci"]


class CommuneFormView(CommunePages, ReferentialFormView):
    form_class = CommuneForm


# --- Funders and contributions -----------------------------------------------------------


class FunderPages:
    model, pages = Funder, "alize:funder"


class FunderListView(FunderPages, ReferentialListView):
    related = ("basin",)
    columns = [
        ("Financeur", "name"),
        ("Nature", "get_kind_display"),
        ("Bassin", "basin"),
        ("Total engagé", "total_committed|euros"),
    ]
    search_fields = ("name",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .annotate(total_committed=Sum("contributions__committed"))
            # Meta.ordering is ignored by a GROUP BY query: order explicitly for pagination.
            .order_by("basin__name", "name", "pk")
        )


class FunderDetailView(FunderPages, ReferentialDetailView):
    fields = ["name", "kind", "basin", "epci"]
    extra_template = "alize/partials/_funder_extra.html"
    related = ("basin", "epci")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contributions=self.object.contributions.select_related("period"),
            contribution_history=history.contribution_history_for(self.object),
        )
        return context


class FunderFormView(FunderPages, ReferentialFormView):
    form_class = FunderForm


class ContributionFormView(ReferentialFormView):
    """Create a contribution for a funder (funder pk), or edit one (contribution pk)."""

    model = Contribution
    form_class = ContributionForm
    list_url_name = "alize:funder_list"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.object:
            kwargs["funder"] = self.object.funder
        else:
            kwargs["funder"] = get_object_or_404(
                Funder.objects.visible_to(self.request.user), pk=self.kwargs["funder_pk"]
            )
        return kwargs

    def save(self, form):
        return services.save_contribution(contribution=form.save(commit=False))


# --- The official referential: communes and intercommunalities picked, not typed ------------


class OfficialImportView(EntityPagesMixin, ScopedMixin, FormView):
    """Search the official referential; each result has its own small form to add it."""

    template_name = "alize/official_import.html"
    allowed = staticmethod(permissions.can_edit_referential)
    is_epci = False  # the page of intercommunalities (else of communes)
    # search(query): the official entries found; add(by=, **picked): record the one picked.
    search = add = None

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def query(self):
        return (self.request.POST.get("q") or self.request.GET.get("q") or "").strip()

    def form_valid(self, form):
        # The form's fields but the search it was drawn from: the official code and its place.
        picked = {name: value for name, value in form.cleaned_data.items() if name != "q"}
        obj = attempt(form, self.add, by=self.request.user, **picked)
        if obj is None:
            return self.form_invalid(form)
        messages.success(self.request, self.done(obj))
        return redirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.query()
        try:
            results = self.search(query) if query else []
        except geo.ReferentialMissing as error:
            results, context["missing"] = [], str(error)
        choice_field = context["form"].choice_field
        choices = list(context["form"].fields[choice_field].queryset)
        context.update(
            query=query,
            results=self.rows(results, choices),
            choices=choices,
            choice_field=choice_field,
            list_url_name=self.list_url_name,
            list_title=self.model._meta.verbose_name_plural,
            title=self.title,
            is_epci=self.is_epci,
        )
        return context


class CommuneImportView(CommunePages, OfficialImportView):
    form_class = OfficialCommuneForm
    title = "Ajouter une commune du référentiel officiel"

    search = staticmethod(geo.search_communes)
    add = staticmethod(territory.add_official_commune)

    def done(self, commune):
        return f"La commune {commune.name} est ajoutée à {commune.epci}."

    def rows(self, results, epcis):
        recorded = {
            commune.insee_code: commune
            for commune in Commune.objects.filter(
                insee_code__in=[result.code for result in results]
            ).select_related("epci__basin")
        }
        by_siren = {epci.siren: epci for epci in epcis}
        visible = {epci.pk for epci in epcis}
        official_epcis = geo.epcis()
        return [
            {
                "key": result.code,
                "official": result,
                "detail": ", ".join(result.postcodes) or "—",
                "parent": official_epcis[result.epci_siren].name if result.epci_siren else "—",
                "recorded": recorded.get(result.code),
                "recorded_here": result.code in recorded
                and recorded[result.code].epci_id in visible,
                "initial": by_siren.get(result.epci_siren),
            }
            for result in results
        ]


class EpciImportView(EpciPages, OfficialImportView):
    form_class = OfficialEpciForm
    title = "Ajouter une intercommunalité du référentiel officiel"
    is_epci = True

    search = staticmethod(geo.search_epcis)
    add = staticmethod(territory.add_official_epci)

    def done(self, epci):
        count = epci.communes.count()
        return f"L'intercommunalité {epci.name} est ajoutée avec ses {count} communes."

    def rows(self, results, basins):
        recorded = {
            epci.siren: epci
            for epci in Epci.objects.filter(siren__in=[result.siren for result in results])
        }
        visible = {basin.pk for basin in basins}
        kinds = dict(Epci.Kind.choices)
        return [
            {
                "key": result.siren,
                "official": result,
                "detail": f"{kinds.get(result.kind, result.kind)}, {len(result.members)} communes",
                "parent": formatting.integer(result.population),
                "recorded": recorded.get(result.siren),
                "recorded_here": result.siren in recorded
                and recorded[result.siren].basin_id in visible,
                "initial": basins[0] if len(basins) == 1 else None,
            }
            for result in results
        ]
