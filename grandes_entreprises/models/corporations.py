"""Partner corporations: their sites, daily rates, contacts, experts and memberships."""

import datetime
import operator
from decimal import Decimal
from functools import reduce

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from alize.constraints import positive, sane_years_checked
from alize.modelkit import (
    Contact,
    SubqueryCount,
    check,
    choice_labels,
    in_choice_order,
    link,
    optional_link,
    sane_years,
    timestamps,
    unique,
)
from alize.models import MONEY, OPERATOR_ROLES, Basin, Funder, ProgrammePeriod, Role
from alize.versioning import Versioned
from grandes_entreprises.models.common import days_sum, money_sum
from pme.models import Need
from pme.validators import validate_siret


def operator_basins(user):
    return user.basins.all()


def coordinated_corporations(user):
    """The ids of the corporations a user coordinates, or None if they coordinate none.

    A subquery, never a join: a corporation with several coordinators is listed once.
    """
    if not user.has_role(Role.COORDINATOR):
        return None
    return Corporation.coordinators.through.objects.filter(user_id=user.pk).values("corporation_id")


def visible_through_corporation(queryset: models.QuerySet, user, path: str) -> models.QuerySet:
    """The one rule for what hangs off a corporation (`path` leads from the queryset's rows
    to it, "" for corporations themselves): operators see their basins', a coordinator
    their corporation's, administrators all, anyone else nothing for now."""
    if not user.is_authenticated:
        return queryset.none()
    if user.has_role(Role.ADMIN):
        return queryset
    scopes = []
    if user.has_role(*OPERATOR_ROLES):
        scopes.append(Q(**{f"{path}basin__in": operator_basins(user)}))
    coordinated = coordinated_corporations(user)
    if coordinated is not None:
        scopes.append(Q(**{f"{path}pk__in": coordinated}))
    if not scopes:
        return queryset.none()
    return queryset.filter(reduce(operator.or_, scopes))


class CorporationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The corporations a user may read.

        Operator staff and managers read the corporations of their basins; a coordinator
        reads the corporation(s) they coordinate; administrators read all; anyone else,
        none for now (committee members and funders will get their own views).
        """
        return visible_through_corporation(self, user, "")

    def for_basin(self, basin: Basin):
        return self.filter(basin=basin)

    def members_of(self, period: ProgrammePeriod):
        """The corporations that took part in a programme period (even if they left)."""
        return self.filter(memberships__period=period)

    def with_current_rate(self, day: datetime.date | None = None):
        """Annotate `daily_rate`: the rate in force on `day` (today by default), or None."""
        return self.annotate(
            daily_rate=rate_in_force(OuterRef("pk"), models.Value(day or timezone.localdate()))
        )

    def with_totals(self):
        """Annotate what each corporation gave and produced, over all time.

        `days_given`, `skills_value` (€), `smes_helped` (SMEs its experts gave days to) and
        `jobs_created` (hires of those SMEs' dossiers, see `hires_helped_by`). Each is a
        correlated subquery: no join between logs and hires can multiply another's rows.
        """
        # Missions build on corporations: imported here, not at the top, to avoid a cycle.
        from grandes_entreprises.models.missions import DayLog, hires_helped_by

        logs = DayLog.objects.filter(assignment__mission__corporation=OuterRef("pk"))
        return self.annotate(
            days_given=days_sum(logs, "assignment__mission__corporation"),
            skills_value=money_sum(logs.with_value(), "assignment__mission__corporation", "value"),
            smes_helped=SubqueryCount(
                logs.order_by().values("assignment__mission__dossier__pme").distinct()
            ),
            jobs_created=SubqueryCount(hires_helped_by(OuterRef(OuterRef("pk"))).values("pk")),
        )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Corporation(Versioned):
    """A large corporation taking part in a basin's programme: one of its local sites.

    The same group may be present in two basins: each is its own row, with its own rate
    history, experts and coordinators.
    """

    group_name = models.CharField("groupe", max_length=150)
    site_name = models.CharField(
        "site local",
        max_length=200,
        blank=True,
        help_text="Par exemple : Toyota Motor Manufacturing France, Onnaing.",
    )
    siret = models.CharField(
        "SIRET du site",
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text="14 chiffres : le SIREN du groupe suivi du numéro de l'établissement local.",
    )
    sector = models.CharField("secteur d'activité", max_length=150)
    headcount = models.PositiveIntegerField(
        "effectif du groupe",
        validators=[MinValueValidator(1, "L'effectif du groupe compte au moins une personne.")],
    )
    basin = link(Basin, "bassin", "corporations")
    funder = optional_link(
        Funder,
        "financeur correspondant",
        "corporation",
        limit_choices_to={"kind": Funder.Kind.CORPORATION},
        help_text="Le financeur « grande entreprise » qui porte ses contributions au programme.",
        one_to_one=True,
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="coordinated_corporations",
        verbose_name="coordinateurs",
        help_text="Ils voient les missions de l'entreprise et y saisissent les jours donnés.",
    )
    committee_representatives = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="represented_corporations",
        verbose_name="représentants au comité d'agrément",
    )
    created_at, updated_at = timestamps("créée le", "modifiée le")

    objects = CorporationQuerySet.as_manager()

    class Meta:
        verbose_name = "grande entreprise"
        verbose_name_plural = "grandes entreprises"
        ordering = ["group_name", "site_name"]
        constraints = [
            unique(
                ["basin", "group_name", "site_name"],
                "corporation_site_unique_per_basin",
                "Ce site de ce groupe est déjà enregistré dans ce bassin.",
            ),
            unique(
                ["siret"],
                "corporation_siret_unique",
                "Une grande entreprise porte déjà ce SIRET.",
                condition=~Q(siret=""),
            ),
            check(
                Q(headcount__gte=1),
                "corporation_headcount_positive",
                "L'effectif du groupe compte au moins une personne.",
            ),
        ]

    def __str__(self):
        return f"{self.group_name} – {self.site_name}" if self.site_name else self.group_name

    def get_absolute_url(self):
        return reverse("grandes_entreprises:corporation_detail", args=[self.pk])

    @property
    def name(self) -> str:
        """How pages and lists name the corporation: the group, then its local site."""
        return str(self)

    def clean(self):
        if self.funder_id and self.basin_id:
            funder = self.funder
            errors = []
            if funder.kind != Funder.Kind.CORPORATION:
                errors.append(
                    "Le financeur correspondant doit être de nature « grande entreprise »."
                )
            if funder.basin_id != self.basin_id:
                errors.append("Le financeur correspondant appartient à un autre bassin.")
            if errors:
                raise ValidationError({"funder": errors})

    def rate_on(self, day: datetime.date) -> Decimal | None:
        """The daily rate in force on `day`, or None when none was set yet."""
        rate = self.daily_rates.filter(valid_from__lte=day).order_by("-valid_from").first()
        return rate.rate if rate else None


def rate_in_force(corporation_ref, day_ref) -> Subquery:
    """The rate of a corporation in force on a date, as a subquery usable in annotations.

    The model: a dated history, one row per change, each in force from its `valid_from`
    until the next row's. The rate of a corporation on a date is the row with the latest
    `valid_from` on or before it; before the first row there is no rate (None).
    """
    return Subquery(
        DailyRate.objects.filter(corporation=corporation_ref, valid_from__lte=day_ref)
        .order_by("-valid_from")
        .values("rate")[:1],
        output_field=models.DecimalField(**MONEY),
    )


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class DailyRate(models.Model):
    """The value of one expert day for a corporation, from a date on.

    A dated history (see `rate_in_force`): a new rate is a new row. A row dated in the
    past revalues the days logged from that date on, which is how a late agreement on the
    rate is recorded.
    """

    corporation = link(Corporation, "grande entreprise", "daily_rates", on_delete=models.CASCADE)
    rate = models.DecimalField(
        "valeur d'une journée d'expert (€)",
        **MONEY,
        validators=[MinValueValidator(Decimal("0.01"), "La valeur d'une journée est positive.")],
    )
    valid_from = models.DateField("en vigueur à partir du", validators=sane_years())
    comment = models.CharField("motif", max_length=200, blank=True)

    class Meta:
        verbose_name = "valeur de la journée d'expert"
        verbose_name_plural = "valeurs de la journée d'expert"
        ordering = ["corporation", "-valid_from"]
        constraints = [
            unique(
                ["corporation", "valid_from"],
                "daily_rate_one_per_corporation_and_date",
                "Cette entreprise a déjà une valeur en vigueur à cette date.",
            ),
            positive("rate", "daily_rate_positive", "La valeur d'une journée est positive."),
        ]

    def __str__(self):
        return f"{self.corporation} : {self.rate} € par jour à partir du {self.valid_from:%d/%m/%Y}"


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class CorporationContact(Contact):
    """A person to talk to at a corporation. Personal data: shown to operator staff only."""

    corporation = link(Corporation, "grande entreprise", "contacts", on_delete=models.CASCADE)

    class Meta(Contact.Meta):
        ordering = ["corporation", "name"]


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
class Expert(models.Model):
    """An employee a corporation lends to SMEs, with the domains they can help in.

    The domains are the SMEs' needs (`pme.models.Need`): an expert matches a need.
    """

    corporation = link(Corporation, "grande entreprise", "experts")
    name = models.CharField("nom et prénom", max_length=150)
    job_title = models.CharField("fonction", max_length=150)
    domains = ArrayField(
        models.CharField(max_length=15, choices=Need.choices),
        verbose_name="domaines d'expertise",
        default=list,
        error_messages={"blank": "Indiquez au moins un domaine d'expertise."},
    )
    email = models.EmailField("adresse électronique", blank=True)
    is_active = models.BooleanField(
        "disponible", default=True, help_text="Un expert parti n'est plus proposé aux missions."
    )

    class Meta:
        verbose_name = "expert"
        verbose_name_plural = "experts"
        ordering = ["corporation", "name"]
        constraints = [
            check(
                Q(domains__len__gte=1),
                "expert_domains_not_empty",
                "Indiquez au moins un domaine d'expertise.",
            ),
            check(
                Q(domains__contained_by=Need.values),
                "expert_domains_known",
                "Domaine d'expertise inconnu.",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.job_title})"

    def get_absolute_url(self):
        return reverse("grandes_entreprises:corporation_detail", args=[self.corporation_id])

    def clean(self):
        if isinstance(self.domains, list):
            self.domains = in_choice_order(self.domains, Need)

    @property
    def domains_labels(self) -> list[str]:
        return choice_labels(self.domains, Need)


@pghistory.track(pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())
@sane_years_checked
class Membership(models.Model):
    """A corporation's participation in a programme period: when it joined, and left."""

    corporation = link(Corporation, "grande entreprise", "memberships", on_delete=models.CASCADE)
    period = link(ProgrammePeriod, "période", "corporation_memberships")
    joined_on = models.DateField("entrée dans le programme", validators=sane_years())
    left_on = models.DateField(
        "sortie du programme",
        null=True,
        blank=True,
        validators=sane_years(),
    )

    class Meta:
        verbose_name = "participation au programme"
        verbose_name_plural = "participations au programme"
        ordering = ["period__start_date", "corporation__group_name"]
        constraints = [
            unique(
                ["corporation", "period"],
                "membership_one_per_corporation_and_period",
                "Cette entreprise participe déjà à cette période.",
            ),
            check(
                Q(left_on__isnull=True) | Q(left_on__gte=F("joined_on")),
                "membership_leaves_after_joining",
                "La sortie ne peut précéder l'entrée dans le programme.",
            ),
        ]

    def __str__(self):
        return f"{self.corporation} – {self.period}"

    def clean(self):
        if not (self.corporation_id and self.period_id):
            return
        period = self.period
        errors = {}
        if period.basin_id != self.corporation.basin_id:
            errors["period"] = "Cette période appartient à un autre bassin que l'entreprise."
        if self.joined_on and not (period.start_date <= self.joined_on <= period.end_date):
            errors["joined_on"] = (
                f"L'entrée se situe dans la période ({period.start_date:%d/%m/%Y} – "
                f"{period.end_date:%d/%m/%Y})."
            )
        if self.left_on and self.left_on > period.end_date:
            errors["left_on"] = (
                f"La sortie se situe au plus tard à la fin de la période "
                f"({period.end_date:%d/%m/%Y})."
            )
        if errors:
            raise ValidationError(errors)
