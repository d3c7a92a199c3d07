"""The repayment schedule (échéancier) of an advance, versioned.

A schedule is built at the first disbursement (`avances.schedule` holds the arithmetic).
A later tranche, or a rescheduling, makes a new version for the principal then
outstanding; the old version stays, inactive, with the payments allocated to it. The
active version's instalments, less what was allocated to them, always add up to the
principal outstanding.
"""

import datetime

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.expressions import RawSQL

from alize.constraints import positive, sane_years_checked
from alize.modelkit import known_choice, link, optional_link, sane_years, signed, unique
from alize.models import MONEY
from alize.triggers import append_only, never_deleted
from avances.models.common import Frequency, sum_of, terms_constraints


class ScheduleKind(models.TextChoices):
    INITIAL = "initial", "Échéancier initial"
    TRANCHE = "tranche", "Nouvelle tranche versée"
    RESCHEDULING = "reechelonnement", "Rééchelonnement"


# The schedules still on an advance's chain of versions: the active one and those it
# replaced, one after the other. A version withdrawn with the tranche that made it (see
# `reverse_disbursement`) is on no chain: it never counted. Uncorrelated, so PostgreSQL
# runs it once per query whatever the number of advances.
LIVE_SCHEDULES_SQL = """
    WITH RECURSIVE chain (id, replaces_id) AS (
        SELECT id, replaces_id FROM avances_schedule WHERE is_active
        UNION
        SELECT s.id, s.replaces_id FROM avances_schedule s JOIN chain ON s.id = chain.replaces_id
    )
    SELECT id FROM chain
"""


class ScheduleQuerySet(models.QuerySet):
    def live(self):
        """The active versions and those they replaced (withdrawn versions left out)."""
        # A constant query without parameters: nothing from outside reaches it.
        return self.filter(pk__in=RawSQL(LIVE_SCHEDULES_SQL, []))  # noqa: S611

    def in_force_on(self, day: datetime.date):
        """The live versions that may be in force on `day`: a rescheduling takes effect on
        its start date; a tranche's version replaces the first one on the same dates (a
        tranche is paid out before the first instalment falls due, so before anything is
        due the two versions agree). The one in force is the highest version of these."""
        return self.live().filter(~Q(kind=ScheduleKind.RESCHEDULING) | Q(starts_on__lte=day))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Schedule(models.Model):
    """One version of an advance's schedule; exactly one is active once disbursed.

    Only `is_active` ever changes (a trigger keeps the rest read-only).
    """

    advance = link("avances.Advance", "avance", "schedules")
    version = models.PositiveSmallIntegerField("version")
    kind = models.CharField("nature", max_length=20, choices=ScheduleKind.choices)
    starts_on = models.DateField(
        "point de départ",
        validators=sane_years(),
        help_text="Premier versement, ou date d'effet du rééchelonnement : les échéances "
        "se comptent à partir de cette date.",
    )
    principal = models.DecimalField("capital échelonné (€)", **MONEY)
    duration_months = models.PositiveSmallIntegerField("durée (mois, différé compris)")
    grace_months = models.PositiveSmallIntegerField("différé (mois)")
    frequency = models.CharField("périodicité", max_length=15, choices=Frequency.choices)
    is_active = models.BooleanField("en vigueur", default=True)
    replaces = optional_link(
        "self",
        "remplace l'échéancier",
        "+",
        editable=False,
        help_text="La version en vigueur avant celle-ci, qui reprend effet si le versement "
        "qui a fait cette version-ci est annulé.",
    )
    reason = models.TextField("motif", blank=True)
    created_by, created_at = signed("établi par", "établi le", "created_advance_schedules")

    objects = ScheduleQuerySet.as_manager()

    class Meta:
        verbose_name = "échéancier"
        verbose_name_plural = "échéanciers"
        ordering = ["advance", "version"]
        constraints = [
            unique(
                ["advance", "version"],
                "schedule_version_unique",
                "Cette version de l'échéancier existe déjà.",
            ),
            unique(
                ["advance"],
                "schedule_one_active_per_advance",
                "Une avance n'a qu'un échéancier en vigueur.",
                condition=Q(is_active=True),
            ),
            positive(
                "principal",
                "schedule_principal_positive",
                "Le capital échelonné doit être positif.",
            ),
            known_choice(
                "kind", ScheduleKind, "schedule_kind_known", "Nature d'échéancier inconnue."
            ),
            *terms_constraints("schedule", "duration_months", "grace_months", "frequency"),
        ]
        triggers = [
            pgtrigger.ReadOnly(
                name="schedule_read_only_but_active",
                fields=[
                    "advance",
                    "version",
                    "kind",
                    "starts_on",
                    "principal",
                    "duration_months",
                    "grace_months",
                    "frequency",
                    "created_by",
                    "created_at",
                    "replaces",
                ],
            ),
            never_deleted("schedule_never_deleted"),
        ]

    def __str__(self):
        return f"Échéancier v{self.version} du {self.starts_on:%d/%m/%Y}"


def in_force_subquery(advance_ref, day: datetime.date | None):
    """The pk of the schedule version in force on `day` for the advance `advance_ref`
    (today's active version when `day` is None), as a correlated subquery."""
    if day is None:
        schedules = Schedule.objects.filter(advance=advance_ref, is_active=True)
    else:
        schedules = Schedule.objects.in_force_on(day).filter(advance=advance_ref)
    return models.Subquery(schedules.order_by("-version").values("pk")[:1])


class InstalmentQuerySet(models.QuerySet):
    def with_paid(self, as_of: datetime.date | None = None):
        """Annotate `paid` (allocated so far, or from payments made up to `as_of`;
        allocations undone by a reversal left out) and `remaining` (amount − paid)."""
        from avances.models.payments import Allocation

        allocations = Allocation.objects.live().filter(instalment=OuterRef("pk"))
        if as_of is not None:
            allocations = allocations.filter(payment__paid_on__lte=as_of)
        paid = sum_of(allocations, "amount", "instalment")
        return self.annotate(paid=paid).annotate(
            remaining=models.ExpressionWrapper(
                F("amount") - F("paid"), output_field=models.DecimalField(**MONEY)
            )
        )

    def unpaid(self):
        return self.with_paid().filter(paid__lt=F("amount"))

    def active(self):
        return self.filter(schedule__is_active=True)

    def in_order(self):
        return self.order_by("due_date", "number")


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Instalment(models.Model):
    """One instalment of a schedule version. Never changed: payments are allocated to it."""

    schedule = link(Schedule, "échéancier", "instalments")
    number = models.PositiveSmallIntegerField("n°")
    due_date = models.DateField("échéance")
    amount = models.DecimalField("montant (€)", **MONEY)

    objects = InstalmentQuerySet.as_manager()

    class Meta:
        verbose_name = "échéance"
        verbose_name_plural = "échéances"
        ordering = ["schedule", "number"]
        constraints = [
            unique(
                ["schedule", "number"], "instalment_number_unique", "Cette échéance existe déjà."
            ),
            positive("amount", "instalment_amount_positive", "Une échéance a un montant positif."),
        ]
        triggers = [
            append_only("instalment_append_only"),
        ]

    def __str__(self):
        return f"Échéance n° {self.number} du {self.due_date:%d/%m/%Y}"
