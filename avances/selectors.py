"""The reads the advances' screens, PDFs and services share: the fund's balances, the de
minimis position, a dunning letter, how late an advance is and what to do about it, the
late-payments queue and what the advance page can offer now.

Reads only: nothing here writes, locks or checks who asks (the views fetch through
`Advance.objects.visible_to`, the services check permissions themselves).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db import models
from django.db.models import Exists, OuterRef, Prefetch, Q, Subquery, Sum

from alize.models import MONEY, Basin
from avances import permissions
from avances.models import (
    Advance,
    Allocation,
    CollectiveProceeding,
    DeMinimisAid,
    DeMinimisDeclaration,
    Disbursement,
    DunningKind,
    DunningStep,
    FundMovement,
    Instalment,
    MovementKind,
    ScheduleKind,
    WriteOffStatus,
    delinquency_of,
)
from avances.models.common import ZERO, sum_of
from avances.schedule import add_months
from pme.models import Pme

DE_MINIMIS_CEILING = Decimal("300000.00")
DE_MINIMIS_MONTHS = 36


def _amount_per_row(rows: models.QuerySet, path: str, **filters):
    """Σ amount of the `rows` (with `filters`) whose `path` leads to the outer query's row,
    0.00 when there are none (see `sum_of`)."""
    return sum_of(rows.filter(**{path: OuterRef("pk")}, **filters), "amount", path)


# --- The fund -----------------------------------------------------------------------------


def with_fund_balances(basins: models.QuerySet) -> models.QuerySet:
    """Annotate basins with `contributions`, `repayments`, `disbursements` (positive),
    `cash`, `committed` and `available`, all in the same query."""
    money = models.DecimalField(**MONEY)
    movements = FundMovement.objects.filter(basin=OuterRef("pk"))

    def ledger(kind):
        return sum_of(movements.filter(kind=kind), "amount", "basin")

    open_advances = Q(written_off_on__isnull=True, disbursements_closed_on__isnull=True)
    granted_open = _amount_per_row(Advance.objects.filter(open_advances), "basin")
    disbursed_open = _amount_per_row(
        Disbursement.objects.not_reversed(),
        "advance__basin",
        advance__written_off_on__isnull=True,
        advance__disbursements_closed_on__isnull=True,
    )
    annotated = basins.annotate(
        contributions=ledger(MovementKind.CONTRIBUTION),
        # Net of the payments reversed as mistaken entries (their counter-movements).
        repayments=ledger(MovementKind.REPAYMENT) + ledger(MovementKind.REPAYMENT_REVERSAL),
        disbursements=-(
            ledger(MovementKind.DISBURSEMENT) + ledger(MovementKind.DISBURSEMENT_REVERSAL)
        ),
        cash=sum_of(movements, "amount", "basin"),
        committed=models.ExpressionWrapper(granted_open - disbursed_open, output_field=money),
    )
    return annotated.annotate(
        available=models.ExpressionWrapper(
            models.F("cash") - models.F("committed"), output_field=money
        )
    )


@dataclass(frozen=True)
class FundBalance:
    contributions: Decimal
    repayments: Decimal
    disbursements: Decimal
    cash: Decimal
    committed: Decimal
    available: Decimal


def fund_balance(basin_id: int) -> FundBalance:
    """The fund's balances, read in one statement (so that a transaction committing in the
    middle can never make them disagree)."""
    row = (
        with_fund_balances(Basin.objects.filter(pk=basin_id))
        .values("contributions", "repayments", "disbursements", "cash", "committed", "available")
        .get()
    )
    return FundBalance(**row)


def advances_funded_by(convention) -> Decimal:
    """What counts toward a revitalisation convention: the advances it funded (granted)."""
    total = Advance.objects.filter(funding_convention=convention).aggregate(t=Sum("amount"))["t"]
    return total or ZERO


# --- De minimis ---------------------------------------------------------------------------


def window_start(day: datetime.date) -> datetime.date:
    """The first day of the three years ending on `day`."""
    return add_months(day, -DE_MINIMIS_MONTHS) + datetime.timedelta(days=1)


@dataclass(frozen=True)
class DeMinimisPosition:
    """The SME's de minimis aid over the three years ending on `day`, with this advance."""

    pme: Pme
    day: datetime.date
    window_from: datetime.date
    declaration: DeMinimisDeclaration | None
    declared_aids: list[DeMinimisAid]
    other_advances: list[Advance]
    this_advance_gge: Decimal
    ceiling: Decimal = DE_MINIMIS_CEILING

    @property
    def declared_total(self) -> Decimal:
        return sum((aid.amount for aid in self.declared_aids), ZERO)

    @property
    def other_advances_total(self) -> Decimal:
        return sum((a.gross_grant_equivalent for a in self.other_advances), ZERO)

    @property
    def total(self) -> Decimal:
        return self.declared_total + self.other_advances_total + self.this_advance_gge

    @property
    def headroom(self) -> Decimal:
        return self.ceiling - self.total

    @property
    def within_ceiling(self) -> bool:
        return self.total <= self.ceiling


def latest_declaration(pme: Pme, day: datetime.date) -> DeMinimisDeclaration | None:
    """The SME's latest de minimis declaration made on or before `day`."""
    return (
        DeMinimisDeclaration.objects.filter(pme=pme, declared_on__lte=day)
        .order_by("-declared_on", "-pk")
        .first()
    )


def de_minimis_position(
    *,
    pme: Pme,
    day: datetime.date,
    gge: Decimal,
    advance: Advance | None = None,
    declaration: DeMinimisDeclaration | None = None,
) -> DeMinimisPosition:
    """The position on `day` counting `gge` for the advance (`advance` itself, when it
    exists already, is not counted twice), from `declaration` (by default the latest
    made on or before `day`)."""
    start = window_start(day)
    if declaration is None:
        declaration = latest_declaration(pme, day)
    aids = (
        list(declaration.aids.filter(granted_on__gte=start, granted_on__lte=day))
        if declaration
        else []
    )
    others = Advance.objects.filter(
        dossier__pme=pme, decision_date__gte=start, decision_date__lte=day
    ).order_by("decision_date", "pk")
    if advance is not None and advance.pk:
        others = others.exclude(pk=advance.pk)
    return DeMinimisPosition(
        pme=pme,
        day=day,
        window_from=start,
        declaration=declaration,
        declared_aids=aids,
        other_advances=list(others),
        this_advance_gge=gge,
    )


def declarations_of(pme: Pme) -> list[DeMinimisDeclaration]:
    """The SME's de minimis declarations, latest first, with their aid lines."""
    return list(
        DeMinimisDeclaration.objects.filter(pme=pme)
        .select_related("recorded_by")
        .prefetch_related("aids")
        .order_by("-declared_on", "-pk")
    )


def attestation_data(advance: Advance) -> DeMinimisPosition:
    """What the de minimis attestation given to the SME states: the advance, its gross
    grant equivalent and rate, and the SME's aid over the three years to its decision."""
    return de_minimis_position(
        pme=advance.dossier.pme,
        day=advance.decision_date,
        gge=advance.gross_grant_equivalent,
        advance=advance,
    )


# --- Dunning ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DunningLetter:
    """What a dunning letter says (the PDF will lay it out)."""

    step: DunningStep
    title: str
    operator_name: str
    advance_reference: str
    advance_amount: Decimal
    decision_date: datetime.date
    overdue_amount: Decimal
    oldest_due_date: datetime.date
    days_late: int
    pay_by: datetime.date
    recipient_name: str
    recipient_address: str
    previous_steps: list[DunningStep]


def dunning_letter_data(step: DunningStep) -> DunningLetter:
    advance = Advance.objects.select_related("basin").get(pk=step.advance_id)
    previous = list(
        DunningStep.objects.filter(advance=advance, sent_on__lte=step.sent_on)
        .exclude(pk=step.pk)
        .order_by("sent_on", "pk")
    )
    return DunningLetter(
        step=step,
        title=step.get_kind_display(),
        operator_name=advance.basin.operator_name,
        advance_reference=advance.reference,
        advance_amount=advance.amount,
        decision_date=advance.decision_date,
        overdue_amount=step.overdue_amount,
        oldest_due_date=step.oldest_due_date,
        days_late=step.days_late,
        pay_by=step.pay_by,
        recipient_name=step.recipient_name,
        recipient_address=step.recipient_address,
        previous_steps=previous,
    )


# --- How late, and what to do about it ------------------------------------------------------


def delinquency_bucket(days_late: int) -> str:
    """The label of the delinquency bucket (`DELINQUENCY_THRESHOLDS`) of `days_late`."""
    return delinquency_of(days_late).label


def next_dunning_step(
    *,
    days_late: int,
    oldest_due_date: datetime.date | None,
    last_kind: str | None,
    last_sent_on: datetime.date | None,
    last_pay_by: datetime.date | None,
    today: datetime.date,
    in_proceedings: bool = False,
) -> str:
    """What staff should do next on a late advance, in French (a suggestion, not a rule)."""
    if days_late <= 0:
        return "Aucune : l'avance est à jour."
    if in_proceedings:
        return "Suivre la procédure collective (déclaration de créance)."
    if last_kind is None or (oldest_due_date and last_sent_on < oldest_due_date):
        return "Envoyer une relance."
    if last_pay_by and last_pay_by >= today:
        return f"Attendre le délai de paiement ({last_pay_by:%d/%m/%Y})."
    if last_kind == DunningKind.REMINDER:
        return "Envoyer une mise en demeure."
    return "Envisager une procédure ou un passage en perte."


def late_queue(advances, today: datetime.date) -> list[Advance]:
    """The late advances among `advances` (already scoped to the user), the longest late
    first, each with `overdue` (due so far and unpaid), `bucket`, `last_kind_label` and
    `next_step`."""
    active_due = {"schedule__is_active": True, "due_date__lt": today}
    last_step = DunningStep.objects.filter(advance=OuterRef("pk")).order_by("-sent_on", "-pk")
    late = list(
        advances.filter(pk__in=Advance.objects.late(today).values("pk"))
        .with_related()
        .with_balances()
        .with_delinquency(today)
        .annotate(
            due_so_far=_amount_per_row(
                Instalment.objects.filter(**active_due), "schedule__advance"
            ),
            paid_on_due=_amount_per_row(
                Allocation.objects.live(),
                "instalment__schedule__advance",
                instalment__schedule__is_active=True,
                instalment__due_date__lt=today,
            ),
            last_kind=Subquery(last_step.values("kind")[:1]),
            last_sent_on=Subquery(last_step.values("sent_on")[:1]),
            last_pay_by=Subquery(last_step.values("pay_by")[:1]),
            is_in_proceedings=Exists(
                CollectiveProceeding.objects.filter(advance=OuterRef("pk"), closed_on=None)
            ),
        )
        .order_by("-days_late", "pk")
    )
    labels = dict(DunningKind.choices)
    for advance in late:
        advance.overdue = advance.due_so_far - advance.paid_on_due
        advance.bucket = delinquency_bucket(advance.days_late)
        advance.last_kind_label = labels.get(advance.last_kind, "")
        advance.next_step = next_dunning_step(
            days_late=advance.days_late,
            oldest_due_date=advance.oldest_unpaid_due_date,
            last_kind=advance.last_kind,
            last_sent_on=advance.last_sent_on,
            last_pay_by=advance.last_pay_by,
            today=today,
            in_proceedings=advance.is_in_proceedings,
        )
    return late


def claims_to_declare(advances, today: datetime.date, *, near_days: int) -> list:
    """The open proceedings of `advances` whose claim is still to declare, the nearest
    deadline first, each with `is_near` (deadline within `near_days`)."""
    proceedings = list(
        CollectiveProceeding.objects.claims_to_declare(today).filter(
            advance__in=advances.values("pk")
        )
    )
    for proceeding in proceedings:
        proceeding.is_near = proceeding.days_left <= near_days
    return proceedings


# --- The advance page ------------------------------------------------------------------------


def advance_page_queryset(advances, today: datetime.date):
    """The advances (already scoped to the user) with what their page shows of them:
    balances, days late, the dossier, the basin, who granted."""
    return (
        advances.select_related(
            "dossier__pme__commune", "basin", "granted_by", "funding_convention"
        )
        .with_balances()
        .with_delinquency(today)
    )


def instalment_status(instalment, today: datetime.date) -> tuple[str, str]:
    """(label, Bootstrap colour) of an instalment, from what was allocated to it."""
    if instalment.remaining <= 0:
        return "Payée", "success"
    late = instalment.due_date < today
    if instalment.paid > 0:
        return ("Partielle, en retard", "danger") if late else ("Partielle", "warning")
    if late:
        return "En retard", "danger"
    return "À venir", "secondary"


def schedules_of(advance: Advance, today: datetime.date):
    """(the active schedule or None, the earlier versions), newest first, each instalment
    with its `status_label` and `status_colour`."""
    schedules = list(
        advance.schedules.select_related("created_by")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.with_paid().order_by("due_date", "number"),
            )
        )
        .order_by("-version")
    )
    for schedule in schedules:
        for instalment in schedule.instalments.all():
            instalment.status_label, instalment.status_colour = instalment_status(instalment, today)
    active = next((s for s in schedules if s.is_active), None)
    return active, [s for s in schedules if not s.is_active]


def disbursements_of(advance: Advance) -> list[Disbursement]:
    """Every tranche, reversed ones included (marked), the oldest first."""
    return list(
        advance.disbursements.select_related("recorded_by", "reversed_by").order_by(
            "disbursed_on", "pk"
        )
    )


def payments_of(advance: Advance) -> list:
    """Every payment, reversed ones included (marked), with its live allocations."""
    return list(
        advance.payments.select_related("recorded_by", "reversed_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.live()
                .select_related("instalment__schedule")
                .order_by("instalment__schedule__version", "instalment__number"),
            )
        )
        .order_by("paid_on", "pk")
    )


@dataclass
class FollowUp:
    """The advance's dunning trail, proceedings and write-offs, as its page lists them."""

    steps: list[DunningStep]
    proceedings: list[CollectiveProceeding]
    write_offs: list

    @property
    def last_step(self) -> DunningStep | None:
        return self.steps[-1] if self.steps else None

    @property
    def pending_write_off(self):
        return next((w for w in self.write_offs if w.status == WriteOffStatus.REQUESTED), None)

    @property
    def in_proceedings(self) -> bool:
        return any(p.closed_on is None for p in self.proceedings)


def followup_of(advance: Advance, today: datetime.date) -> FollowUp:
    proceedings = list(advance.proceedings.order_by("judgment_date", "pk"))
    for proceeding in proceedings:
        proceeding.days_left = (proceeding.claim_deadline - today).days
    return FollowUp(
        steps=list(advance.dunning_steps.select_related("recorded_by").order_by("sent_on", "pk")),
        proceedings=proceedings,
        write_offs=list(
            advance.write_offs.select_related("requested_by", "decided_by").order_by("requested_at")
        ),
    )


def available_actions(
    advance: Advance, user, *, active, earlier, followup: FollowUp, today: datetime.date
) -> dict:
    """What the advance page can offer `user` now (the services check again when asked):
    `may_act`, `may_reschedule`, `may_decide` (with `decide_refusal`), `can_disburse`,
    and what the page says of where the advance stands (`bucket`, `next_step`,
    `is_rescheduled`, `undisbursed`)."""
    may_act = permissions.can_record(user, advance.basin_id)
    pending = followup.pending_write_off
    may_decide, decide_refusal = (
        permissions.can_decide_write_off(user, pending) if pending else (False, "")
    )
    last = followup.last_step
    rescheduled_now = active is not None and active.kind == ScheduleKind.RESCHEDULING
    return {
        "may_act": may_act,
        "may_decide": may_decide,
        "decide_refusal": decide_refusal,
        "may_reschedule": may_act and permissions.can_reschedule(user, advance.basin_id)[0],
        "can_disburse": not advance.written_off_on
        and not advance.disbursements_closed_on
        and advance.disbursed < advance.amount
        and not rescheduled_now,
        "is_rescheduled": any(s.kind == ScheduleKind.RESCHEDULING for s in [active, *earlier] if s),
        "bucket": delinquency_bucket(advance.days_late),
        "next_step": next_dunning_step(
            days_late=advance.days_late,
            oldest_due_date=advance.oldest_unpaid_due_date,
            last_kind=last.kind if last else None,
            last_sent_on=last.sent_on if last else None,
            last_pay_by=last.pay_by if last else None,
            today=today,
            in_proceedings=followup.in_proceedings,
        ),
        "undisbursed": advance.amount - advance.disbursed,
    }
