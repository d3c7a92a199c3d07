"""The outbox: one row per message the app emails on its own (a funder's report, a
convocation, a decision letter, an invitation), for each recipient.

The row is claimed, and committed, before the message goes to the mail server; the
moment the hand-off starts is committed too, and its end right after the server accepts
the message. A message therefore leaves at most once, and none is lost:
- found « réservé » (the sender died before the hand-off): it is sent again, safely;
- found « remise en cours » with nobody sending it (the sender died during the hand-off,
  or after it but before recording it): it may have left; it is never sent again on its
  own: it becomes « envoi à vérifier » for staff to confirm or resend;
- « remis » or « confirmé »: done, nothing more goes out.
Every message of a row carries the same Message-ID (deterministic per kind, key, recipient
and period): a resend that staff decide on is recognisable as the same message.

The writes are `alize.services.outbox`'s.
"""

from django.db import models
from django.db.models import Q
from django.utils import timezone

from alize.modelkit import author, check, field_is, known_choice, unique, where


class DeliveryKind(models.TextChoices):
    REPORT = "rapport", "Rapport aux financeurs"
    CONVOCATION = "convocation", "Convocation"
    DECISION = "decision", "Lettre de décision"
    INVITATION = "invitation", "Invitation"
    MESSAGE = "message", "Message"


class DeliveryState(models.TextChoices):
    CLAIMED = "reserve", "Réservé"
    HANDING_OFF = "en_remise", "Remise en cours"
    HANDED_OFF = "remis", "Remis au serveur de messagerie"
    TO_VERIFY = "a_verifier", "Envoi à vérifier"
    CONFIRMED = "confirme", "Envoi confirmé"


# The states in which the message is known to have left (or staff say so).
DONE_STATES = (DeliveryState.HANDED_OFF, DeliveryState.CONFIRMED)


class DeliveryQuerySet(models.QuerySet):
    def of(self, kind: str, key):
        return self.filter(kind=kind, key=str(key))

    to_verify = where(state=DeliveryState.TO_VERIFY)


class Delivery(models.Model):
    """One message to one recipient, as far as its sending went."""

    kind = models.CharField("nature", max_length=16, choices=DeliveryKind.choices)
    key = models.CharField("objet envoyé", max_length=120)
    recipient = models.CharField("destinataire", max_length=254)
    period = models.CharField("période", max_length=40, blank=True)
    subject = models.CharField("objet du message", max_length=300, blank=True)
    message_id = models.CharField("Message-ID", max_length=250, unique=True)
    state = models.CharField(
        "état", max_length=12, choices=DeliveryState.choices, default=DeliveryState.CLAIMED
    )
    attempts = models.PositiveSmallIntegerField("remises tentées", default=0)
    last_error = models.TextField("dernier incident", blank=True)
    claimed_at = models.DateTimeField("réservé le", default=timezone.now)
    handoff_started_at = models.DateTimeField("remise commencée le", null=True, blank=True)
    handoff_by = models.CharField("remis par (machine, processus)", max_length=200, blank=True)
    handed_off_at = models.DateTimeField("remis le", null=True, blank=True)
    confirmed_by = author("décidé par", null=True, blank=True)
    confirmed_at = models.DateTimeField("décidé le", null=True, blank=True)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        verbose_name = "envoi de courriel"
        verbose_name_plural = "envois de courriels"
        ordering = ["-claimed_at", "pk"]
        constraints = [
            unique(
                ["kind", "key", "recipient"],
                "delivery_one_per_object_and_recipient",
                "Ce message est déjà réservé pour ce destinataire.",
            ),
            known_choice("state", DeliveryState, "delivery_state_known", "État d'envoi inconnu."),
            check(
                ~Q(state="remis") | Q(handed_off_at__isnull=False),
                "delivery_handed_off_has_date",
                "Un message remis porte sa date de remise.",
            ),
            check(
                ~Q(state__in=["en_remise", "a_verifier"]) | Q(handoff_started_at__isnull=False),
                "delivery_handoff_has_start",
                "Une remise porte l'heure où elle a commencé.",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} → {self.recipient}"

    is_done = field_is("state", *DONE_STATES)
    is_to_verify = field_is("state", DeliveryState.TO_VERIFY)
