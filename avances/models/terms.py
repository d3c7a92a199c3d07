"""Per-basin settings of the advances: default terms, and the reference rate that prices
an interest-free loan for the de minimis rules."""

import datetime
from decimal import Decimal

import pghistory
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q

from alize.constraints import in_range, sane_years_checked
from alize.modelkit import between, known_choice, link, optional_link, sane_years, unique
from alize.models import Basin
from avances.models.common import (
    DEFAULT_DURATION_MONTHS,
    DEFAULT_GRACE_MONTHS,
    RATE,
    Frequency,
    terms_constraints,
)
from avances.schedule import DURATION_MESSAGE, GRACE_MESSAGE, MAX_DURATION_MONTHS, MAX_GRACE_MONTHS


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class BasinAdvanceSettings(models.Model):
    """A basin's default terms for new advances, and its revolving fund's lock.

    One row per basin (created on first use with 36 months, 6 months' grace, monthly
    instalments). Every service that changes the fund's balance (grant, disbursement,
    payment, contribution, write-off) first locks this row, so that two of them never read
    the balance at the same time.
    """

    basin = link(Basin, "bassin", "advance_settings", one_to_one=True)
    default_duration_months = models.PositiveSmallIntegerField(
        "durée par défaut (mois, différé compris)",
        default=DEFAULT_DURATION_MONTHS,
        validators=between(1, MAX_DURATION_MONTHS, DURATION_MESSAGE),
    )
    default_grace_months = models.PositiveSmallIntegerField(
        "différé par défaut (mois)",
        default=DEFAULT_GRACE_MONTHS,
        validators=[MaxValueValidator(MAX_GRACE_MONTHS, GRACE_MESSAGE)],
    )
    default_frequency = models.CharField(
        "périodicité par défaut",
        max_length=15,
        choices=Frequency.choices,
        default=Frequency.MONTHLY,
    )

    class Meta:
        verbose_name = "paramètres des avances d'un bassin"
        verbose_name_plural = "paramètres des avances des bassins"
        constraints = [
            *terms_constraints(
                "advance_settings",
                "default_duration_months",
                "default_grace_months",
                "default_frequency",
            ),
            known_choice(
                "default_frequency",
                Frequency,
                "advance_settings_frequency_known",
                "Périodicité inconnue.",
            ),
        ]

    def __str__(self):
        return f"Avances du bassin {self.basin}"


class ReferenceRateQuerySet(models.QuerySet):
    def in_force_on(self, basin: Basin, day: datetime.date) -> "ReferenceRate | None":
        """The basin's own rate in force on `day`; failing one, the national rate."""
        rates = self.filter(valid_from__lte=day).order_by("-valid_from")
        return rates.filter(basin=basin).first() or rates.filter(basin__isnull=True).first()


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class ReferenceRate(models.Model):
    """The annual reference rate (EU reference rate: base rate plus margin) from a date on,
    for one basin or, without a basin, for all. An advance copies the rate in force at its
    decision date, with the gross grant equivalent computed from it."""

    basin = optional_link(
        Basin,
        "bassin",
        "reference_rates",
        help_text="Laissez vide pour un taux valable dans tous les bassins.",
    )
    valid_from = models.DateField("en vigueur à partir du", validators=sane_years())
    annual_rate_percent = models.DecimalField(
        "taux de référence annuel (%)",
        **RATE,
        validators=between(
            Decimal("0"),
            Decimal("100"),
            "Le taux ne peut pas être négatif.",
            "Le taux ne peut dépasser 100 %.",
        ),
    )
    source = models.CharField("source", max_length=200, blank=True)

    objects = ReferenceRateQuerySet.as_manager()

    class Meta:
        verbose_name = "taux de référence"
        verbose_name_plural = "taux de référence"
        ordering = ["basin", "-valid_from"]
        constraints = [
            in_range(
                "annual_rate_percent", 0, 100, "reference_rate_range", "Le taux va de 0 à 100 %."
            ),
            unique(
                ["basin", "valid_from"],
                "reference_rate_one_per_basin_and_date",
                "Ce bassin a déjà un taux en vigueur à cette date.",
                condition=Q(basin__isnull=False),
            ),
            unique(
                ["valid_from"],
                "reference_rate_one_national_per_date",
                "Un taux national est déjà en vigueur à cette date.",
                condition=Q(basin__isnull=True),
            ),
        ]

    def __str__(self):
        where = self.basin or "tous les bassins"
        return f"{self.annual_rate_percent} % à partir du {self.valid_from:%d/%m/%Y} ({where})"
