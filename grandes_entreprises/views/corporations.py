"""Screens of the partner corporations: the list, the page, their experts and daily rates,
and the yearly skills statement (PDF)."""

import copy
import datetime

from django.db.models import DecimalField, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, ListView

from alize import permissions as alize_permissions
from alize.pdf import pdf_filename, pdf_response
from alize.views.base import row_or_404
from grandes_entreprises import permissions, services
from grandes_entreprises.forms import DailyRateForm, ExpertForm
from grandes_entreprises.models import Corporation, Expert, RevitalisationConvention
from grandes_entreprises.models.common import DAYS, NO_DAYS
from grandes_entreprises.pdf import build_skills_statement_pdf
from grandes_entreprises.queries import CorporationFilterForm
from grandes_entreprises.statements import yearly_figures
from grandes_entreprises.views.common import BrowseMixin, ServiceFormView
from pme import permissions as pme_permissions

# The scheme began in 1996; a statement before it, or for a year not begun, is a 404.
FIRST_STATEMENT_YEAR = 1996


class PaginatedListMixin:
    paginate_by = 25

    def paginate_queryset(self, queryset, page_size):
        # "?page=abc" or "?page=999" shows the first or the last page, never an error.
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()


class CorporationListView(BrowseMixin, PaginatedListMixin, ListView):
    """The corporations the user reads, with what each gave and produced, in one query."""

    model = Corporation
    template_name = "grandes_entreprises/corporation_list.html"

    def get_queryset(self):
        visible = super().get_queryset()
        self.filters = CorporationFilterForm(self.request.GET, visible=visible)
        return (
            self.filters.apply(visible)
            .with_totals()
            .with_current_rate()
            .order_by("group_name", "site_name", "pk")
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filters=self.filters, can_create=permissions.is_operator(self.request.user), **kwargs
        )


class CorporationDetailView(BrowseMixin, DetailView):
    model = Corporation
    template_name = "grandes_entreprises/corporation_detail.html"
    context_object_name = "corporation"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("basin", "funder")
            .with_totals()
            .with_current_rate()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, corporation = self.request.user, self.object
        private = permissions.can_view_contacts(user)
        conventions = []
        if permissions.can_browse_conventions(user):
            conventions = list(
                RevitalisationConvention.objects.visible_to(user)
                .filter(corporation=corporation)
                .with_balance()
            )
        context.update(
            years=yearly_figures(corporation),
            missions=list(
                corporation.missions.select_related("dossier__pme__commune")
                .with_days_and_value()
                .order_by("-start_date", "-pk")
            ),
            experts=list(
                corporation.experts.annotate(
                    days_given=Coalesce(
                        Sum("assignments__day_logs__days"),
                        NO_DAYS,
                        output_field=DecimalField(**DAYS),
                    )
                ).order_by("name")
            ),
            rates=list(corporation.daily_rates.all()),
            memberships=list(corporation.memberships.select_related("period")),
            contacts=list(corporation.contacts.all()) if private else [],
            coordinators=list(corporation.coordinators.all()) if private else [],
            representatives=list(corporation.committee_representatives.all()) if private else [],
            # The group's other local sites the user reads (each its own record).
            sites=list(
                Corporation.objects.visible_to(user)
                .filter(group_name=corporation.group_name)
                .exclude(pk=corporation.pk)
                .select_related("basin")
            ),
            conventions=conventions,
            can_view_conventions=permissions.can_browse_conventions(user),
            can_view_private=private,
            can_manage=permissions.can_manage_corporation(user, corporation),
            # Accounts are the manager's: staff name an existing account instead.
            can_invite=alize_permissions.can_manage_basin(user),
            can_view_dossiers=pme_permissions.can_browse_pmes(user),
            breadcrumbs=[(reverse("grandes_entreprises:corporation_list"), "Grandes entreprises")],
        )
        return context


@method_decorator(never_cache, name="dispatch")
class SkillsStatementPdfView(BrowseMixin, View):
    """The yearly skills statement of a corporation, shown in the browser."""

    model = Corporation
    http_method_names = ["get", "head"]

    def get(self, request, pk: int, year: int):
        corporation = get_object_or_404(self.get_queryset().select_related("basin"), pk=pk)
        if not FIRST_STATEMENT_YEAR <= year <= timezone.localdate().year:
            raise Http404
        pdf = build_skills_statement_pdf(corporation, year)
        return pdf_response(
            pdf, pdf_filename("bilan-competences", corporation.group_name, str(year))
        )


# --- Forms of the operator ----------------------------------------------------------------


class CorporationFormMixin:
    """A form about one corporation: its basin's operators only (a 404 for anyone else)."""

    model = Corporation
    allowed = staticmethod(permissions.is_operator)

    def corporation_or_404(self, pk: int) -> Corporation:
        corporation = get_object_or_404(
            Corporation.objects.visible_to(self.request.user).select_related("basin"), pk=pk
        )
        if not permissions.can_manage_corporation(self.request.user, corporation):
            raise Http404
        return corporation

    def corporation_row_or_404(self, model, pk: int, related: tuple[str, ...] = ()):
        """A row of a corporation (an expert, a contact) the user may manage; the
        corporation becomes `self.corporation`."""
        row = row_or_404(model, self.request.user, pk, parent="corporation", related=related)
        self.corporation = self.corporation_or_404(row.corporation_id)
        return row

    def breadcrumbs(self):
        return [
            (reverse("grandes_entreprises:corporation_list"), "Grandes entreprises"),
            (self.corporation.get_absolute_url(), self.corporation.name),
        ]


class CorporationRowFormView(CorporationFormMixin, ServiceFormView):
    """Add a row to a corporation (`corporation_pk`), or change one (`pk`): an expert, a
    contact. The services are `add(corporation=, by=, data=)` and
    `update(<row_keyword>=, by=, data=)`; the page goes back to the corporation."""

    row_model = None
    row_keyword = ""
    add = update = None
    edit_title = ""  # with {row}
    new_title = ""  # with {corporation}

    def get_target(self):
        if "pk" in self.kwargs:
            self.row = self.corporation_row_or_404(self.row_model, self.kwargs["pk"])
            self.title = self.edit_title.format(row=self.row)
        else:
            self.row = None
            self.corporation = self.corporation_or_404(self.kwargs["corporation_pk"])
            self.title = self.new_title.format(corporation=self.corporation)

    def get_object(self):
        # The form writes into its instance: keep the row as it is in the database.
        return copy.copy(self.row) if self.row else None

    def form_extra_kwargs(self):
        return {"corporation": self.corporation}

    def save(self, form):
        user, data = self.request.user, form.service_data()
        if self.row is None:
            self.add(corporation=self.corporation, by=user, data=data)
        else:
            self.update(**{self.row_keyword: self.row}, by=user, data=data)
        return self.corporation


class ExpertFormView(CorporationRowFormView):
    """Add an expert to a corporation (corporation_pk), or change one (pk)."""

    form_class = ExpertForm
    success_message = "L'expert est enregistré."
    row_model, row_keyword = Expert, "expert"
    add, update = staticmethod(services.add_expert), staticmethod(services.update_expert)
    edit_title = "Modifier l'expert « {row.name} »"
    new_title = "Nouvel expert : {corporation.name}"


class DailyRateCreateView(CorporationFormMixin, ServiceFormView):
    form_class = DailyRateForm
    success_message = "La nouvelle valeur de la journée d'expert est enregistrée."
    help_text = (
        "Une valeur s'applique aux journées données à partir de sa date d'effet ; les "
        "journées antérieures gardent la valeur de leur date. Une valeur datée du passé "
        "revalorise les journées données depuis."
    )

    def get_target(self):
        self.corporation = self.corporation_or_404(self.kwargs["pk"])
        self.title = f"Nouvelle valeur de la journée d'expert : {self.corporation.name}"

    def form_extra_kwargs(self):
        return {"corporation": self.corporation}

    def get_initial(self):
        return {"valid_from": datetime.date.today()}

    def save(self, form):
        data = form.cleaned_data
        services.set_daily_rate(
            corporation=self.corporation,
            rate=data["rate"],
            valid_from=data["valid_from"],
            comment=data["comment"],
            by=self.request.user,
        )
        return self.corporation
