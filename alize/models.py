"""The programme referential: users and roles, basins and their caps, programme periods,
intercommunalities and communes, funders and their contributions."""

import datetime
from decimal import Decimal

import pghistory
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from alize.business_days import DueDateRule
from alize.formatting import euros
from alize.modelkit import (
    check,
    known_choice,
    link,
    optional_link,
    sane_years,
    track_links,
    unique,
    years_check,
)
from alize.triggers import no_overlap

INSEE_CODE_VALIDATOR = RegexValidator(
    r"^(\d{5}|2[AB]\d{3})$",
    "Le code INSEE doit compter 5 caractères : 5 chiffres, ou 2A/2B suivi de 3 chiffres.",
)
POSTCODE_VALIDATOR = RegexValidator(r"^\d{5}$", "Le code postal doit compter 5 chiffres.")
SIREN_VALIDATOR = RegexValidator(r"^\d{9}$", "Le SIREN doit compter 9 chiffres.")
MONEY = {"max_digits": 14, "decimal_places": 2}


class Role(models.TextChoices):
    """Each role is a Group of the same name, created by a data migration."""

    STAFF = "charge_de_mission", "Chargé(e) de mission"
    MANAGER = "responsable_operateur", "Responsable de l'opérateur"
    COMMITTEE_MEMBER = "membre_comite_agrement", "Membre du comité d'agrément"
    STEERING = "comite_pilotage", "Comité de pilotage (sous-préfecture)"
    FUNDER = "financeur", "Financeur"
    ADMIN = "administrateur", "Administrateur"
    COORDINATOR = "coordinateur_entreprise", "Coordinateur(trice) d'une grande entreprise"


OPERATOR_ROLES = (Role.STAFF, Role.MANAGER)


# --- Basins --------------------------------------------------------------------------


class BasinQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        return self.filter(pk__in=user.basins.values("pk"))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Basin(models.Model):
    """An employment basin (bassin d'emploi) and the local operator that runs Alizé there."""

    name = models.CharField("nom", max_length=120, unique=True)
    slug = models.SlugField("identifiant", max_length=60, unique=True)
    operator_name = models.CharField("opérateur local", max_length=200)
    operator_short_name = models.CharField("sigle de l'opérateur", max_length=30, blank=True)
    departement = models.CharField("département", max_length=3, blank=True)
    due_date_rule = models.CharField(
        "échéances tombant un week-end ou un jour férié",
        max_length=20,
        choices=DueDateRule.choices,
        default=DueDateRule.NEXT_BUSINESS_DAY,
        help_text="Règle du prêteur pour les échéances des avances remboursables : la date "
        "retenue est celle à partir de laquelle le retard se compte. Elle s'applique aux "
        "échéanciers établis après son changement.",
    )

    objects = BasinQuerySet.as_manager()

    class Meta:
        verbose_name = "bassin d'emploi"
        verbose_name_plural = "bassins d'emploi"
        ordering = ["name"]
        constraints = [
            known_choice(
                "due_date_rule",
                DueDateRule,
                "basin_due_date_rule_known",
                "Règle de report des échéances inconnue.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alize:basin_detail", args=[self.pk])

    def cap_on(self, day: datetime.date) -> Decimal | None:
        """The advance cap in force on `day`, or None when none was set yet."""
        cap = self.advance_caps.filter(valid_from__lte=day).order_by("-valid_from").first()
        return cap.amount if cap else None

    @property
    def current_cap(self) -> Decimal | None:
        return self.cap_on(datetime.date.today())

    def check_advance_cap(
        self, amount: Decimal, day: datetime.date, *, field: str = "amount"
    ) -> Decimal | None:
        """The one check of the advance cap: the cap in force on `day` (copied onto the
        decision and the advance, whose constraints hold it), once `amount` is found within
        it. An advance, however small, needs a cap; no advance (0) needs none."""
        cap = self.cap_on(day)
        if amount <= 0:
            return cap
        when = f"{day:%d/%m/%Y}"
        if cap is None:
            raise ValidationError(
                {
                    field: (
                        f"Aucun plafond d'avance n'est fixé pour le bassin {self} au {when} : "
                        "aucune avance ne peut être accordée."
                    )
                }
            )
        if amount > cap:
            raise ValidationError(
                {
                    field: (
                        f"{euros(amount, 2)} dépasse le plafond des avances du bassin {self} en "
                        f"vigueur au {when} ({euros(cap, 2)})."
                    )
                }
            )
        return cap


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class AdvanceCap(models.Model):
    """The repayable advance cap of a basin from a date on.

    Caps are a dated history: a new cap is a new row, so a decision taken before it keeps
    the cap it was taken under.
    """

    basin = link(Basin, "bassin", "advance_caps")
    amount = models.DecimalField("plafond (€)", **MONEY, validators=[MinValueValidator(0)])
    valid_from = models.DateField("en vigueur à partir du", validators=sane_years())
    comment = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        verbose_name = "plafond d'avance"
        verbose_name_plural = "plafonds d'avance"
        ordering = ["basin", "-valid_from"]
        constraints = [
            check(
                Q(amount__gte=0),
                "advance_cap_amount_non_negative",
                "Le plafond ne peut pas être négatif.",
            ),
            unique(
                ["basin", "valid_from"],
                "advance_cap_one_per_basin_and_date",
                "Ce bassin a déjà un plafond en vigueur à cette date.",
            ),
            years_check("valid_from", "advance_cap_valid_from_sane_year"),
        ]

    def __str__(self):
        return f"{self.basin} : {self.amount} € à partir du {self.valid_from:%d/%m/%Y}"


# --- Users ---------------------------------------------------------------------------


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("L'adresse électronique est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


@pghistory.track(
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
    # Password hashes stay out of the trail; sign-ins are not changes.
    exclude=["password", "last_login"],
)
class User(AbstractUser):
    """A person who signs in with an email address; roles are groups, basins scope data."""

    username = None
    email = models.EmailField("adresse électronique", unique=True)
    organisation = models.CharField("organisme", max_length=200, blank=True)
    basins = models.ManyToManyField(Basin, blank=True, related_name="users", verbose_name="bassins")
    funder = optional_link("Funder", "financeur représenté", "users", on_delete=models.SET_NULL)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["first_name", "last_name"]

    objects = UserManager()

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_unique_case_insensitive",
                violation_error_message="Un compte existe déjà avec cette adresse.",
            )
        ]

    def __str__(self):
        return self.get_full_name() or self.email

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    @property
    def roles(self) -> frozenset[str]:
        if not hasattr(self, "_roles_cache"):
            names = set(self.groups.values_list("name", flat=True)) if self.pk else set()
            if self.is_superuser:
                names.add(Role.ADMIN)
            self._roles_cache = frozenset(names)
        return self._roles_cache

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        return [Role(name).label for name in Role.values if name in self.roles]

    @property
    def is_operator(self) -> bool:
        return self.has_role(*OPERATOR_ROLES, Role.ADMIN)

    # Who works where: the one home of the basin scope. Administrators read every basin
    # but work in none unless they are members; each app says when they may act.

    @property
    def basin_ids(self) -> frozenset[int]:
        """The basins this user works in, read once per request."""
        if not hasattr(self, "_basin_ids_cache"):
            ids = self.basins.values_list("pk", flat=True) if self.pk else ()
            self._basin_ids_cache = frozenset(ids)
        return self._basin_ids_cache

    def works_in(self, basin_id: int) -> bool:
        """A member of this basin."""
        return basin_id in self.basin_ids

    def reads_basin(self, basin_id: int) -> bool:
        """May read this basin's data: an administrator, or a member."""
        return self.has_role(Role.ADMIN) or self.works_in(basin_id)


# --- Programme periods ---------------------------------------------------------------


PERIOD_OVERLAP_MESSAGE = (
    "Cette période chevauche une autre période du même bassin : deux périodes d'un bassin "
    "ne peuvent avoir aucun jour en commun."
)


class PeriodQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(basin__in=Basin.objects.visible_to(user))

    def on(self, day: datetime.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProgrammePeriod(models.Model):
    """A three-year programme convention of a basin, with its targets."""

    basin = link(Basin, "bassin", "periods")
    name = models.CharField("intitulé", max_length=120)
    start_date = models.DateField("début", validators=sane_years())
    end_date = models.DateField("fin", validators=sane_years())
    target_jobs = models.PositiveIntegerField("objectif d'emplois", null=True, blank=True)
    target_smes = models.PositiveIntegerField("objectif de PME accompagnées", null=True, blank=True)
    budget = models.DecimalField(
        "budget prévisionnel (€)",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )

    objects = PeriodQuerySet.as_manager()

    class Meta:
        verbose_name = "période de programme"
        verbose_name_plural = "périodes de programme"
        ordering = ["basin", "start_date"]
        constraints = [
            check(
                Q(end_date__gt=models.F("start_date")),
                "period_ends_after_start",
                "La fin de la période doit être postérieure à son début.",
            ),
            unique(
                ["basin", "name"],
                "period_name_unique_per_basin",
                "Ce bassin a déjà une période de ce nom.",
            ),
            years_check("start_date", "period_start_sane_year"),
            years_check("end_date", "period_end_sane_year"),
        ]
        # Periods of a basin never overlap: a dossier counts in one period only.
        triggers = [
            no_overlap(
                "period_no_overlap_in_basin",
                table="alize_programmeperiod",
                scope="basin_id",
                parent_table="alize_basin",
                message=PERIOD_OVERLAP_MESSAGE,
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.start_date:%Y}–{self.end_date:%Y})"

    def get_absolute_url(self):
        return reverse("alize:period_detail", args=[self.pk])

    def overlapping(self):
        """The basin's other periods that share a day with this one."""
        return ProgrammePeriod.objects.filter(
            basin_id=self.basin_id, start_date__lte=self.end_date, end_date__gte=self.start_date
        ).exclude(pk=self.pk)

    def clean(self):
        # The trigger holds the rule; here it names the period in the way.
        if not (self.basin_id and self.start_date and self.end_date):
            return
        if self.end_date <= self.start_date:
            return
        other = self.overlapping().order_by("start_date").first()
        if other is not None:
            raise ValidationError(
                {
                    "start_date": (
                        f"Cette période chevauche la période « {other.name} » du même bassin "
                        f"(du {other.start_date:%d/%m/%Y} au {other.end_date:%d/%m/%Y}) : "
                        "deux périodes d'un bassin ne peuvent avoir aucun jour en commun."
                    )
                }
            )


# --- Territories -----------------------------------------------------------------------


class EpciQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(basin__in=Basin.objects.visible_to(user))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Epci(models.Model):
    """An intercommunality (établissement public de coopération intercommunale)."""

    class Kind(models.TextChoices):
        CA = "CA", "Communauté d'agglomération"
        CC = "CC", "Communauté de communes"
        CU = "CU", "Communauté urbaine"
        METRO = "METRO", "Métropole"

    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[SIREN_VALIDATOR])
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=5, choices=Kind.choices)
    population = models.PositiveIntegerField("population")
    basin = link(Basin, "bassin", "epcis")

    objects = EpciQuerySet.as_manager()

    class Meta:
        verbose_name = "intercommunalité"
        verbose_name_plural = "intercommunalités"
        ordering = ["name"]
        constraints = [
            check(
                Q(population__gte=0),
                "epci_population_non_negative",
                "La population ne peut pas être négative.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alize:epci_detail", args=[self.pk])


class CommuneQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(epci__basin__in=Basin.objects.visible_to(user))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Commune(models.Model):
    insee_code = models.CharField(
        "code INSEE", max_length=5, unique=True, validators=[INSEE_CODE_VALIDATOR]
    )
    name = models.CharField("nom", max_length=200)
    postcode = models.CharField("code postal", max_length=5, validators=[POSTCODE_VALIDATOR])
    population = models.PositiveIntegerField("population", null=True, blank=True)
    epci = link(Epci, "intercommunalité", "communes")

    objects = CommuneQuerySet.as_manager()

    class Meta:
        verbose_name = "commune"
        verbose_name_plural = "communes"
        ordering = ["name"]
        constraints = [
            check(
                Q(insee_code__regex=r"^(\d{5}|2[AB]\d{3})$"),
                "commune_insee_code_format",
                "Le code INSEE est mal formé.",
            ),
            check(
                Q(postcode__regex=r"^\d{5}$"),
                "commune_postcode_format",
                "Le code postal est mal formé.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.postcode})"

    def get_absolute_url(self):
        return reverse("alize:commune_detail", args=[self.pk])

    @property
    def basin(self):
        return self.epci.basin


# --- Funders ---------------------------------------------------------------------------


class FunderQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(basin__in=Basin.objects.visible_to(user))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Funder(models.Model):
    class Kind(models.TextChoices):
        CORPORATION = "corporation", "Grande entreprise"
        LOCAL_AUTHORITY = "local_authority", "Collectivité territoriale"
        STATE = "state", "État"
        CAISSE_DEPOTS = "caisse_depots", "Caisse des dépôts"
        FSE = "fse", "Fonds social européen"
        OTHER = "other", "Autre"

    name = models.CharField("nom", max_length=200)
    kind = models.CharField("nature", max_length=20, choices=Kind.choices)
    basin = link(Basin, "bassin", "funders")
    epci = optional_link(
        Epci,
        "intercommunalité représentée",
        "funders",
        help_text="Pour une collectivité : son territoire.",
    )

    objects = FunderQuerySet.as_manager()

    class Meta:
        verbose_name = "financeur"
        verbose_name_plural = "financeurs"
        ordering = ["basin", "name"]
        constraints = [
            unique(
                ["basin", "name"],
                "funder_name_unique_per_basin",
                "Ce bassin a déjà un financeur de ce nom.",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("alize:funder_detail", args=[self.pk])


class ContributionQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(funder__basin__in=Basin.objects.visible_to(user))


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Contribution(models.Model):
    """What a funder commits to a programme period, and what it has paid so far."""

    funder = link(Funder, "financeur", "contributions")
    period = link(ProgrammePeriod, "période", "contributions")
    committed = models.DecimalField(
        "montant engagé (€)", **MONEY, validators=[MinValueValidator(0)]
    )
    paid = models.DecimalField(
        "montant versé (€)", **MONEY, default=Decimal("0.00"), validators=[MinValueValidator(0)]
    )
    earmarked_for_advances = models.DecimalField(
        "dont fléché vers le fonds d'avances (€)",
        **MONEY,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    comment = models.CharField("commentaire", max_length=200, blank=True)

    objects = ContributionQuerySet.as_manager()

    class Meta:
        verbose_name = "contribution"
        verbose_name_plural = "contributions"
        ordering = ["period", "funder__name"]
        constraints = [
            unique(
                ["funder", "period"],
                "contribution_one_per_funder_and_period",
                "Ce financeur a déjà une contribution pour cette période.",
            ),
            check(
                Q(committed__gte=0) & Q(paid__gte=0) & Q(earmarked_for_advances__gte=0),
                "contribution_amounts_non_negative",
                "Les montants ne peuvent pas être négatifs.",
            ),
            check(
                Q(earmarked_for_advances__lte=models.F("committed")),
                "contribution_earmark_within_commitment",
                "La part fléchée vers le fonds d'avances ne peut dépasser le montant engagé.",
            ),
        ]

    def __str__(self):
        return f"{self.funder} – {self.period}"

    def get_absolute_url(self):
        return self.funder.get_absolute_url()

    def clean(self):
        # Checked here so the admin's forms apply it too, not only the service.
        if self.funder_id and self.period_id and self.period.basin_id != self.funder.basin_id:
            raise ValidationError(
                {"period": "Cette période appartient à un autre bassin que celui du financeur."}
            )


# Role and basin memberships are changes of access: they belong in the audit trail too.
track_links(
    "alize",
    (User.groups.through, "UserGroupEvent"),
    (User.basins.through, "UserBasinEvent"),
)


# --- One-time submissions --------------------------------------------------------------


class Submission(models.Model):
    """A form that records money or a decision, as it was sent once.

    The form carries a one-time token (a hidden field, `alize.once`); the first submission
    of a token inserts this row in the same transaction as what it records, and notes where
    it sent the user and what it said. A second submission of the same token (a double
    click, a page sent again) finds the row, records nothing and shows that first result.
    A refused submission rolls its row back with the rest: the corrected form may be sent.
    """

    token = models.UUIDField("jeton", unique=True)
    user = link("User", "envoyé par", "submissions", on_delete=models.CASCADE)
    path = models.CharField("adresse", max_length=300)
    result_url = models.CharField("page du résultat", max_length=500, blank=True)
    message = models.CharField("résultat", max_length=500, blank=True)
    created_at = models.DateTimeField("envoyé le", default=timezone.now)

    class Meta:
        verbose_name = "envoi de formulaire"
        verbose_name_plural = "envois de formulaires"

    def __str__(self):
        return f"{self.path} ({self.created_at:%d/%m/%Y %H:%M})"


# The outbox of the emails the app sends on its own lives in its own module.
from alize.audit import AuditSeal  # noqa: E402, F401
from alize.outbox import Delivery, DeliveryKind, DeliveryState  # noqa: E402, F401
