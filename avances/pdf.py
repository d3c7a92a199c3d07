"""The documents of an advance, as PDF: the repayment schedule (échéancier), the dunning
letters (relance, mise en demeure) and the de minimis attestation.

HTML templates in `templates/avances/pdf/` (auto-escaped like every page) rendered by
WeasyPrint through `alize.pdf.html_to_pdf`, which fetches nothing from outside. Each
builder reads the database a fixed number of times, however many instalments,
disbursements or schedule versions the advance has.

    build_schedule_pdf(advance) -> bytes
    build_dunning_letter_pdf(step) -> bytes
    build_deminimis_attestation_pdf(advance) -> bytes

`build_schedule_pdf` refuses (French `ValidationError`) an advance not disbursed yet: it
has no schedule.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.template.loader import render_to_string
from django.utils import timezone, translation
from stdnum.fr import siret as stdnum_siret

from alize.models import MONEY
from alize.pdf import html_to_pdf
from avances.models import (
    PAY_WITHIN_DAYS,
    Advance,
    Allocation,
    Disbursement,
    DunningKind,
    DunningStep,
    Frequency,
    Instalment,
    Payment,
    Schedule,
    ScheduleKind,
)
from avances.models.common import ZERO, sum_of
from avances.selectors import DE_MINIMIS_MONTHS, attestation_data, dunning_letter_data

SCHEDULE_TEMPLATE = "avances/pdf/schedule.html"
DUNNING_TEMPLATE = "avances/pdf/dunning_letter.html"
ATTESTATION_TEMPLATE = "avances/pdf/deminimis_attestation.html"
REGULATION = (
    "Règlement (UE) 2023/2831 de la Commission du 13 décembre 2023 relatif à l'application "
    "des articles 107 et 108 du traité sur le fonctionnement de l'Union européenne aux aides "
    "de minimis (JO L, 2023/2831, 15.12.2023)"
)


def _render(template: str, context: dict) -> bytes:
    with translation.override("fr"):
        html = render_to_string(template, {**context, "generated_at": timezone.localtime()})
    return html_to_pdf(html)


def _advance(advance_pk: int) -> Advance:
    """The advance with its SME, commune, basin and balances: one query."""
    return (
        Advance.objects.with_balances()
        .select_related("dossier__pme__commune", "basin")
        .get(pk=advance_pk)
    )


def _siret(pme) -> str:
    # Grouped as the INSEE prints it: 552 100 554 00025.
    return stdnum_siret.format(pme.siret)


# --- The schedule ---------------------------------------------------------------------------


@dataclass
class ScheduleDocument:
    advance: Advance
    schedule: Schedule
    instalments: list[Instalment]
    disbursements: list[Disbursement]
    earlier_schedules: list[Schedule]
    total: Decimal = field(init=False)
    paid: Decimal = field(init=False)
    remaining: Decimal = field(init=False)

    def __post_init__(self):
        self.total = sum((i.amount for i in self.instalments), ZERO)
        self.paid = sum((i.paid for i in self.instalments), ZERO)
        self.remaining = self.total - self.paid

    @property
    def is_rescheduled(self) -> bool:
        return self.schedule.kind == ScheduleKind.RESCHEDULING or any(
            s.kind == ScheduleKind.RESCHEDULING for s in self.earlier_schedules
        )

    @property
    def frequency_label(self) -> str:
        return Frequency(self.schedule.frequency).label.lower()


def schedule_document(advance: Advance) -> ScheduleDocument:
    """What the échéancier shows, in four queries whatever the advance holds."""
    advance = _advance(advance.pk)
    paid_on_schedule = sum_of(
        Allocation.objects.live().filter(instalment__schedule=OuterRef("pk")),
        "amount",
        "instalment__schedule",
    )
    schedules = list(
        Schedule.objects.filter(advance=advance)
        .select_related("created_by")
        .annotate(paid=paid_on_schedule)
        .order_by("version")
    )
    active = next((s for s in schedules if s.is_active), None)
    if active is None:
        raise ValidationError(
            f"L'avance {advance.reference} n'a pas encore été versée : elle n'a pas d'échéancier."
        )
    instalments = list(Instalment.objects.filter(schedule=active).with_paid().order_by("number"))
    disbursements = list(
        Disbursement.objects.not_reversed().filter(advance=advance).order_by("disbursed_on", "pk")
    )
    return ScheduleDocument(
        advance=advance,
        schedule=active,
        instalments=instalments,
        disbursements=disbursements,
        earlier_schedules=[s for s in schedules if s.version < active.version],
    )


def build_schedule_pdf(advance: Advance) -> bytes:
    """The échéancier of the active schedule, as PDF bytes (A4)."""
    document = schedule_document(advance)
    pme = document.advance.dossier.pme
    return _render(
        SCHEDULE_TEMPLATE,
        {
            "doc": document,
            "advance": document.advance,
            "pme": pme,
            "siret": _siret(pme),
            "today": timezone.localdate(),
        },
    )


# --- Dunning letters --------------------------------------------------------------------------


@dataclass
class OverdueInstalment:
    number: int
    due_date: datetime.date
    amount: Decimal
    paid: Decimal

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.paid


def _overdue_at(step: DunningStep) -> list[OverdueInstalment]:
    """The instalments the letter is about: those of the schedule in force when it was
    recorded, due before it was sent, not fully paid by the payments recorded until then
    (reversed payments left out). Two queries."""
    schedule = (
        Schedule.objects.filter(advance_id=step.advance_id, created_at__lte=step.recorded_at)
        .order_by("-version")
        .first()
    )
    if schedule is None:
        return []
    paid = Coalesce(
        Sum(
            "allocations__amount",
            filter=Q(
                allocations__undone_by__isnull=True,
                allocations__payment__recorded_at__lte=step.recorded_at,
            ),
        ),
        ZERO,
        output_field=models.DecimalField(**MONEY),
    )
    rows = (
        Instalment.objects.filter(schedule=schedule, due_date__lt=step.sent_on)
        .annotate(paid_then=paid)
        .order_by("due_date", "number")
    )
    instalments = [
        OverdueInstalment(number=i.number, due_date=i.due_date, amount=i.amount, paid=i.paid_then)
        for i in rows
    ]
    return [i for i in instalments if i.remaining > 0]


def build_dunning_letter_pdf(step: DunningStep) -> bytes:
    """The reminder (relance) or formal notice (mise en demeure) letter of `step`, as it
    was sent: its figures are those recorded with it."""
    letter = dunning_letter_data(step)
    step = DunningStep.objects.select_related("recorded_by").get(pk=step.pk)
    advance = _advance(step.advance_id)
    # The principal outstanding on the day the letter was sent (what the acceleration
    # clause of a formal notice would make due at once).
    disbursed = (
        Disbursement.objects.not_reversed()
        .filter(advance=advance, disbursed_on__lte=step.sent_on)
        .aggregate(t=Sum("amount"))["t"]
        or ZERO
    )
    repaid = (
        Payment.objects.not_reversed()
        .filter(advance=advance, paid_on__lte=step.sent_on)
        .aggregate(t=Sum("amount"))["t"]
        or ZERO
    )
    is_formal_notice = step.kind == DunningKind.FORMAL_NOTICE
    return _render(
        DUNNING_TEMPLATE,
        {
            "letter": letter,
            "step": step,
            "advance": advance,
            "pme": advance.dossier.pme,
            "basin": advance.basin,
            "is_formal_notice": is_formal_notice,
            "instalments": _overdue_at(step),
            "outstanding_then": disbursed - repaid,
            "pay_within_days": PAY_WITHIN_DAYS[DunningKind(step.kind)],
        },
    )


# --- The de minimis attestation -------------------------------------------------------------


def build_deminimis_attestation_pdf(advance: Advance) -> bytes:
    """The attestation given to the SME: the advance's gross grant equivalent, the rate
    it was computed at, the other de minimis aid over the three rolling years and the total
    against the 300,000 € ceiling, under Regulation (EU) 2023/2831."""
    advance = _advance(advance.pk)
    position = attestation_data(advance)
    pme = advance.dossier.pme
    return _render(
        ATTESTATION_TEMPLATE,
        {
            "advance": advance,
            "pme": pme,
            "siret": _siret(pme),
            "basin": advance.basin,
            "position": position,
            "regulation": REGULATION,
            "window_years": DE_MINIMIS_MONTHS // 12,
            "today": timezone.localdate(),
        },
    )
