"""The programme's periods, its territory (intercommunalities and communes), its funders
and their contributions."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from alize.modelkit import HasPage, check, link, optional_link, sane_years, unique, years_check
from alize.models.basins import (
    INSEE_CODE_VALIDATOR,
    MONEY,
    POSTCODE_VALIDATOR,
    SIREN_VALIDATOR,
    Basin,
    BasinScopedQuerySet,
)
from alize.triggers import no_overlap

# --- Programme periods ---------------------------------------------------------------


PERIOD_OVERLAP_MESSAGE = (
    "Cette période chevauche une autre période du même bassin : deux périodes d'un bassin "
    "ne peuvent avoir aucun jour en commun."
)


class PeriodQuerySet(BasinScopedQuerySet):
    def on(self, day: datetime.date):
        return self.filter(start_date__lte=day, end_date__gte=day)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class ProgrammePeriod(HasPage, models.Model):
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
    detail_url_name = "alize:period_detail"

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


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Epci(HasPage, models.Model):
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

    objects = BasinScopedQuerySet.as_manager()
    detail_url_name = "alize:epci_detail"

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


class CommuneQuerySet(BasinScopedQuerySet):
    basin_lookup = "epci__basin"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Commune(HasPage, models.Model):
    insee_code = models.CharField(
        "code INSEE", max_length=5, unique=True, validators=[INSEE_CODE_VALIDATOR]
    )
    name = models.CharField("nom", max_length=200)
    postcode = models.CharField("code postal", max_length=5, validators=[POSTCODE_VALIDATOR])
    population = models.PositiveIntegerField("population", null=True, blank=True)
    epci = link(Epci, "intercommunalité", "communes")

    objects = CommuneQuerySet.as_manager()
    detail_url_name = "alize:commune_detail"

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

    @property
    def basin(self):
        return self.epci.basin


# --- Funders ---------------------------------------------------------------------------


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Funder(HasPage, models.Model):
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

    objects = BasinScopedQuerySet.as_manager()
    detail_url_name = "alize:funder_detail"

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


class ContributionQuerySet(BasinScopedQuerySet):
    basin_lookup = "funder__basin"


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
