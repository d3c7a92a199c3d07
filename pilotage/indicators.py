"""The programme's indicators: each defined once, all computed in the database.

`DEFINITIONS` and `BREAKDOWNS` are the written definitions (French, shown on the dashboards,
in the reports and in the API docs); `compute` measures them for a `Scope` (a basin and a
programme period, narrowed to an intercommunality's territory or to a corporation's
missions for a funder) in a constant number of queries, whatever the number of rows.
"""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.formats import number_format

from alize.models import (
    OPERATOR_ROLES,
    Basin,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
)
from avances.models import Advance
from grandes_entreprises.models import Corporation, DayLog
from pme.models import Dossier, DossierKind, Hire, OrientationSource, SizeBand
from pme.naf import Sector
from pme.workflow import DECIDED_STATES, SUPPORTED_STATES, DossierState

UNITS = ("count", "eur", "percent", "ratio", "days")
ZERO = Decimal("0.00")
MONEY = models.DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class Definition:
    key: str  # stable, snake_case English
    label: str  # French label
    help: str  # French written definition
    unit: str  # "count" | "eur" | "percent" | "ratio" | "days"

    def __post_init__(self):
        assert self.unit in UNITS, self.unit


def _index(*definitions: Definition) -> dict[str, Definition]:
    return {definition.key: definition for definition in definitions}


SUPPORTED = (
    "les dossiers agréés par le comité (agréés, en accompagnement ou clôturés) dont la date "
    "de décision tombe dans la période"
)

DEFINITIONS: dict[str, Definition] = _index(
    # --- SMEs and dossiers
    Definition(
        "smes_supported",
        "PME accompagnées",
        f"Nombre de PME distinctes ayant au moins un dossier agréé dans la période : {SUPPORTED}.",
        "count",
    ),
    Definition(
        "smes_under_50_share",
        "Part des PME de moins de 50 salariés",
        "PME accompagnées dont l'effectif salarié est inférieur à 50, divisées par le nombre "
        "de PME accompagnées (en %).",
        "percent",
    ),
    Definition(
        "takeovers",
        "Reprises-transmissions",
        "PME accompagnées dont le dossier agréé porte sur une reprise-transmission.",
        "count",
    ),
    Definition(
        "dossiers_oriented",
        "Dossiers orientés",
        "Dossiers dont la date d'orientation (envoi de la PME à l'opérateur) tombe dans la "
        "période, quel que soit leur état actuel.",
        "count",
    ),
    Definition(
        "dossiers_decided",
        "Dossiers examinés par le comité",
        "Dossiers dont la décision du comité d'agrément (agrément, ajournement ou refus) "
        "date de la période.",
        "count",
    ),
    Definition(
        "approval_rate",
        "Taux d'agrément",
        "Dossiers agréés divisés par les dossiers examinés par le comité dans la période (en %).",
        "percent",
    ),
    Definition(
        "median_days_to_decision",
        "Délai médian de décision",
        "Médiane, sur les dossiers examinés dans la période, du nombre de jours entre "
        "l'orientation de la PME et la décision du comité.",
        "days",
    ),
    # --- Jobs
    Definition(
        "jobs_planned",
        "Emplois prévus",
        f"Somme des emplois prévus dans {SUPPORTED}.",
        "count",
    ),
    Definition(
        "hires",
        "Embauches réalisées",
        "Embauches enregistrées (à ce jour) sur les dossiers agréés dans la période.",
        "count",
    ),
    Definition(
        "jobs_per_sme",
        "Emplois prévus par PME",
        "Emplois prévus divisés par le nombre de PME accompagnées, arrondi au dixième.",
        "ratio",
    ),
    Definition(
        "realisation_rate",
        "Taux de réalisation des emplois",
        "Embauches réalisées divisées par les emplois prévus (en %).",
        "percent",
    ),
    # --- Targets of the period
    Definition(
        "jobs_target",
        "Objectif d'emplois de la période",
        "L'objectif d'emplois fixé par la convention de la période de programme.",
        "count",
    ),
    Definition(
        "jobs_target_progress",
        "Avancement de l'objectif d'emplois (prévus)",
        "Emplois prévus divisés par l'objectif d'emplois de la période (en %).",
        "percent",
    ),
    Definition(
        "hires_target_progress",
        "Avancement de l'objectif d'emplois (embauches)",
        "Embauches réalisées divisées par l'objectif d'emplois de la période (en %).",
        "percent",
    ),
    Definition(
        "smes_target",
        "Objectif de PME accompagnées",
        "L'objectif de PME accompagnées fixé par la convention de la période de programme.",
        "count",
    ),
    Definition(
        "smes_target_progress",
        "Avancement de l'objectif de PME",
        "PME accompagnées divisées par l'objectif de PME de la période (en %).",
        "percent",
    ),
    # --- Repayable advances
    Definition(
        "smes_with_advance_requested",
        "PME agréées avec une avance remboursable",
        "PME accompagnées dont le dossier agréé comporte une avance remboursable (montant "
        "d'avance du dossier supérieur à zéro), qu'elle soit ou non déjà inscrite au "
        "registre des avances.",
        "count",
    ),
    Definition(
        "advances_requested",
        "Avances prévues aux dossiers agréés",
        "Somme des montants d'avance des dossiers agréés dans la période.",
        "eur",
    ),
    Definition(
        "advances_granted_count",
        "Avances remboursables accordées",
        "Nombre d'avances remboursables inscrites au registre des avances dont la décision "
        "d'octroi date de la période.",
        "count",
    ),
    Definition(
        "advances_granted",
        "Montant des avances accordées",
        "Somme des montants accordés de ces avances.",
        "eur",
    ),
    Definition(
        "advances_disbursed_count",
        "Avances décaissées",
        "Nombre de ces avances dont au moins une partie a été versée à la PME.",
        "count",
    ),
    Definition(
        "advances_disbursed",
        "Montant décaissé",
        "Somme des montants versés aux PME sur ces avances.",
        "eur",
    ),
    Definition(
        "advances_repaid",
        "Montant remboursé",
        "Somme des remboursements reçus sur ces avances.",
        "eur",
    ),
    Definition(
        "advances_outstanding",
        "Encours",
        "Montant décaissé moins montant remboursé, hors avances passées en perte.",
        "eur",
    ),
    Definition(
        "advances_written_off_count",
        "Avances passées en perte",
        "Nombre de ces avances dont une mise en perte a été approuvée.",
        "count",
    ),
    Definition(
        "advances_written_off",
        "Montant passé en perte",
        "Capital passé en perte (mises en perte approuvées).",
        "eur",
    ),
    Definition(
        "repayment_rate",
        "Taux de remboursement",
        "Sommes remboursées sur les échéances échues divisées par les échéances échues à ce "
        "jour (en %) ; les remboursements anticipés ne le portent pas au-delà de 100 %.",
        "percent",
    ),
    Definition(
        "loss_rate",
        "Taux de perte",
        "Montant passé en perte divisé par le montant décaissé (en %).",
        "percent",
    ),
    Definition(
        "par30",
        "Portefeuille à risque à 30 jours",
        "Encours des avances en retard de plus de 30 jours divisé par l'encours total (en %).",
        "percent",
    ),
    Definition(
        "par90",
        "Portefeuille à risque à 90 jours",
        "Encours des avances en retard de plus de 90 jours divisé par l'encours total (en %).",
        "percent",
    ),
    Definition(
        "leverage",
        "Effet de levier",
        "Prêts bancaires obtenus par les PME en parallèle de leur avance, divisés par le "
        "montant des avances accordées (1 € d'avance a permis x € de prêts).",
        "ratio",
    ),
    # --- Corporations and their skills
    Definition(
        "partner_corporations",
        "Grandes entreprises partenaires",
        "Grandes entreprises membres du programme pendant la période (même sorties depuis).",
        "count",
    ),
    Definition(
        "skills_days",
        "Jours d'expertise donnés",
        "Jours saisis par les experts des grandes entreprises sur les missions d'appui, "
        "datés de la période.",
        "days",
    ),
    Definition(
        "skills_value",
        "Valorisation du mécénat de compétences",
        "Chaque journée saisie multipliée par le taux journalier de sa grande entreprise en "
        "vigueur à sa date, arrondie au centime, puis additionnée.",
        "eur",
    ),
    # --- Budget
    Definition(
        "budget_committed",
        "Budget engagé",
        "Somme des contributions engagées par les financeurs pour la période (toujours le "
        "budget de tout le programme du bassin).",
        "eur",
    ),
    Definition(
        "budget_paid",
        "Budget versé",
        "Somme des contributions déjà versées par les financeurs pour la période.",
        "eur",
    ),
    Definition(
        "corporations_budget_share",
        "Part des grandes entreprises dans le budget",
        "Contributions engagées des grandes entreprises divisées par le budget engagé (en %).",
        "percent",
    ),
    Definition(
        "local_authorities_budget_share",
        "Part des intercommunalités dans le budget",
        "Contributions engagées des collectivités territoriales divisées par le budget engagé "
        "(en %).",
        "percent",
    ),
    Definition(
        "cost_per_job",
        "Coût par emploi créé",
        "Budget engagé de la période divisé par les embauches réalisées ; défini pour tout le "
        "programme du bassin seulement, pas pour un territoire.",
        "eur",
    ),
)

BREAKDOWNS: dict[str, Definition] = _index(
    Definition(
        "smes_by_size_band",
        "PME accompagnées par tranche d'effectif",
        "PME accompagnées selon leur effectif salarié : moins de 10, 10 à 49, 50 à 249.",
        "count",
    ),
    Definition(
        "smes_by_sector",
        "PME accompagnées par secteur",
        "PME accompagnées selon le secteur déduit de leur code NAF (division).",
        "count",
    ),
    Definition(
        "smes_by_kind",
        "PME accompagnées par nature du projet",
        "PME accompagnées selon la nature du projet de leur dossier agréé.",
        "count",
    ),
    Definition(
        "smes_by_epci",
        "PME accompagnées par intercommunalité",
        "PME accompagnées selon l'intercommunalité de leur commune.",
        "count",
    ),
    Definition(
        "smes_by_source",
        "PME accompagnées par origine de l'orientation",
        "PME accompagnées selon qui les a orientées vers le dispositif.",
        "count",
    ),
    Definition(
        "dossiers_by_state",
        "Dossiers orientés dans la période, par état actuel",
        "Dossiers dont la date d'orientation tombe dans la période, selon leur état actuel.",
        "count",
    ),
    Definition(
        "skills_days_by_corporation",
        "Jours d'expertise par grande entreprise",
        "Jours saisis dans la période par les experts de chaque grande entreprise.",
        "days",
    ),
    Definition(
        "skills_value_by_corporation",
        "Valorisation des compétences par grande entreprise",
        "Valeur des jours saisis dans la période, au taux journalier de chaque entreprise.",
        "eur",
    ),
    Definition(
        "budget_by_funder",
        "Contributions engagées par financeur",
        "Montant engagé par chaque financeur pour la période.",
        "eur",
    ),
    Definition(
        "budget_by_kind",
        "Contributions engagées par nature de financeur",
        "Montant engagé pour la période par nature de financeur (grandes entreprises, "
        "collectivités, État, Caisse des dépôts, FSE…).",
        "eur",
    ),
    Definition(
        "budget_share_by_kind",
        "Part de chaque nature de financeur dans le budget",
        "Montant engagé par nature de financeur divisé par le budget engagé (en %).",
        "percent",
    ),
)


@dataclass(frozen=True)
class Scope:
    basin: Basin
    period: ProgrammePeriod
    epci: Epci | None = None  # an intercommunality funder: SMEs on its territory
    corporation: Corporation | None = None  # a corporation funder: its own missions

    @property
    def label(self) -> str:
        """How pages name the scope (French)."""
        parts = [f"{self.basin.name}, {self.period}"]
        if self.epci:
            parts.append(f"territoire de {self.epci.name}")
        if self.corporation:
            parts.append(f"missions de {self.corporation.name}")
        return " – ".join(parts)

    @property
    def programme(self) -> "Scope":
        """The whole programme of the basin and period, without the funder's narrowing."""
        return Scope(basin=self.basin, period=self.period)


@dataclass
class Figures:
    scope: Scope
    values: dict[str, Decimal | int | None]
    breakdowns: dict[str, list[tuple[str, Decimal | int]]]


# --- SQL helpers -------------------------------------------------------------------------


class Median(models.Aggregate):
    """PostgreSQL's continuous median (percentile_cont(0.5)), FILTER-able as any aggregate."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = models.FloatField()


class DaysBetween(models.Func):
    """`later - earlier` for two date columns: a number of days in PostgreSQL."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = models.IntegerField()


def _percent(part, whole) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def _ratio(part, whole, places: str = "0.01") -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part or 0) / Decimal(whole)).quantize(Decimal(places), ROUND_HALF_UP)


def _choices(choices, counts: dict) -> list[tuple[str, int]]:
    """Every choice in its declared order, zero when absent, then any unknown value."""
    rows = [(label, counts.pop(value, 0)) for value, label in choices]
    return rows + [(str(value), count) for value, count in counts.items()]


# --- Computing ---------------------------------------------------------------------------


def supported_dossiers(scope: Scope):
    """The approved dossiers of the scope decided in its period: what the scheme counts."""
    period = scope.period
    dossiers = (
        Dossier.objects.for_basin(scope.basin)
        .supported()
        .filter(decision_date__range=(period.start_date, period.end_date))
    )
    if scope.epci:
        dossiers = dossiers.filter(pme__commune__epci=scope.epci)
    return dossiers


def _grouped(queryset, field: str) -> dict:
    rows = (
        queryset.order_by()
        .values(field)
        .annotate(smes=Count("pme", distinct=True))
        .values_list(field, "smes")
    )
    return dict(rows)


def compute(scope: Scope, *, today: datetime.date | None = None) -> Figures:
    """Measure every indicator and breakdown for `scope`, in a constant number of queries."""
    today = today or timezone.localdate()
    period, basin = scope.period, scope.basin
    in_period = (period.start_date, period.end_date)
    values: dict[str, Decimal | int | None] = {}
    breakdowns: dict[str, list[tuple[str, Decimal | int]]] = {}

    # SMEs supported and their jobs.
    supported = supported_dossiers(scope)
    small = [SizeBand.UNDER_10.value, SizeBand.FROM_10_TO_49.value]
    totals = supported.aggregate(
        smes=Count("pme", distinct=True),
        small=Count("pme", distinct=True, filter=Q(pme__size_band__in=small)),
        takeovers=Count("pme", distinct=True, filter=Q(kind=DossierKind.TAKEOVER)),
        with_advance=Count("pme", distinct=True, filter=Q(advance_requested__gt=0)),
        advance_requested=Coalesce(Sum("advance_requested"), ZERO, output_field=MONEY),
        jobs=Coalesce(Sum("jobs_planned"), 0),
    )
    hires = Hire.objects.filter(dossier__in=supported).count()
    smes, jobs = totals["smes"], totals["jobs"]
    values["smes_supported"] = smes
    values["smes_under_50_share"] = _percent(totals["small"], smes)
    values["takeovers"] = totals["takeovers"]
    values["smes_with_advance_requested"] = totals["with_advance"]
    values["advances_requested"] = totals["advance_requested"]

    # The pipeline: dossiers oriented and decided in the period.
    dossiers = Dossier.objects.for_basin(basin)
    if scope.epci:
        dossiers = dossiers.filter(pme__commune__epci=scope.epci)
    decided = Q(decision_date__range=in_period, state__in=sorted(DECIDED_STATES))
    pipeline = dossiers.aggregate(
        oriented=Count("pk", filter=Q(orientation_date__range=in_period)),
        decided=Count("pk", filter=decided),
        approved=Count(
            "pk", filter=Q(decision_date__range=in_period, state__in=sorted(SUPPORTED_STATES))
        ),
        median=Median(DaysBetween(F("decision_date"), F("orientation_date")), filter=decided),
    )
    values["dossiers_oriented"] = pipeline["oriented"]
    values["dossiers_decided"] = pipeline["decided"]
    values["approval_rate"] = _percent(pipeline["approved"], pipeline["decided"])
    median = pipeline["median"]
    values["median_days_to_decision"] = (
        None if median is None else Decimal(str(median)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    )
    by_state = dict(
        dossiers.filter(orientation_date__range=in_period)
        .order_by()
        .values("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    breakdowns["dossiers_by_state"] = _choices(DossierState.choices, by_state)

    values["jobs_planned"] = jobs
    values["hires"] = hires
    values["jobs_per_sme"] = _ratio(jobs, smes, "0.1")
    values["realisation_rate"] = _percent(hires, jobs)
    values["jobs_target"] = period.target_jobs
    values["jobs_target_progress"] = _percent(jobs, period.target_jobs)
    values["hires_target_progress"] = _percent(hires, period.target_jobs)
    values["smes_target"] = period.target_smes
    values["smes_target_progress"] = _percent(smes, period.target_smes)

    breakdowns["smes_by_size_band"] = _choices(
        SizeBand.choices, _grouped(supported, "pme__size_band")
    )
    breakdowns["smes_by_sector"] = _choices(Sector.choices, _grouped(supported, "pme__sector"))
    breakdowns["smes_by_kind"] = _choices(DossierKind.choices, _grouped(supported, "kind"))
    by_epci = (
        supported.order_by()
        .values("pme__commune__epci__name")
        .annotate(smes=Count("pme", distinct=True))
        .order_by("-smes", "pme__commune__epci__name")
        .values_list("pme__commune__epci__name", "smes")
    )
    breakdowns["smes_by_epci"] = list(by_epci)
    breakdowns["smes_by_source"] = _choices(
        OrientationSource.choices, _grouped(supported, "orientation_source")
    )

    # Repayable advances decided in the period (the fund's own figures, in one query).
    advances = Advance.objects.filter(basin=basin, decision_date__range=in_period)
    if scope.epci:
        advances = advances.filter(dossier__pme__commune__epci=scope.epci)
    money = advances.indicators(today)
    for key in ("granted", "disbursed", "repaid", "outstanding", "written_off"):
        values[f"advances_{key}"] = money[key]
    for key in ("granted_count", "disbursed_count", "written_off_count"):
        values[f"advances_{key}"] = money[key]
    for key in ("repayment_rate", "loss_rate", "par30", "par90", "leverage"):
        values[key] = money[key]

    # Corporations and the skills they gave in the period.
    values["partner_corporations"] = (
        Corporation.objects.filter(basin=basin).members_of(period).distinct().count()
    )
    logs = DayLog.objects.filter(
        assignment__mission__corporation__basin=basin, date__range=in_period
    )
    if scope.corporation:
        logs = logs.filter(assignment__mission__corporation=scope.corporation)
    if scope.epci:
        logs = logs.filter(assignment__mission__dossier__pme__commune__epci=scope.epci)
    corporation = "assignment__mission__corporation"
    per_corporation = list(
        logs.with_value()
        .order_by()
        .values(f"{corporation}__group_name", f"{corporation}__site_name")
        .annotate(
            days_total=Sum("days"),
            value_total=Coalesce(Sum("value"), ZERO, output_field=MONEY),
        )
        .order_by("-days_total", f"{corporation}__group_name")
    )

    def corporation_name(row) -> str:
        site = row[f"{corporation}__site_name"]
        group = row[f"{corporation}__group_name"]
        return f"{group} ({site})" if site else group

    breakdowns["skills_days_by_corporation"] = [
        (corporation_name(row), row["days_total"]) for row in per_corporation
    ]
    breakdowns["skills_value_by_corporation"] = sorted(
        ((corporation_name(row), row["value_total"]) for row in per_corporation),
        key=lambda item: -item[1],
    )
    values["skills_days"] = sum((row["days_total"] for row in per_corporation), Decimal("0.0"))
    values["skills_value"] = sum((row["value_total"] for row in per_corporation), ZERO)

    # The budget: always the whole programme's.
    contributions = Contribution.objects.filter(period=period)
    by_funder = list(
        contributions.order_by()
        .values("funder__name")
        .annotate(committed_total=Sum("committed"))
        .order_by("-committed_total", "funder__name")
        .values_list("funder__name", "committed_total")
    )
    by_kind = dict(
        contributions.order_by()
        .values("funder__kind")
        .annotate(committed_total=Sum("committed"), paid_total=Sum("paid"))
        .values_list("funder__kind", "committed_total")
    )
    paid = contributions.aggregate(total=Coalesce(Sum("paid"), ZERO, output_field=MONEY))
    committed = sum(by_kind.values(), ZERO)
    breakdowns["budget_by_funder"] = by_funder
    kinds = [(label, by_kind.get(value, ZERO)) for value, label in Funder.Kind.choices]
    breakdowns["budget_by_kind"] = [(label, amount) for label, amount in kinds if amount]
    breakdowns["budget_share_by_kind"] = [
        (label, _percent(amount, committed)) for label, amount in kinds if amount
    ]
    values["budget_committed"] = committed
    values["budget_paid"] = paid["total"]
    values["corporations_budget_share"] = _percent(
        by_kind.get(Funder.Kind.CORPORATION.value), committed
    )
    values["local_authorities_budget_share"] = _percent(
        by_kind.get(Funder.Kind.LOCAL_AUTHORITY.value), committed
    )
    values["cost_per_job"] = None if scope.epci else _ratio(committed, hires)

    assert set(values) == set(DEFINITIONS), set(values) ^ set(DEFINITIONS)
    assert set(breakdowns) == set(BREAKDOWNS), set(breakdowns) ^ set(BREAKDOWNS)
    return Figures(scope=scope, values=values, breakdowns=breakdowns)


# --- Comparisons -----------------------------------------------------------------------

# The figures the dashboards compare with the other basins.
COMPARED = ("smes_supported", "jobs_planned", "hires", "jobs_per_sme", "realisation_rate")


def other_basins(scope: Scope) -> dict[str, Decimal | int | None]:
    """The `COMPARED` figures of all the other basins pooled ("7 jobs per SME elsewhere").

    Each other basin counts the dossiers it approved in its own periods that overlap the
    scope's period; two queries whatever the number of basins.
    """
    period = scope.period
    overlapping = ProgrammePeriod.objects.filter(
        basin=OuterRef("pme__commune__epci__basin"),
        start_date__lte=OuterRef("decision_date"),
        end_date__gte=OuterRef("decision_date"),
    ).filter(start_date__lte=period.end_date, end_date__gte=period.start_date)
    dossiers = (
        Dossier.objects.supported()
        .exclude(pme__commune__epci__basin=scope.basin)
        .filter(Exists(overlapping))
    )
    totals = dossiers.aggregate(
        smes=Count("pme", distinct=True), jobs=Coalesce(Sum("jobs_planned"), 0)
    )
    hires = Hire.objects.filter(dossier__in=dossiers).count()
    return {
        "smes_supported": totals["smes"],
        "jobs_planned": totals["jobs"],
        "hires": hires,
        "jobs_per_sme": _ratio(totals["jobs"], totals["smes"], "0.1"),
        "realisation_rate": _percent(hires, totals["jobs"]),
    }


def previous_period(period) -> ProgrammePeriod | None:
    """The period of the same basin that started last before this one, or None."""
    return (
        ProgrammePeriod.objects.filter(basin_id=period.basin_id, start_date__lt=period.start_date)
        .order_by("-start_date")
        .first()
    )


def default_period(basin: Basin, today: datetime.date | None = None) -> ProgrammePeriod | None:
    """The basin's period in force today; else the last one that started and supported an
    SME (a programme over, read for its results); else the last one that started; else the
    first."""
    today = today or timezone.localdate()
    periods = ProgrammePeriod.objects.filter(basin=basin)
    supported = (
        Dossier.objects.for_basin(basin)
        .supported()
        .filter(decision_date__gte=OuterRef("start_date"), decision_date__lte=OuterRef("end_date"))
    )
    started = periods.filter(start_date__lte=today).order_by("-start_date")
    return (
        periods.on(today).order_by("-start_date").first()
        or started.filter(Exists(supported)).first()
        or started.first()
        or periods.order_by("start_date").first()
    )


# --- Who reads what ----------------------------------------------------------------------


def scope_for(user, basin, period) -> Scope:
    """What this user may read of `basin` and `period`; Http404 if nothing.

    Administrators read every basin; operator staff and managers and the steering committee
    read their basins' whole programme; a funder reads the programme figures of its basin,
    narrowed for the SMEs to its intercommunality's territory (a local authority) or for
    the missions to its own (a corporation).
    """
    if not user.is_authenticated or basin is None or period is None:
        raise Http404("Aucun tableau de bord.")
    if period.basin_id != basin.pk:
        raise Http404("Cette période n'appartient pas à ce bassin.")
    if user.has_role(Role.ADMIN):
        return Scope(basin=basin, period=period)
    in_basin = user.basins.filter(pk=basin.pk).exists()
    if user.has_role(*OPERATOR_ROLES, Role.STEERING) and in_basin:
        return Scope(basin=basin, period=period)
    if user.has_role(Role.FUNDER):
        funder = user.funder
        if funder is not None and funder.basin_id == basin.pk:
            corporation = Corporation.objects.filter(funder=funder).first()
            return Scope(basin=basin, period=period, epci=funder.epci, corporation=corporation)
        if funder is None and in_basin:
            return Scope(basin=basin, period=period)
    raise Http404("Aucun tableau de bord.")


# --- Display -----------------------------------------------------------------------------


def format_value(value, unit: str) -> str:
    """A figure written the French way for its unit: 15 000 €, 12,9, 7, 87,3 %, 4,5 j."""
    if value is None:
        return "—"
    if unit == "count":
        return number_format(value, 0, use_l10n=True, force_grouping=True)
    if unit == "eur":
        amount = Decimal(value).quantize(Decimal("1"), ROUND_HALF_UP)
        return f"{number_format(amount, 0, use_l10n=True, force_grouping=True)}\u00a0€"
    if unit == "percent":
        amount = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
        return f"{number_format(amount, 1, use_l10n=True)}\u00a0%"
    amount = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
    places = 0 if amount == amount.to_integral_value() else 1
    text = number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0j" if unit == "days" else text
