"""The advance itself, its disbursements, and the reads every screen and indicator shares.

An advance is born only through `avances.services.grant.grant_advance`; the cap in force at the
decision date and the amount the SME requested are copied onto it, and the database
refuses an amount above either, so a later change of the cap rewrites nothing.
"""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pghistory
from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from alize.constraints import positive, sane_years_checked
from alize.modelkit import author, check, known_choice, link, optional_link, sane_years, signed
from alize.models import MONEY, OPERATOR_ROLES, Basin, Role
from alize.versioning import Versioned
from avances.models.common import (
    POSITIVE_AMOUNT_MESSAGE,
    RATE,
    ZERO,
    DaysBetween,
    Frequency,
    ReversibleEntry,
    ReversibleEntryQuerySet,
    reversed_by_field,
    reversible_entry_checks,
    reversible_triggers,
    sum_of,
    terms_constraints,
)

CAP_MESSAGE = "Le montant de l'avance dépasse le plafond du bassin en vigueur à la décision."
REQUESTED_MESSAGE = "Le montant de l'avance dépasse le montant demandé par la PME."


class Delinquency(models.TextChoices):
    """Where an advance stands by the age of its oldest unpaid instalment due."""

    CURRENT = "a_jour", "À jour"
    DAYS_1_30 = "1_30", "1 à 30 jours"
    DAYS_31_90 = "31_90", "31 à 90 jours"
    OVER_90 = "plus_90", "Plus de 90 jours"


# The one table of delinquency thresholds: more than N days late, the first that matches
# (the queryset's `delinquency` column and the screens' labels both read it).
DELINQUENCY_THRESHOLDS = (
    (90, Delinquency.OVER_90),
    (30, Delinquency.DAYS_31_90),
    (0, Delinquency.DAYS_1_30),
)


def delinquency_of(days_late: int) -> Delinquency:
    for more_than, bucket in DELINQUENCY_THRESHOLDS:
        if days_late > more_than:
            return bucket
    return Delinquency.CURRENT


def written_off_by(as_of: datetime.date | None) -> Q:
    """Written off (by the end of `as_of`, or at all when None)."""
    if as_of is None:
        return Q(written_off_on__isnull=False)
    return Q(written_off_on__lte=as_of)


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / whole).quantize(Decimal("0.01"), ROUND_HALF_UP)


class AdvanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Operators and the steering committee read their basins' advances; administrators
        read all; nobody else, for now (an advance names an SME's debts)."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        if user.has_role(*OPERATOR_ROLES, Role.STEERING):
            return self.filter(basin_id__in=user.basin_ids)
        return self.none()

    def for_basin(self, basin: Basin):
        return self.filter(basin=basin)

    def not_written_off(self, as_of: datetime.date | None = None):
        return self.exclude(written_off_by(as_of))

    def written_off(self, as_of: datetime.date | None = None):
        return self.filter(written_off_by(as_of))

    def with_related(self):
        return self.select_related("dossier__pme", "basin")

    # --- Amounts, per advance, as columns --------------------------------------------

    def with_balances(self, as_of: datetime.date | None = None):
        """Annotate `disbursed`, `repaid` (reversed entries left out), `written_off_amount`
        (the principal written off, 0 when not written off), `outstanding` (disbursed −
        repaid, and 0 once written off: a written-off advance owes nothing) and
        `undisbursed` (granted − disbursed), each from one correlated subquery.

        With `as_of`, as the records stand at the end of that day: tranches paid out and
        payments made up to it, the write-off if approved by then."""
        from avances.models.followup import WriteOff, WriteOffStatus
        from avances.models.payments import Payment

        disbursements = Disbursement.objects.not_reversed().filter(advance=OuterRef("pk"))
        payments = Payment.objects.not_reversed().filter(advance=OuterRef("pk"))
        if as_of is not None:
            disbursements = disbursements.filter(disbursed_on__lte=as_of)
            payments = payments.filter(paid_on__lte=as_of)
        write_offs = WriteOff.objects.filter(advance=OuterRef("pk"), status=WriteOffStatus.APPROVED)
        money = models.DecimalField(**MONEY)
        gone = written_off_by(as_of)
        return self.annotate(
            disbursed=sum_of(disbursements, "amount", "advance"),
            repaid=sum_of(payments, "amount", "advance"),
        ).annotate(
            written_off_amount=models.Case(
                models.When(gone, then=sum_of(write_offs, "amount", "advance")),
                default=models.Value(ZERO),
                output_field=money,
            ),
            outstanding=models.Case(
                models.When(gone, then=models.Value(ZERO)),
                default=F("disbursed") - F("repaid"),
                output_field=money,
            ),
            undisbursed=models.ExpressionWrapper(F("amount") - F("disbursed"), output_field=money),
        )

    def with_days_late(self, today: datetime.date | None = None):
        """Annotate `oldest_unpaid_due_date` (of the schedule version in force on `today`,
        due before `today` and not fully paid by payments made up to `today`) and
        `days_late` (0 when nothing due is unpaid, and for an advance written off by then:
        it owes nothing). `today` may be any past day: the figures are those of that day."""
        from avances.models.schedules import Instalment, in_force_subquery

        past = today is not None and today < timezone.localdate()
        today = today or timezone.localdate()
        oldest = (
            Instalment.objects.filter(schedule=OuterRef("schedule_in_force"), due_date__lt=today)
            .with_paid(as_of=today if past else None)
            .filter(paid__lt=F("amount"))
            .order_by("due_date", "number")
            .values("due_date")[:1]
        )
        in_force = in_force_subquery(OuterRef("pk"), today if past else None)
        return (
            self.annotate(schedule_in_force=in_force)
            .annotate(
                oldest_unpaid_due_date=models.Case(
                    models.When(written_off_by(today), then=models.Value(None)),
                    default=models.Subquery(oldest),
                    output_field=models.DateField(),
                )
            )
            .annotate(
                days_late=Coalesce(
                    DaysBetween(
                        models.Value(today, output_field=models.DateField()),
                        F("oldest_unpaid_due_date"),
                    ),
                    0,
                )
            )
        )

    def with_delinquency(self, today: datetime.date | None = None):
        """`days_late` and its bucket `delinquency` (see `Delinquency`)."""
        return self.with_days_late(today).annotate(
            delinquency=models.Case(
                *(
                    models.When(days_late__gt=more_than, then=models.Value(bucket.value))
                    for more_than, bucket in DELINQUENCY_THRESHOLDS
                ),
                default=models.Value(Delinquency.CURRENT.value),
                output_field=models.CharField(max_length=10),
            )
        )

    # --- Where an advance stands (the filters of the list) ----------------------------

    def disbursed(self):
        return self.filter(
            Exists(Disbursement.objects.not_reversed().filter(advance=OuterRef("pk")))
        )

    def not_disbursed(self):
        return self.exclude(
            Exists(Disbursement.objects.not_reversed().filter(advance=OuterRef("pk")))
        )

    def repaying(self):
        """Disbursed, not written off, and something is still owed."""
        return self.not_written_off().disbursed().with_balances().filter(outstanding__gt=0)

    def repaid(self):
        """Everything disbursed is paid back and nothing more will be disbursed."""
        return (
            self.not_written_off()
            .disbursed()
            .with_balances()
            .filter(outstanding=0)
            .filter(Q(undisbursed=0) | Q(disbursements_closed_on__isnull=False))
        )

    def late(self, today: datetime.date | None = None, *, more_than_days: int = 0):
        """Not written off, with an instalment due before `today` not fully paid for more
        than `more_than_days` days; the longest late first."""
        return (
            self.not_written_off(today)
            .with_days_late(today)
            .filter(days_late__gt=more_than_days)
            .order_by("-days_late", "pk")
        )

    def rescheduled(self):
        from avances.models.schedules import Schedule, ScheduleKind

        return self.filter(
            Exists(Schedule.objects.filter(advance=OuterRef("pk"), kind=ScheduleKind.RESCHEDULING))
        )

    def in_proceedings(self):
        from avances.models.followup import CollectiveProceeding

        return self.filter(
            Exists(CollectiveProceeding.objects.filter(advance=OuterRef("pk"), closed_on=None))
        )

    # --- Indicators -----------------------------------------------------------------

    def indicators(self, today: datetime.date | None = None) -> dict:
        """The dashboard's figures for these advances, in one query, as the records stand
        at the end of `today` (a past day gives that day's figures, whatever was recorded
        later: payments, tranches and write-offs dated after it do not count).

        Amounts in euros: `granted`, `disbursed`, `repaid`, `outstanding` (disbursed −
        repaid, written-off advances excluded), `written_off` (principal written off), each
        with its `*_count` of advances where it makes sense. Rates in percent (two places),
        None when their denominator is zero:
        - `repayment_rate`: repaid on instalments due ÷ instalments due up to `today`
          (of the schedule versions in force that day; what was paid under a version since
          replaced counts as due and paid); early payments do not lift it above 100 %;
        - `loss_rate`: written off ÷ disbursed;
        - `par30`, `par90`: outstanding of advances more than 30 (90) days late ÷ total
          outstanding (the portfolio at risk; written-off advances have left it).
        `leverage`: the bank loans of the advances' dossiers ÷ the amounts granted (a ratio,
        two places).
        """
        from avances.models.payments import Allocation
        from avances.models.schedules import Instalment

        today = today or timezone.localdate()
        # Reversed payments count nowhere: their allocations are undone (not live).
        allocations = Allocation.objects.live().filter(
            payment__advance=OuterRef("pk"), payment__paid_on__lte=today
        )
        in_force = Q(instalment__schedule=OuterRef("schedule_in_force"))
        annotated = (
            self.with_balances(as_of=today)
            .with_days_late(today)
            .annotate(
                instalments_due=sum_of(
                    Instalment.objects.filter(
                        schedule=OuterRef("schedule_in_force"), due_date__lte=today
                    ),
                    "amount",
                    "schedule__advance",
                ),
                collected_on_due=sum_of(
                    allocations.filter(in_force, instalment__due_date__lte=today),
                    "amount",
                    "payment__advance",
                ),
                settled_on_replaced=sum_of(
                    allocations.exclude(in_force), "amount", "payment__advance"
                ),
            )
        )
        live = ~written_off_by(today)
        money = models.DecimalField(**MONEY)

        def total(column, condition=None):
            return Coalesce(Sum(column, filter=condition), ZERO, output_field=money)

        figures = annotated.aggregate(
            granted=total("amount"),
            granted_count=Count("pk"),
            disbursed_total=total("disbursed"),
            disbursed_count=Count("pk", filter=Q(disbursed__gt=0)),
            repaid_total=total("repaid"),
            outstanding_total=total("outstanding", live),
            at_risk_30=total("outstanding", live & Q(days_late__gt=30)),
            at_risk_90=total("outstanding", live & Q(days_late__gt=90)),
            written_off_total=total("written_off_amount"),
            written_off_count=Count("pk", filter=~live),
            due=total(F("instalments_due") + F("settled_on_replaced"), live),
            collected=total(F("collected_on_due") + F("settled_on_replaced"), live),
            bank_loans=total("dossier__bank_loans"),
        )
        leverage = None
        if figures["granted"]:
            leverage = (figures["bank_loans"] / figures["granted"]).quantize(
                Decimal("0.01"), ROUND_HALF_UP
            )
        return {
            "granted": figures["granted"],
            "granted_count": figures["granted_count"],
            "disbursed": figures["disbursed_total"],
            "disbursed_count": figures["disbursed_count"],
            "repaid": figures["repaid_total"],
            "outstanding": figures["outstanding_total"],
            "written_off": figures["written_off_total"],
            "written_off_count": figures["written_off_count"],
            "repayment_rate": _percent(figures["collected"], figures["due"]),
            "loss_rate": _percent(figures["written_off_total"], figures["disbursed_total"]),
            "par30": _percent(figures["at_risk_30"], figures["outstanding_total"]),
            "par90": _percent(figures["at_risk_90"], figures["outstanding_total"]),
            "leverage": leverage,
        }


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Advance(Versioned):
    """An interest-free repayable advance granted to an SME on its approved dossier.

    The amount, the cap and the amount requested are frozen at the decision; the terms
    (duration including the grace period, grace, frequency) are those the schedule will be
    built with at the first disbursement. `written_off_on` is set when a write-off is
    approved (see `WriteOff`); `disbursements_closed_on` when the part not disbursed is
    given up, which releases it from the fund's commitments.
    """

    reference = models.CharField("référence", max_length=20, unique=True, editable=False)
    dossier = link("pme.Dossier", "dossier", "advance", one_to_one=True)
    basin = link(Basin, "bassin", "advances")
    amount = models.DecimalField("montant accordé (€)", **MONEY)
    requested_copied = models.DecimalField(
        "montant demandé par la PME (€)", **MONEY, editable=False
    )
    cap_copied = models.DecimalField("plafond du bassin à la décision (€)", **MONEY, editable=False)
    decision_date = models.DateField("date de décision", validators=sane_years())
    duration_months = models.PositiveSmallIntegerField("durée (mois, différé compris)")
    grace_months = models.PositiveSmallIntegerField("différé de remboursement (mois)")
    frequency = models.CharField("périodicité", max_length=15, choices=Frequency.choices)
    reference_rate_copied = models.DecimalField(
        "taux de référence retenu (%)", **RATE, editable=False
    )
    gross_grant_equivalent = models.DecimalField(
        "équivalent-subvention brut (€)", **MONEY, editable=False
    )
    funding_convention = optional_link(
        "grandes_entreprises.RevitalisationConvention",
        "convention de revitalisation qui la finance",
        "advances",
    )
    contract_signed_on = models.DateField(
        "contrat signé le",
        null=True,
        blank=True,
        validators=sane_years(),
    )
    disbursements_closed_on = models.DateField(
        "versements clos le",
        null=True,
        blank=True,
        editable=False,
        validators=sane_years(),
    )
    written_off_on = models.DateField("passée en perte le", null=True, blank=True, editable=False)
    granted_by = author("enregistrée par", "granted_advances")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = AdvanceQuerySet.as_manager()

    class Meta:
        verbose_name = "avance remboursable"
        verbose_name_plural = "avances remboursables"
        ordering = ["-decision_date", "-pk"]
        constraints = [
            positive("amount", "advance_amount_positive", POSITIVE_AMOUNT_MESSAGE),
            check(Q(amount__lte=F("cap_copied")), "advance_amount_within_cap", CAP_MESSAGE),
            check(
                Q(amount__lte=F("requested_copied")),
                "advance_amount_within_request",
                REQUESTED_MESSAGE,
            ),
            *terms_constraints("advance", "duration_months", "grace_months", "frequency"),
            known_choice(
                "frequency", Frequency, "advance_frequency_known", "Périodicité inconnue."
            ),
            check(
                Q(reference_rate_copied__gte=0, gross_grant_equivalent__gte=0),
                "advance_gge_non_negative",
                "Le taux et l'équivalent-subvention sont positifs.",
            ),
            check(
                Q(contract_signed_on__isnull=True) | Q(contract_signed_on__gte=F("decision_date")),
                "advance_contract_after_decision",
                "Le contrat se signe après la décision d'octroi.",
            ),
        ]

    def __str__(self):
        return f"Avance {self.reference}" if self.reference else "Nouvelle avance"

    @property
    def period_months(self) -> int:
        return Frequency(self.frequency).months

    @property
    def is_written_off(self) -> bool:
        return self.written_off_on is not None


# The fields a disbursement is recorded with: never changed, even by its reversal.
DISBURSEMENT_RECORD_FIELDS = ["advance", "disbursed_on", "amount", "recorded_by", "recorded_at"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Disbursement(ReversibleEntry):
    """One tranche paid out to the SME. Recorded by `disburse_advance`, never changed nor
    deleted; a tranche recorded by mistake is marked reversed once (`reverse_disbursement`)
    and then counts no more."""

    advance = link(Advance, "avance", "disbursements")
    disbursed_on = models.DateField("versée le", validators=sane_years())
    amount = models.DecimalField("montant (€)", **MONEY)
    recorded_by, recorded_at = signed("enregistré par", "enregistré le", "recorded_disbursements")
    reversed_by = reversed_by_field("reversed_disbursements")

    objects = ReversibleEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "versement"
        verbose_name_plural = "versements"
        ordering = ["advance", "disbursed_on", "pk"]
        constraints = reversible_entry_checks("disbursement", "versement")
        triggers = reversible_triggers("disbursement", DISBURSEMENT_RECORD_FIELDS)

    def __str__(self):
        return f"Versement du {self.disbursed_on:%d/%m/%Y}"
