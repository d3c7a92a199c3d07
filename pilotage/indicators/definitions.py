"""The written definitions of the programme's indicators, each once.

`DEFINITIONS` and `BREAKDOWNS` are shown in French on the dashboards, in the reports and in
the API docs; `format_value` writes a figure the French way for its unit.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from alize.formatting import EMPTY, euros, integer, percent

UNITS = ("count", "eur", "percent", "ratio", "days")


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
        "Embauches enregistrées sur les dossiers agréés dans la période, datées au plus tard "
        "du jour des chiffres.",
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
        "Sommes remboursées sur les échéances échues divisées par les échéances échues au "
        "jour des chiffres (en %) ; les remboursements anticipés ne le portent pas au-delà "
        "de 100 %.",
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


def format_value(value, unit: str) -> str:
    """A figure written the French way for its unit: 15 000 €, 12,9, 7, 87,3 %, 4,5 j."""
    if value is None:
        return EMPTY
    if unit == "count":
        return integer(value)
    if unit == "eur":
        return euros(value)
    amount = Decimal(value).quantize(Decimal("0.1"), ROUND_HALF_UP)
    if unit == "percent":
        return percent(amount)
    places = 0 if amount == amount.to_integral_value() else 1
    text = number_format(amount, places, use_l10n=True, force_grouping=True)
    return f"{text}\u00a0j" if unit == "days" else text
