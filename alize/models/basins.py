"""Roles, employment basins and their advance caps, and who may read a basin's rows."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q

from alize.business_days import DueDateRule
from alize.formatting import euros
from alize.modelkit import HasPage, check, known_choice, link, sane_years, unique, years_check

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


class ReadScopedQuerySet(models.QuerySet):
    """The rows a user may read: none for a visitor who has not signed in, all of them for
    an administrator, and for anyone else those `read_scope(user)` picks."""

    def visible_to(self, user):
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        return self.filter(self.read_scope(user))

    def read_scope(self, user) -> Q:
        raise NotImplementedError


class BasinQuerySet(ReadScopedQuerySet):
    def read_scope(self, user) -> Q:
        return Q(pk__in=user.basins.values("pk"))


class BasinScopedQuerySet(models.QuerySet):
    """The rows of a basin (`basin_lookup` leads to it): a user reads those of the basins
    they may read (`BasinQuerySet.visible_to`)."""

    basin_lookup = "basin"

    def visible_to(self, user):
        return self.filter(**{f"{self.basin_lookup}__in": Basin.objects.visible_to(user)})


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Basin(HasPage, models.Model):
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
    detail_url_name = "alize:basin_detail"

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
