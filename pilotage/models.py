"""Periodic reports: funders' subscriptions, the archive of every report built and sent,
and the tokens of the indicators API.

A report's PDF is stored as a file under MEDIA_ROOT (`rapports/<année>/`), never served
directly: it goes through a view that checks who asks.
"""

import datetime
import hashlib
import secrets

import pghistory
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import validate_email
from django.db import models
from django.db.models import Q
from django.utils import timezone

from alize.modelkit import check, field_is, link, optional_link, unique, where
from alize.models import OPERATOR_ROLES, Basin, Funder, ProgrammePeriod, ReadScopedQuerySet, Role

# --- Reporting periods -------------------------------------------------------------------


class Frequency(models.TextChoices):
    MONTHLY = "mensuel", "Mensuel"
    QUARTERLY = "trimestriel", "Trimestriel"
    YEARLY = "annuel", "Annuel"


def _quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def last_complete_period(
    frequency: str, today: datetime.date
) -> tuple[datetime.date, datetime.date]:
    """The month, quarter or year that ended most recently before `today` (first, last day)."""
    if frequency == Frequency.MONTHLY:
        end = today.replace(day=1) - datetime.timedelta(days=1)
        return end.replace(day=1), end
    if frequency == Frequency.QUARTERLY:
        end = _quarter_start(today) - datetime.timedelta(days=1)
        return _quarter_start(end), end
    if frequency == Frequency.YEARLY:
        return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)
    raise ValueError(frequency)


MONTHS = [
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
]


def period_label(start: datetime.date, end: datetime.date) -> str:
    """« mars 2008 », « 1er trimestre 2008 », « année 2008 », else « du 01/07/2005 au … »."""
    next_day = end + datetime.timedelta(days=1)
    if start.day == 1 and next_day.day == 1:
        months = (next_day.year - start.year) * 12 + next_day.month - start.month
        if months == 1:
            return f"{MONTHS[start.month - 1]} {start.year}"
        if months == 3 and start.month in (1, 4, 7, 10):
            quarter = (start.month - 1) // 3 + 1
            return f"{'1er' if quarter == 1 else f'{quarter}e'} trimestre {start.year}"
        if months == 12 and start.month == 1:
            return f"année {start.year}"
    return f"du {start:%d/%m/%Y} au {end:%d/%m/%Y}"


# --- Subscriptions -----------------------------------------------------------------------


def validate_recipients(addresses) -> None:
    """Every address well formed, none twice; one French message naming the bad ones."""
    bad = []
    for address in addresses or ():
        try:
            validate_email(address)
        except ValidationError:
            bad.append(address)
    if bad:
        raise ValidationError(
            "Adresse électronique invalide : %(bad)s.", params={"bad": ", ".join(bad)}
        )
    if len({a.lower() for a in addresses}) != len(addresses):
        raise ValidationError("Une même adresse figure deux fois parmi les destinataires.")


def recipients_field() -> ArrayField:
    """The email addresses a report goes to (a subscription's, then the report's as sent)."""
    return ArrayField(
        models.CharField(max_length=254), verbose_name="destinataires", default=list, blank=True
    )


class SubscriptionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(funder__in=Funder.objects.visible_to(user))

    active = where(active=True)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ReportSubscription(models.Model):
    """What a funder receives: how often its report is sent, and to whom."""

    funder = link(
        Funder, "financeur", "report_subscription", on_delete=models.CASCADE, one_to_one=True
    )
    frequency = models.CharField(
        "fréquence", max_length=12, choices=Frequency.choices, default=Frequency.QUARTERLY
    )
    recipients = recipients_field()
    active = models.BooleanField("envoi actif", default=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        verbose_name = "abonnement aux rapports"
        verbose_name_plural = "abonnements aux rapports"
        ordering = ["funder__name"]

    def __str__(self):
        return f"{self.funder} : rapport {self.get_frequency_display().lower()}"

    def clean(self):
        # Here rather than as a field validator: migrations then need no app code.
        try:
            validate_recipients(self.recipients)
        except ValidationError as error:
            raise ValidationError({"recipients": error.messages}) from error
        if self.active and not self.recipients:
            raise ValidationError(
                {"recipients": "Indiquez au moins un destinataire pour un envoi actif."}
            )


# --- The archive of reports --------------------------------------------------------------


class ReportStatus(models.TextChoices):
    PENDING = "en_attente", "En attente"
    BUILT = "construit", "Construit"
    SENT = "envoye", "Envoyé"
    # The hand-off of a message was interrupted: it may have left; staff confirm or resend.
    TO_VERIFY = "a_verifier", "Envoi à vérifier"
    FAILED = "echec", "Échec"


# The badge of each status on the archive (Bootstrap classes).
STATUS_CSS = {
    ReportStatus.PENDING: "text-bg-secondary",
    ReportStatus.BUILT: "text-bg-info",
    ReportStatus.SENT: "text-bg-success",
    ReportStatus.TO_VERIFY: "text-bg-warning",
    ReportStatus.FAILED: "text-bg-danger",
}


class ReportQuerySet(ReadScopedQuerySet):
    def read_scope(self, user) -> Q:
        """The reports a user may read.

        Operators read their basins' reports, the administrator all of them; a funder's
        representative reads its own funder's reports only; the steering committee reads
        its basins' programme reports.
        """
        scope = Q(pk__in=[])
        if user.has_role(*OPERATOR_ROLES):
            scope |= Q(basin__in=user.basins.all())
        if user.has_role(Role.STEERING):
            scope |= Q(basin__in=user.basins.all(), funder__isnull=True)
        if user.has_role(Role.FUNDER) and user.funder_id:
            scope |= Q(funder_id=user.funder_id)
        return scope

    programme = where(funder__isnull=True)

    def with_related(self):
        return self.select_related("funder", "basin", "programme_period")


class Report(models.Model):
    """One report of one period: a funder's, or the programme report of a basin (no funder).

    One row per funder and period (per basin and period for the programme report): the
    unique constraints make a retried or duplicated task find the row instead of making a
    second report; each of its messages (one per recipient) is claimed in the outbox
    (`alize.outbox`) before it leaves, so each is emailed at most once.
    """

    funder = optional_link(Funder, "financeur", "reports")
    basin = link(Basin, "bassin", "reports")
    programme_period = optional_link(ProgrammePeriod, "période de programme", "reports")
    period_start = models.DateField("début de la période")
    period_end = models.DateField("fin de la période")
    status = models.CharField(
        "état", max_length=12, choices=ReportStatus.choices, default=ReportStatus.PENDING
    )
    pdf = models.FileField("rapport (PDF)", upload_to="rapports/%Y/", blank=True)
    recipients = recipients_field()
    attempts = models.PositiveSmallIntegerField("tentatives", default=0)
    last_error = models.TextField("dernière erreur", blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)
    built_at = models.DateTimeField("construit le", null=True, blank=True)
    # The figures the PDF was built from (JSON; Decimals as strings), kept so that building
    # it again later, whatever was recorded since, says the same numbers.
    figures = models.JSONField(
        "chiffres du rapport", null=True, blank=True, editable=False, encoder=DjangoJSONEncoder
    )
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        verbose_name = "rapport"
        verbose_name_plural = "rapports"
        ordering = ["-period_end", "funder__name", "-pk"]
        constraints = [
            unique(
                ["funder", "period_start", "period_end"],
                "report_one_per_funder_and_period",
                "Ce financeur a déjà un rapport pour cette période.",
                condition=Q(funder__isnull=False),
            ),
            unique(
                ["basin", "period_start", "period_end"],
                "programme_report_one_per_basin_and_period",
                "Ce bassin a déjà un rapport de programme pour cette période.",
                condition=Q(funder__isnull=True),
            ),
            check(
                Q(period_end__gte=models.F("period_start")),
                "report_period_ends_after_start",
                "La fin de la période précède son début.",
            ),
            check(
                ~Q(status__in=["construit", "envoye", "a_verifier"]) | Q(built_at__isnull=False),
                "report_built_has_date",
                "Un rapport construit porte sa date de construction.",
            ),
            check(
                ~Q(status="envoye") | Q(sent_at__isnull=False),
                "report_sent_has_date",
                "Un rapport envoyé porte sa date d'envoi.",
            ),
        ]

    def __str__(self):
        return f"{self.title} – {self.period_label}"

    @property
    def is_programme(self) -> bool:
        return self.funder_id is None

    @property
    def title(self) -> str:
        if self.is_programme:
            return f"Rapport de programme – {self.basin}"
        return f"Rapport {self.funder}"

    @property
    def period_label(self) -> str:
        return period_label(self.period_start, self.period_end)

    is_finished = field_is("status", ReportStatus.SENT, ReportStatus.FAILED, ReportStatus.TO_VERIFY)
    is_sent = field_is("status", ReportStatus.SENT)
    is_to_verify = field_is("status", ReportStatus.TO_VERIFY)
    is_failed = field_is("status", ReportStatus.FAILED)

    @property
    def delivery_key(self) -> str:
        """What the outbox (`alize.outbox.Delivery.key`) calls this report's messages."""
        return str(self.pk)

    @property
    def delivery_period(self) -> str:
        return f"{self.period_start:%Y-%m-%d}/{self.period_end:%Y-%m-%d}"

    @property
    def status_css(self) -> str:
        return STATUS_CSS.get(self.status, "text-bg-secondary")


# --- The indicators API's tokens ---------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def token_expiry() -> datetime.datetime:
    """When a token issued or rotated now stops working (`API_TOKEN_LIFETIME_DAYS`)."""
    from django.conf import settings

    return timezone.now() + datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


class ApiTokenQuerySet(models.QuerySet):
    def matching(self, token: str):
        """The active token of this secret, expired or not (the API says which)."""
        return self.filter(token_hash=hash_token(token), active=True)


class ApiToken(models.Model):
    """A secret given to a client of the indicators API; only its SHA-256 is kept.

    A token works until its expiry date; rotating it gives it a new secret (the old one
    stops working at once) and a new expiry date. Revoking it (`active`) is final."""

    name = models.CharField("nom", max_length=120, unique=True)
    token_hash = models.CharField("empreinte SHA-256", max_length=64, unique=True, editable=False)
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField("créé le", default=timezone.now, editable=False)
    expires_at = models.DateTimeField(
        "expire le",
        default=token_expiry,
        help_text="Passée cette date, le jeton est refusé : renouvelez-le avant.",
    )
    rotated_at = models.DateTimeField("renouvelé le", null=True, editable=False)
    last_used_at = models.DateTimeField("dernière utilisation", null=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = "jeton d'API"
        verbose_name_plural = "jetons d'API"
        ordering = ["name"]

    def __str__(self):
        return self.name

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(cls, *, name: str, expires_at: datetime.datetime | None = None):
        """A new token: the row (hash only) and the secret, to be shown once."""
        secret = secrets.token_urlsafe(32)
        token = cls(
            name=name, token_hash=hash_token(secret), expires_at=expires_at or token_expiry()
        )
        token.full_clean(exclude=["token_hash"])
        token.save()
        return token, secret

    def rotate(self) -> str:
        """A new secret (returned, to be shown once) and a new expiry date; the old secret
        is refused from now on."""
        secret = secrets.token_urlsafe(32)
        self.token_hash = hash_token(secret)
        self.expires_at = token_expiry()
        self.rotated_at = timezone.now()
        self.save(update_fields=["token_hash", "expires_at", "rotated_at"])
        return secret
