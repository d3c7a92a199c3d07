"""Following an advance that is not repaid as planned: the dunning trail, collective
proceedings against the SME, and the write-off (requested by staff, approved by an
operator manager)."""

import datetime

import pghistory
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from alize.constraints import sane_years_checked
from alize.modelkit import author, check, known_choice, link, sane_years, signed, unique
from alize.models import MONEY
from alize.triggers import append_only
from avances.models.common import DaysBetween

CLAIM_DECLARATION_MONTHS = 2


class DunningKind(models.TextChoices):
    REMINDER = "relance", "Relance"
    FORMAL_NOTICE = "mise_en_demeure", "Mise en demeure"


# Each letter gives the SME a time to pay: 15 days after a reminder, 8 after a formal notice.
PAY_WITHIN_DAYS = {DunningKind.REMINDER: 15, DunningKind.FORMAL_NOTICE: 8}


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class DunningStep(models.Model):
    """A letter sent to a late SME, with what it said (the figures are a snapshot taken
    when it was recorded, so the letter can be printed again as it was sent)."""

    advance = link("avances.Advance", "avance", "dunning_steps")
    kind = models.CharField("nature", max_length=20, choices=DunningKind.choices)
    sent_on = models.DateField("envoyée le", validators=sane_years())
    pay_by = models.DateField("à régler avant le")
    overdue_amount = models.DecimalField("montant échu impayé (€)", **MONEY)
    oldest_due_date = models.DateField("plus ancienne échéance impayée")
    days_late = models.PositiveIntegerField("jours de retard")
    recipient_name = models.CharField("destinataire", max_length=200)
    recipient_address = models.CharField("adresse", max_length=400)
    comment = models.TextField("commentaire", blank=True)
    recorded_by, recorded_at = signed("enregistrée par", "enregistrée le", "recorded_dunning_steps")

    class Meta:
        verbose_name = "relance"
        verbose_name_plural = "relances"
        ordering = ["advance", "sent_on", "pk"]
        constraints = [
            known_choice("kind", DunningKind, "dunning_kind_known", "Nature de relance inconnue."),
            check(
                Q(overdue_amount__gt=0, days_late__gt=0),
                "dunning_only_when_late",
                "On ne relance qu'une avance en retard.",
            ),
            check(
                Q(pay_by__gt=F("sent_on")),
                "dunning_pay_by_after_sending",
                "Le délai de paiement suit l'envoi de la lettre.",
            ),
        ]
        triggers = [
            append_only("dunning_step_append_only"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} du {self.sent_on:%d/%m/%Y}"


class ProceedingKind(models.TextChoices):
    SAFEGUARD = "sauvegarde", "Sauvegarde"
    RECEIVERSHIP = "redressement", "Redressement judiciaire"
    LIQUIDATION = "liquidation", "Liquidation judiciaire"


class CollectiveProceedingQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_on__isnull=True)

    def claims_to_declare(self, today: datetime.date | None = None):
        """The staff's work queue: open proceedings whose claim is not declared yet, the
        nearest deadline first, with `days_left` (negative once the deadline has passed)."""
        today = today or timezone.localdate()
        return (
            self.open()
            .filter(claim_declared_on__isnull=True)
            .annotate(
                days_left=DaysBetween(
                    F("claim_deadline"), models.Value(today, output_field=models.DateField())
                )
            )
            .select_related("advance__dossier__pme")
            .order_by("claim_deadline", "pk")
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class CollectiveProceeding(models.Model):
    """Safeguard, receivership or liquidation opened against the SME of an advance.

    Creditors declare their claim to the court's representative within two months of the
    judgment's publication in the BODACC (Code de commerce, R622-24): `claim_deadline` is
    computed by `open_proceeding` from the publication date and never typed.
    """

    advance = link("avances.Advance", "avance", "proceedings")
    kind = models.CharField("procédure", max_length=15, choices=ProceedingKind.choices)
    judgment_date = models.DateField("date du jugement d'ouverture", validators=sane_years())
    publication_date = models.DateField("date de publication au BODACC", validators=sane_years())
    claim_deadline = models.DateField("déclarer la créance avant le", editable=False)
    court = models.CharField("tribunal", max_length=200, blank=True)
    representative = models.CharField(
        "mandataire judiciaire ou liquidateur", max_length=200, blank=True
    )
    claim_declared_on = models.DateField(
        "créance déclarée le",
        null=True,
        blank=True,
        validators=sane_years(),
    )
    claim_amount = models.DecimalField(
        "montant déclaré (€)", **MONEY, null=True, blank=True, editable=False
    )
    closed_on = models.DateField(
        "procédure close le",
        null=True,
        blank=True,
        validators=sane_years(),
    )
    recorded_by = author("enregistrée par", "recorded_proceedings")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = CollectiveProceedingQuerySet.as_manager()

    class Meta:
        verbose_name = "procédure collective"
        verbose_name_plural = "procédures collectives"
        ordering = ["advance", "judgment_date", "pk"]
        constraints = [
            known_choice("kind", ProceedingKind, "proceeding_kind_known", "Procédure inconnue."),
            check(
                Q(publication_date__gte=F("judgment_date")),
                "proceeding_published_after_judgment",
                "La publication suit le jugement d'ouverture.",
            ),
            check(
                Q(claim_deadline__gt=F("publication_date")),
                "proceeding_deadline_after_publication",
                "Le délai de déclaration court après la publication.",
            ),
            check(
                Q(claim_declared_on__isnull=True, claim_amount__isnull=True)
                | Q(claim_declared_on__isnull=False, claim_amount__gt=0),
                "proceeding_claim_declared_with_amount",
                "Une créance déclarée a un montant positif.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} (jugement du {self.judgment_date:%d/%m/%Y})"


class WriteOffStatus(models.TextChoices):
    REQUESTED = "demandee", "Demandée"
    APPROVED = "approuvee", "Approuvée"
    REJECTED = "refusee", "Refusée"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class WriteOff(models.Model):
    """Giving up what an SME still owes: requested with its reason by staff, then approved
    (or refused) by an operator manager other than the requester. The amount is the
    principal outstanding at approval."""

    advance = link("avances.Advance", "avance", "write_offs")
    status = models.CharField(
        "état", max_length=10, choices=WriteOffStatus.choices, default=WriteOffStatus.REQUESTED
    )
    reason = models.TextField("motif")
    requested_by, requested_at = signed("demandée par", "demandée le", "requested_write_offs")
    decided_by = author("décidée par", "decided_write_offs", null=True, blank=True)
    decided_at = models.DateTimeField("décidée le", null=True, blank=True)
    decision_comment = models.TextField("commentaire de la décision", blank=True)
    amount = models.DecimalField("montant passé en perte (€)", **MONEY, null=True, blank=True)

    class Meta:
        verbose_name = "passage en perte"
        verbose_name_plural = "passages en perte"
        ordering = ["advance", "requested_at", "pk"]
        constraints = [
            known_choice("status", WriteOffStatus, "write_off_status_known", "État inconnu."),
            unique(
                ["advance"],
                "write_off_one_pending_or_approved",
                "Un passage en perte est déjà demandé ou approuvé.",
                condition=Q(status__in=[WriteOffStatus.REQUESTED, WriteOffStatus.APPROVED]),
            ),
            check(
                Q(
                    status=WriteOffStatus.REQUESTED,
                    decided_by__isnull=True,
                    decided_at__isnull=True,
                    amount__isnull=True,
                )
                | Q(
                    status=WriteOffStatus.APPROVED,
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                    amount__gt=0,
                )
                | Q(
                    status=WriteOffStatus.REJECTED,
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                    amount__isnull=True,
                ),
                "write_off_decision_complete",
                "Une décision de passage en perte indique qui l'a prise, quand, et pour "
                "une approbation le montant.",
            ),
            check(
                Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                "write_off_four_eyes",
                "Le passage en perte est approuvé par une autre personne que celle qui "
                "l'a demandé.",
            ),
            check(
                ~Q(reason=""), "write_off_reason_given", "Indiquez le motif du passage en perte."
            ),
        ]

    def __str__(self):
        return f"Passage en perte {self.get_status_display().lower()} ({self.advance})"

    # The badge colour of each state, so that pages never compare a state with text.
    BADGES = {WriteOffStatus.APPROVED: "dark", WriteOffStatus.REJECTED: "secondary"}

    @property
    def badge(self) -> str:
        return self.BADGES.get(self.status, "warning")
