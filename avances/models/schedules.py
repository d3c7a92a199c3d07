"""The repayment schedule (échéancier) of an advance, versioned.

A schedule is built at the first disbursement (`avances.schedule` holds the arithmetic).
A later tranche, or a rescheduling, makes a new version for the principal then
outstanding; the old version stays, inactive, with the payments allocated to it. The
active version's instalments, less what was allocated to them, always add up to the
principal outstanding.
"""

import pghistory
import pgtrigger
from django.db import models
from django.db.models import F, OuterRef, Q

from alize.modelkit import (
    check,
    known_choice,
    link,
    optional_link,
    sane_years,
    signed,
    unique,
    years_check,
)
from alize.models import MONEY
from alize.triggers import append_only, never_deleted
from avances.models.common import ZERO, Frequency, sum_of, terms_constraints


class ScheduleKind(models.TextChoices):
    INITIAL = "initial", "Échéancier initial"
    TRANCHE = "tranche", "Nouvelle tranche versée"
    RESCHEDULING = "reechelonnement", "Rééchelonnement"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
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

    class Meta:
        verbose_name = "échéancier"
        verbose_name_plural = "échéanciers"
        ordering = ["advance", "version"]
        constraints = [
            years_check("starts_on", "schedule_starts_on_sane_year"),
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
            check(
                Q(principal__gt=0),
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


class InstalmentQuerySet(models.QuerySet):
    def with_paid(self):
        """Annotate `paid` (allocated so far, allocations undone by a reversal left out)
        and `remaining` (amount − paid)."""
        from avances.models.payments import Allocation

        paid = sum_of(
            Allocation.objects.live().filter(instalment=OuterRef("pk")), "amount", "instalment"
        )
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
            check(
                Q(amount__gt=ZERO),
                "instalment_amount_positive",
                "Une échéance a un montant positif.",
            ),
        ]
        triggers = [
            append_only("instalment_append_only"),
        ]

    def __str__(self):
        return f"Échéance n° {self.number} du {self.due_date:%d/%m/%Y}"
