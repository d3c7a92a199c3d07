"""The lists of SMEs and dossiers, their exports, and the staff member's work queue."""

from abc import ABCMeta, abstractmethod

from django.urls import reverse
from django.views import View
from django.views.generic import ListView, TemplateView

from alize.models import Role
from pme import exports, permissions
from pme.models import Dossier, Pme
from pme.selectors import DOSSIER_LIST, PME_LIST, ListFilterForm, attach_current_dossiers
from pme.views.base import OperatorMixin, ReadMixin

# --- Lists and their exports ------------------------------------------------------------


class FilteredListMixin(ReadMixin, metaclass=ABCMeta):
    """The search, filters and sort of a list, shared by the page and its exports."""

    kind = None

    @abstractmethod
    def base_queryset(self):
        """The rows before the filters: what the user may read."""

    def get_queryset(self):
        user = self.request.user
        self.filters = ListFilterForm(
            self.request.GET,
            kind=self.kind,
            visible_pmes=Pme.objects.visible_to(user),
            visible_dossiers=Dossier.objects.visible_to(user),
        )
        return self.filters.apply(self.base_queryset())


class FilteredListView(FilteredListMixin, ListView):
    paginate_by = 25
    headers: list[tuple] = []  # (label, sort key or "", optional CSS class)
    export_url_names = ("", "")
    title = ""

    def paginate_queryset(self, queryset, page_size):
        # "?page=abc" or "?page=999" shows the first or the last page, never an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        query = f"?{params.urlencode()}" if params else ""
        csv_name, xlsx_name = self.export_url_names
        context.update(
            title=self.title,
            filters=self.filters,
            columns=self.filters.columns(self.headers),
            csv_url=reverse(csv_name) + query,
            xlsx_url=reverse(xlsx_name) + query,
            can_create=permissions.can_create_pme(self.request.user),
        )
        return context


class PmeListMixin:
    model = Pme
    kind = PME_LIST

    def base_queryset(self):
        return Pme.objects.visible_to(self.request.user).with_geography().with_current_dossier()


class DossierListMixin:
    model = Dossier
    kind = DOSSIER_LIST

    def base_queryset(self):
        return Dossier.objects.visible_to(self.request.user).with_related().with_hires_count()


class PmeListView(PmeListMixin, FilteredListView):
    template_name = "pme/pme_list.html"
    title = "Entreprises"
    export_url_names = ("pme:pme_export_csv", "pme:pme_export_xlsx")
    headers = [
        ("Raison sociale", "name"),
        ("Commune", ""),
        ("Secteur, effectif", ""),
        ("État du dossier", "state"),
        ("Temps dans l'état", "time"),
        ("Prochaine action", ""),
        ("Emplois prévus", "jobs", "text-end"),
        ("Orientée le", "orientation"),
        ("Chargé(e) de mission", ""),
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["rows"] = attach_current_dossiers(context["object_list"])
        return context


class DossierListView(DossierListMixin, FilteredListView):
    template_name = "pme/dossier_list.html"
    title = "Dossiers"
    export_url_names = ("pme:dossier_export_csv", "pme:dossier_export_xlsx")
    headers = [
        ("Entreprise", "name"),
        ("État", "state"),
        ("Temps dans l'état", "time"),
        ("Prochaine action", ""),
        ("Nature", ""),
        ("Emplois prévus", "jobs", "text-end"),
        ("Embauches", "", "text-end"),
        ("Avance demandée", "", "text-end"),
        ("Orientée le", "orientation"),
        ("Chargé(e) de mission", ""),
    ]


class ExportView(FilteredListMixin, View):
    """The list the user is looking at (all its pages), as CSV or XLSX."""

    fmt = "csv"
    stem = ""
    sheet_title = ""
    columns = ()

    def rows(self):
        return self.get_queryset()

    def get(self, request, *args, **kwargs):
        rows = self.rows()
        if self.fmt == "xlsx":
            return exports.xlsx_response(self.stem, self.sheet_title, self.columns, rows)
        return exports.csv_response(self.stem, self.columns, rows)


class PmeExportView(PmeListMixin, ExportView):
    stem = "entreprises"
    sheet_title = "Entreprises"
    columns = exports.PME_COLUMNS

    def rows(self):
        return attach_current_dossiers(self.get_queryset())


class DossierExportView(DossierListMixin, ExportView):
    stem = "dossiers"
    sheet_title = "Dossiers"
    columns = exports.DOSSIER_COLUMNS


class WorkQueueView(OperatorMixin, TemplateView):
    """The staff member's open dossiers, the longest waiting first, with their next action.

    Managers also see every dossier of their basins that waits for a committee decision.
    """

    model = Dossier
    template_name = "pme/work_queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        visible = Dossier.objects.visible_to(user).with_related()
        context["mine"] = list(visible.open().in_charge_of(user).longest_waiting_first())
        if user.has_role(Role.MANAGER):
            context["awaiting_committee"] = list(
                visible.awaiting_committee().longest_waiting_first()
            )
        return context
