"""The list of advances (filters, sort, totals) and the late-payments work queue."""

from django.db.models import DecimalField, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.views.generic import ListView, TemplateView

from alize.models import MONEY, Basin
from avances.models import (
    Advance,
    CollectiveProceeding,
    Schedule,
    ScheduleKind,
)
from avances.models.common import ZERO
from avances.selectors import claims_to_declare, delinquency_bucket, late_queue
from avances.views.common import (
    ScreensMixin,
    can_act_somewhere,
    search_condition,
)

# The statuses of the list, each the queryset method that says it (see `AdvanceQuerySet`);
# "granted" (accordée, pas encore versée) is `not_disbursed()` among those not written off.
STATUSES = {
    "accordee": ("Accordées, non versées", lambda qs: qs.not_written_off().not_disbursed()),
    "versee": ("Versées", lambda qs: qs.disbursed()),
    "en_remboursement": ("En remboursement", lambda qs: qs.repaying()),
    "en_retard": ("En retard", lambda qs: qs.late()),
    "reechelonnee": ("Rééchelonnées", lambda qs: qs.rescheduled()),
    "en_procedure": ("En procédure collective", lambda qs: qs.in_proceedings()),
    "remboursee": ("Remboursées", lambda qs: qs.repaid()),
    "passee_en_perte": ("Passées en perte", lambda qs: qs.written_off()),
}

SORTS = {
    "reference": ("Référence", "reference"),
    "pme": ("Entreprise", "dossier__pme__name"),
    "decision": ("Décision", "decision_date"),
    "montant": ("Accordé", "amount"),
    "verse": ("Versé", "disbursed"),
    "restant": ("Restant dû", "outstanding"),
    "retard": ("Retard", "days_late"),
}
DEFAULT_SORT = "-decision"


def status_label(advance) -> str:
    if advance.written_off_on:
        return "Passée en perte"
    if not advance.disbursed:
        return "Accordée, non versée"
    if advance.outstanding <= 0:
        return "Remboursée"
    if advance.days_late > 0:
        return "En retard"
    return "En remboursement"


def with_list_columns(queryset, today):
    return (
        queryset.with_related()
        .with_balances()
        .with_delinquency(today)
        .annotate(
            is_rescheduled=Exists(
                Schedule.objects.filter(advance=OuterRef("pk"), kind=ScheduleKind.RESCHEDULING)
            ),
            is_in_proceedings=Exists(
                CollectiveProceeding.objects.filter(advance=OuterRef("pk"), closed_on=None)
            ),
        )
    )


class AdvanceListView(ScreensMixin, ListView):
    template_name = "avances/advance_list.html"
    context_object_name = "advances"
    paginate_by = 25

    def filtered(self):
        queryset = Advance.objects.visible_to(self.request.user)
        self.status = self.request.GET.get("etat", "")
        if self.status in STATUSES:
            chosen = STATUSES[self.status][1](Advance.objects.all())
            queryset = queryset.filter(pk__in=chosen.values("pk"))
        else:
            self.status = ""
        self.query = self.request.GET.get("q", "").strip()[:100]
        if self.query:
            queryset = queryset.filter(search_condition(self.query))
        return queryset

    def get_queryset(self):
        self.today = timezone.localdate()
        self.base = self.filtered()
        sort = self.request.GET.get("tri", DEFAULT_SORT)
        if sort.lstrip("-") not in SORTS:
            sort = DEFAULT_SORT
        self.sort = sort
        field = SORTS[sort.lstrip("-")][1]
        ordering = F(field).desc() if sort.startswith("-") else F(field).asc()
        return with_list_columns(self.base, self.today).order_by(ordering, "-pk")

    def totals(self) -> dict:
        """Granted, disbursed, outstanding (a written-off advance owes nothing) and written
        off of every row of the filtered list, summed by the database."""
        money = {"output_field": DecimalField(**MONEY)}
        return (
            Advance.objects.filter(pk__in=self.base.values("pk"))
            .with_balances()
            .aggregate(
                granted=Coalesce(Sum("amount"), ZERO, **money),
                disbursed_total=Coalesce(Sum("disbursed"), ZERO, **money),
                outstanding_total=Coalesce(
                    Sum("outstanding", filter=Q(written_off_on__isnull=True)), ZERO, **money
                ),
                written_off_total=Coalesce(Sum("written_off_amount"), ZERO, **money),
            )
        )

    def columns(self):
        current = self.sort.lstrip("-")
        descending = self.sort.startswith("-")
        columns = []
        for key, (label, _) in SORTS.items():
            aria = ""
            next_sort = key
            if key == current:
                aria = "descending" if descending else "ascending"
                next_sort = key if descending else f"-{key}"
            css = "text-end" if key in ("montant", "verse", "restant", "retard") else ""
            columns.append(
                {
                    "label": label,
                    "sort": True,
                    "aria_sort": aria,
                    "next_sort": next_sort,
                    "css": css,
                }
            )
        return columns

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        for advance in context["advances"]:
            advance.status_label = status_label(advance)
            advance.bucket = delinquency_bucket(advance.days_late)
        context.update(
            title="Avances remboursables",
            statuses=[(key, label) for key, (label, _) in STATUSES.items()],
            status=self.status,
            query=self.query,
            totals=self.totals(),
            columns=self.columns(),
            basins=list(Basin.objects.visible_to(self.request.user).order_by("name")),
            can_import=can_act_somewhere(self.request.user),
        )
        return context


class LateQueueView(ScreensMixin, TemplateView):
    """Advances late, the longest first, with what to do next; and the proceedings whose
    claim must be declared, the nearest deadline first."""

    template_name = "avances/late_queue.html"
    NEAR_DAYS = 30

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        advances = Advance.objects.visible_to(self.request.user)
        late = late_queue(advances, today)
        context.update(
            title="Retards de paiement",
            late=late,
            overdue_total=sum((a.overdue for a in late), ZERO),
            proceedings=claims_to_declare(advances, today, near_days=self.NEAR_DAYS),
            near_days=self.NEAR_DAYS,
            today=today,
        )
        return context
