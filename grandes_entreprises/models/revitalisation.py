"""Revitalisation: the SMIC table, the conventions and the payments made under them."""

import datetime
from decimal import Decimal

import pghistory
import pgtrigger
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.functions import Round
from django.urls import reverse
from django.utils import timezone

from alize.constraints import in_range, positive, sane_years_checked
from alize.modelkit import author, between, check, link, sane_years, signed
from alize.models import MONEY, OPERATOR_ROLES, Role
from grandes_entreprises.models.common import (
    MULTIPLE_CEILING,
    MULTIPLE_FLOOR,
    MULTIPLE_MESSAGE,
    NO_CONVENTION_MESSAGE,
    RECLASSIFIED_MESSAGE,
    money_sum,
)
from grandes_entreprises.models.corporations import Corporation, operator_basins


class SmicRateQuerySet(models.QuerySet):
    def in_force_on(self, day: datetime.date) -> "SmicRate | None":
        return self.filter(valid_from__lte=day).order_by("-valid_from").first()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class SmicRate(models.Model):
    """The gross minimum wage (SMIC) from a date on: hourly, and monthly for 35 hours.

    A dated table seeded by a data migration; a convention copies the monthly amount in
    force on its date, so a correction here never changes a convention.
    """

    valid_from = models.DateField(
        "en vigueur à partir du",
        unique=True,
        validators=sane_years(1970),
    )
    hourly_amount = models.DecimalField(
        "SMIC horaire brut (€)", **MONEY, validators=[MinValueValidator(Decimal("0.01"))]
    )
    monthly_amount = models.DecimalField(
        "SMIC mensuel brut, 35 heures (€)",
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"))],
    )
    source = models.CharField("texte de référence", max_length=200, blank=True)

    objects = SmicRateQuerySet.as_manager()

    class Meta:
        verbose_name = "SMIC"
        verbose_name_plural = "SMIC"
        ordering = ["-valid_from"]
        constraints = [
            check(
                Q(hourly_amount__gt=0, monthly_amount__gt=0),
                "smic_amounts_positive",
                "Les montants du SMIC sont positifs.",
            ),
        ]

    def __str__(self):
        return f"SMIC au {self.valid_from:%d/%m/%Y} : {self.monthly_amount} € par mois"


class ConventionQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Operators read their basins' conventions, administrators all. A revitalisation
        convention is an obligation towards the State: nobody else, for now."""
        if not user.is_authenticated:
            return self.none()
        if user.has_role(Role.ADMIN):
            return self
        if user.has_role(*OPERATOR_ROLES):
            return self.filter(corporation__basin__in=operator_basins(user))
        return self.none()

    def with_balance(self):
        """Annotate `paid` (sum of the payments into Alizé) and `balance` = due − paid."""
        paid = money_sum(
            ConventionPayment.objects.filter(convention=OuterRef("pk")), "convention", "amount"
        )
        return self.annotate(paid=paid).annotate(
            balance=models.ExpressionWrapper(
                F("amount_due") - F("paid"), output_field=models.DecimalField(**MONEY)
            )
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class RevitalisationConvention(models.Model):
    """A corporation's revitalisation obligation after collective redundancies (law of
    18 January 2005; Code du travail L1233-84 to L1233-90), and what it paid into Alizé.

    The amount due is computed by the database from the convention's own columns:
    (jobs eliminated − employees reclassified in the group) × multiple × monthly SMIC,
    rounded to the cent. The SMIC is the one in force at the signature date, copied here
    by `create_convention` and read-only afterwards (a trigger), so updating the SMIC table
    never changes what a convention owes.

    What else counts toward it lives in `grandes_entreprises.revitalisation`: the skills
    given and the jobs created in the SMEs helped, and the advances it funded (the advances
    app will point its advances at a convention and register its counter there).
    """

    corporation = link(Corporation, "grande entreprise", "revitalisation_conventions")
    reference = models.CharField("référence", max_length=60, unique=True)
    signature_date = models.DateField("date de signature", validators=sane_years())
    ends_on = models.DateField(
        "échéance",
        validators=sane_years(),
        null=True,
        blank=True,
        help_text="Fin de la période pendant laquelle les actions comptent pour la convention.",
    )
    without_convention = models.BooleanField(
        "sans convention",
        default=False,
        help_text="Faute de convention, l'entreprise doit 4 SMIC mensuels par emploi à l'État.",
    )
    jobs_eliminated = models.PositiveIntegerField(
        "emplois supprimés",
        validators=[MinValueValidator(1, "Indiquez le nombre d'emplois supprimés.")],
    )
    employees_reclassified = models.PositiveIntegerField(
        "salariés reclassés dans le groupe", default=0
    )
    multiple = models.DecimalField(
        "multiple du SMIC mensuel",
        max_digits=3,
        decimal_places=2,
        validators=between(MULTIPLE_FLOOR, MULTIPLE_CEILING, MULTIPLE_MESSAGE),
    )
    smic_monthly = models.DecimalField("SMIC mensuel brut retenu (€)", **MONEY, editable=False)
    smic_valid_from = models.DateField("SMIC en vigueur depuis le", editable=False)
    amount_due = models.GeneratedField(
        expression=Round(
            models.ExpressionWrapper(
                (F("jobs_eliminated") - F("employees_reclassified"))
                * F("multiple")
                * F("smic_monthly"),
                output_field=models.DecimalField(max_digits=20, decimal_places=6),
            ),
            2,
        ),
        output_field=models.DecimalField(**MONEY),
        db_persist=True,
        verbose_name="montant dû (€)",
    )
    jobs_to_recreate = models.PositiveIntegerField("emplois à recréer", default=0)
    comment = models.TextField("commentaire", blank=True)
    created_by = author("enregistrée par", "created_revitalisation_conventions")
    created_at = models.DateTimeField("enregistrée le", auto_now_add=True)

    objects = ConventionQuerySet.as_manager()

    class Meta:
        verbose_name = "convention de revitalisation"
        verbose_name_plural = "conventions de revitalisation"
        ordering = ["-signature_date", "reference"]
        constraints = [
            check(
                Q(jobs_eliminated__gte=1),
                "convention_jobs_eliminated_positive",
                "Indiquez le nombre d'emplois supprimés.",
            ),
            check(
                Q(employees_reclassified__gte=0)
                & Q(employees_reclassified__lte=F("jobs_eliminated")),
                "convention_reclassified_within_eliminated",
                RECLASSIFIED_MESSAGE,
            ),
            in_range(
                "multiple",
                MULTIPLE_FLOOR,
                MULTIPLE_CEILING,
                "convention_multiple_between_2_and_4",
                MULTIPLE_MESSAGE,
            ),
            check(
                Q(without_convention=False) | Q(multiple=MULTIPLE_CEILING),
                "convention_none_means_4",
                NO_CONVENTION_MESSAGE,
            ),
            positive("smic_monthly", "convention_smic_positive", "Le SMIC retenu est positif."),
            check(
                Q(smic_valid_from__lte=F("signature_date")),
                "convention_smic_in_force_at_signature",
                "Le SMIC retenu est celui en vigueur à la signature.",
            ),
            check(
                Q(ends_on__isnull=True) | Q(ends_on__gt=F("signature_date")),
                "convention_ends_after_signature",
                "L'échéance suit la date de signature.",
            ),
        ]
        triggers = [
            # The copied SMIC, and the date it was copied for, never change afterwards.
            pgtrigger.ReadOnly(
                name="convention_smic_read_only",
                fields=["smic_monthly", "smic_valid_from", "signature_date"],
            ),
        ]

    def __str__(self):
        return f"Convention {self.reference} – {self.corporation}"

    def get_absolute_url(self):
        return reverse("grandes_entreprises:convention_detail", args=[self.pk])

    def clean(self):
        errors = {}
        if (
            self.jobs_eliminated is not None
            and self.employees_reclassified is not None
            and self.employees_reclassified > self.jobs_eliminated
        ):
            errors["employees_reclassified"] = RECLASSIFIED_MESSAGE
        if self.without_convention and self.multiple != MULTIPLE_CEILING:
            errors["multiple"] = NO_CONVENTION_MESSAGE
        if self.signature_date and self.signature_date > timezone.localdate():
            errors["signature_date"] = "La date de signature ne peut pas être dans le futur."
        if self.ends_on and self.signature_date and self.ends_on <= self.signature_date:
            errors["ends_on"] = "L'échéance suit la date de signature."
        if errors:
            raise ValidationError(errors)

    @property
    def jobs_net(self) -> int:
        return self.jobs_eliminated - self.employees_reclassified


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class ConventionPayment(models.Model):
    """Money the corporation paid into the Alizé programme under a convention."""

    convention = link(RevitalisationConvention, "convention", "payments")
    paid_on = models.DateField("date du versement", validators=sane_years())
    amount = models.DecimalField(
        "montant (€)",
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"), "Un versement est positif.")],
    )
    comment = models.CharField("commentaire", max_length=200, blank=True)
    recorded_by, recorded_at = signed("saisi par", "saisi le", "revitalisation_payments")

    class Meta:
        verbose_name = "versement au titre de la revitalisation"
        verbose_name_plural = "versements au titre de la revitalisation"
        ordering = ["convention", "paid_on", "pk"]
        constraints = [
            positive("amount", "convention_payment_positive", "Un versement est positif."),
        ]

    def __str__(self):
        return f"{self.amount} € le {self.paid_on:%d/%m/%Y}"

    def clean(self):
        if self.paid_on and self.paid_on > timezone.localdate():
            raise ValidationError({"paid_on": "Le versement ne peut pas être daté dans le futur."})
        if self.convention_id and self.paid_on and self.paid_on < self.convention.signature_date:
            raise ValidationError(
                {
                    "paid_on": (
                        "Un versement au titre de la convention suit sa signature "
                        f"({self.convention.signature_date:%d/%m/%Y})."
                    )
                }
            )
