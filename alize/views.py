"""Views of the referential, the home page and the health check. They stay thin: a scoped
queryset (404 for what a user may not see), one service, a French message."""

import datetime
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView, TemplateView
from django.views.generic.edit import FormView

from alize import history, permissions, services
from alize.forms import (
    AdvanceCapForm,
    BasinForm,
    CommuneForm,
    ContributionForm,
    EpciForm,
    FunderForm,
    PeriodForm,
    attach_errors,
)
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
)

# --- Home and health -----------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "alize/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        basins = list(
            Basin.objects.visible_to(user).annotate(
                period_count=Count("periods", distinct=True),
                epci_count=Count("epcis", distinct=True),
            )
        )
        context.update(
            basins=basins,
            role_labels=user.role_labels,
            is_operator=user.is_operator,
            is_manager=user.has_role(Role.MANAGER, Role.ADMIN),
            is_committee_member=user.has_role(Role.COMMITTEE_MEMBER),
            is_steering=user.has_role(Role.STEERING),
            is_funder=user.has_role(Role.FUNDER),
            is_admin=user.has_role(Role.ADMIN),
            current_periods=ProgrammePeriod.objects.visible_to(user)
            .select_related("basin")
            .order_by("-start_date")[:4],
        )
        return context


@login_not_required
@never_cache
def healthz(request):
    """Database and broker status, for load balancers and docker compose."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"erreur : {exc.__class__.__name__}"
    checks["broker"] = _broker_status()
    healthy = all(value in {"ok", "in-process"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "erreur", **checks}, status=200 if healthy else 503
    )


def _broker_status() -> str:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from alize.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"erreur : {exc.__class__.__name__}"


# --- Generic referential views ---------------------------------------------------------


class ScopedMixin:
    """Fetch through the model's visible_to(user); refuse with a 404."""

    model = None
    allowed = staticmethod(permissions.can_view_referential)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return self.model.objects.visible_to(self.request.user)


class ReferentialListView(ScopedMixin, ListView):
    template_name = "alize/referential_list.html"
    paginate_by = 25
    title = ""
    columns: list[tuple[str, str]] = []  # (label, attribute or "filter:attribute")
    create_url_name = ""
    search_fields: tuple[str, ...] = ()

    def get_queryset(self):
        queryset = super().get_queryset()
        query = self.request.GET.get("q", "").strip()
        if query and self.search_fields:
            condition = Q()
            for field in self.search_fields:
                condition |= Q(**{f"{field}__icontains": query})
            queryset = queryset.filter(condition)
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            columns=self.columns,
            create_url_name=self.create_url_name
            if permissions.can_edit_referential(self.request.user)
            else "",
            searchable=bool(self.search_fields),
            query=self.request.GET.get("q", ""),
        )
        return context


class ReferentialDetailView(ScopedMixin, DetailView):
    template_name = "alize/referential_detail.html"
    fields: list[str] = []
    update_url_name = ""
    extra_template = ""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        obj = self.object
        rows = []
        for name in self.fields:
            field = obj._meta.get_field(name)
            display = getattr(obj, f"get_{name}_display", None)
            value = display() if display else getattr(obj, name)
            rows.append((field.verbose_name, value, field.get_internal_type()))
        context.update(
            rows=rows,
            update_url_name=self.update_url_name
            if permissions.can_edit_referential(self.request.user)
            else "",
            extra_template=self.extra_template,
            list_url_name=self.list_url_name,
            list_title=self.model._meta.verbose_name_plural,
        )
        return context


class ReferentialFormView(ScopedMixin, FormView):
    """Create (no pk) or edit (pk) one referential object through save_referential."""

    template_name = "alize/referential_form.html"
    allowed = staticmethod(permissions.can_edit_referential)
    success_message = "Enregistré."

    def get_object(self):
        if "pk" not in self.kwargs:
            return None
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        self.object = self.get_object()
        kwargs.update(user=self.request.user, instance=self.object)
        return kwargs

    def save(self, form):
        return services.save_referential(instance=form.save(commit=False))

    def form_valid(self, form):
        try:
            obj = self.save(form)
        except ValidationError as error:
            attach_errors(error, form)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(obj.get_absolute_url())

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        meta = self.model._meta
        context.update(
            object=self.object,
            title=f"Modifier « {self.object} »"
            if self.object
            else f"Nouvelle fiche : {meta.verbose_name}",
            list_url_name=self.list_url_name,
            list_title=meta.verbose_name_plural,
        )
        return context


# --- Basins ------------------------------------------------------------------------------


class BasinListView(ReferentialListView):
    model = Basin
    title = "Bassins d'emploi"
    columns = [
        ("Bassin", "name"),
        ("Opérateur", "operator_name"),
        ("Plafond en vigueur", "cap_in_force|euros"),
    ]
    list_url_name = "alize:basin_list"

    def get_queryset(self):
        # One subquery instead of Basin.current_cap's query per row.
        cap_in_force = (
            AdvanceCap.objects.filter(basin=OuterRef("pk"), valid_from__lte=datetime.date.today())
            .order_by("-valid_from")
            .values("amount")[:1]
        )
        return super().get_queryset().annotate(cap_in_force=Subquery(cap_in_force))


class BasinDetailView(ReferentialDetailView):
    model = Basin
    fields = ["name", "slug", "operator_name", "operator_short_name", "departement"]
    list_url_name = "alize:basin_list"
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


class BasinUpdateView(ReferentialFormView):
    model = Basin
    form_class = BasinForm
    allowed = staticmethod(permissions.can_manage_basin)
    list_url_name = "alize:basin_list"


class AdvanceCapCreateView(ScopedMixin, FormView):
    model = Basin
    form_class = AdvanceCapForm
    template_name = "alize/referential_form.html"
    allowed = staticmethod(permissions.can_manage_basin)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        self.basin = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        return super(ScopedMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def form_valid(self, form):
        try:
            services.set_advance_cap(basin=self.basin, **form.cleaned_data)
        except ValidationError as error:
            attach_errors(error, form)
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


class PeriodListView(ReferentialListView):
    model = ProgrammePeriod
    title = "Périodes de programme"
    columns = [
        ("Période", "name"),
        ("Bassin", "basin"),
        ("Début", "start_date|date"),
        ("Fin", "end_date|date"),
        ("Objectif d'emplois", "target_jobs|integer"),
    ]
    create_url_name = "alize:period_create"
    list_url_name = "alize:period_list"

    def get_queryset(self):
        return super().get_queryset().select_related("basin")


class PeriodDetailView(ReferentialDetailView):
    model = ProgrammePeriod
    fields = ["basin", "name", "start_date", "end_date", "target_jobs", "target_smes", "budget"]
    update_url_name = "alize:period_update"
    list_url_name = "alize:period_list"
    extra_template = "alize/partials/_period_extra.html"

    def get_queryset(self):
        return super().get_queryset().select_related("basin")

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


class PeriodFormView(ReferentialFormView):
    model = ProgrammePeriod
    form_class = PeriodForm
    list_url_name = "alize:period_list"


# --- Territories -------------------------------------------------------------------------


class EpciListView(ReferentialListView):
    model = Epci
    title = "Intercommunalités"
    columns = [
        ("Intercommunalité", "name"),
        ("Nature", "get_kind_display"),
        ("SIREN", "siren"),
        ("Population", "population|integer"),
        ("Bassin", "basin"),
    ]
    create_url_name = "alize:epci_create"
    list_url_name = "alize:epci_list"
    search_fields = ("name", "siren")

    def get_queryset(self):
        return super().get_queryset().select_related("basin")


class EpciDetailView(ReferentialDetailView):
    model = Epci
    fields = ["name", "kind", "siren", "population", "basin"]
    update_url_name = "alize:epci_update"
    list_url_name = "alize:epci_list"
    extra_template = "alize/partials/_epci_extra.html"

    def get_queryset(self):
        return super().get_queryset().select_related("basin")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["communes"] = self.object.communes.all()
        return context


class EpciFormView(ReferentialFormView):
    model = Epci
    form_class = EpciForm
    list_url_name = "alize:epci_list"


class CommuneListView(ReferentialListView):
    model = Commune
    title = "Communes"
    columns = [
        ("Commune", "name"),
        ("Code INSEE", "insee_code"),
        ("Code postal", "postcode"),
        ("Intercommunalité", "epci"),
    ]
    create_url_name = "alize:commune_create"
    list_url_name = "alize:commune_list"
    search_fields = ("name", "insee_code", "postcode")

    def get_queryset(self):
        return super().get_queryset().select_related("epci")


class CommuneDetailView(ReferentialDetailView):
    model = Commune
    fields = ["name", "insee_code", "postcode", "population", "epci"]
    update_url_name = "alize:commune_update"
    list_url_name = "alize:commune_list"

    def get_queryset(self):
        return super().get_queryset().select_related("epci")


class CommuneFormView(ReferentialFormView):
    model = Commune
    form_class = CommuneForm
    list_url_name = "alize:commune_list"


# --- Funders and contributions -----------------------------------------------------------


class FunderListView(ReferentialListView):
    model = Funder
    title = "Financeurs"
    columns = [
        ("Financeur", "name"),
        ("Nature", "get_kind_display"),
        ("Bassin", "basin"),
        ("Total engagé", "total_committed|euros"),
    ]
    create_url_name = "alize:funder_create"
    list_url_name = "alize:funder_list"
    search_fields = ("name",)

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("basin")
            .annotate(total_committed=Sum("contributions__committed"))
            # Meta.ordering is ignored by a GROUP BY query: order explicitly for pagination.
            .order_by("basin__name", "name", "pk")
        )


class FunderDetailView(ReferentialDetailView):
    model = Funder
    fields = ["name", "kind", "basin", "epci"]
    update_url_name = "alize:funder_update"
    list_url_name = "alize:funder_list"
    extra_template = "alize/partials/_funder_extra.html"

    def get_queryset(self):
        return super().get_queryset().select_related("basin", "epci")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            contributions=self.object.contributions.select_related("period"),
            contribution_history=history.contribution_history_for(self.object),
        )
        return context


class FunderFormView(ReferentialFormView):
    model = Funder
    form_class = FunderForm
    list_url_name = "alize:funder_list"


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
