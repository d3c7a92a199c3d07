"""The data of the corporations' part of the demo (written by `demo.grandes_entreprises`): the
partner corporations and their experts and daily rates, the missions on the demo dossiers
with the days they gave and their results, and a fictitious revitalisation convention."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from demo.base import SNAPSHOT_DAY
from grandes_entreprises.models import MissionStatus, ResultKind
from pme.models import Need

D = datetime.date
M = Need
R = ResultKind
S = MissionStatus

FIRST_JOIN = D(2005, 7, 1)
RENEWAL_JOIN = D(2008, 7, 1)


# --- The data --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertSpec:
    name: str
    job_title: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class CorporationSpec:
    key: str
    group_name: str
    site_name: str
    sector: str
    headcount: int
    # The corporation funder of `demo.referential` it answers to (first-period partners only).
    funder: str | None
    rates: tuple[tuple[datetime.date, Decimal, str], ...]
    experts: tuple[ExpertSpec, ...]
    # First-period partners stay for the renewal; the five newcomers join it only.
    renewal_only: bool = False

    @property
    def joined(self) -> datetime.date:
        return RENEWAL_JOIN if self.renewal_only else FIRST_JOIN


def _rate(amount: str, since: datetime.date = FIRST_JOIN, why: str = "") -> tuple:
    return (since, Decimal(amount), why or "Valeur convenue avec l'entreprise.")


def _experts(*rows: tuple[str, str, tuple[str, ...]]) -> tuple[ExpertSpec, ...]:
    return tuple(ExpertSpec(f"{first} Démo", title, domains) for first, title, domains in rows)


# fmt: off
CORPORATIONS = (
    CorporationSpec(
        "toyota", "Toyota", "Toyota Motor Manufacturing France, Onnaing",
        "Construction automobile", 300_000, "Toyota Motor Manufacturing France",
        (_rate("650.00"),),
        _experts(("Hélène", "Responsable qualité fournisseurs", (M.QUALITY, M.PRODUCTION)),
                 ("Marc", "Ingénieur méthodes", (M.PRODUCTION,))),
    ),
    CorporationSpec(
        "saint-gobain", "Saint-Gobain", "Saint-Gobain, établissements du Valenciennois",
        "Matériaux de construction, verre", 190_000, "Saint-Gobain",
        (_rate("600.00"),),
        _experts(("Thierry", "Contrôleur de gestion", (M.FINANCE, M.MANAGEMENT)),
                 ("Aurélien", "Responsable export", (M.SALES,))),
    ),
    CorporationSpec(
        "alstom", "Alstom", "Alstom Transport, Petite-Forêt",
        "Construction ferroviaire", 60_000, "Alstom Transport",
        (_rate("600.00"), _rate("620.00", D(2008, 1, 1), "Revalorisation annuelle.")),
        _experts(("Jean", "Responsable qualité", (M.QUALITY,)),
                 ("Mathilde", "Auditrice qualité interne", (M.QUALITY,)),
                 ("Nadia", "Ingénieure de production", (M.PRODUCTION, M.QUALITY)),
                 ("Pierre", "Responsable de la performance industrielle",
                  (M.MANAGEMENT, M.PRODUCTION)),
                 ("Sylvie", "Responsable du recrutement", (M.HR,))),
    ),
    CorporationSpec(
        "vallourec", "Vallourec", "Vallourec & Mannesmann Tubes, Saint-Saulve",
        "Sidérurgie, tubes sans soudure", 19_000, "Vallourec",
        (_rate("580.00"),),
        _experts(("Claire", "Responsable maintenance", (M.PRODUCTION, M.SALES)),
                 ("Olivier", "Chargé de recrutement", (M.HR,))),
    ),
    CorporationSpec(
        "psa", "PSA Peugeot Citroën", "PSA Peugeot Citroën, Trith-Saint-Léger",
        "Construction automobile", 200_000, "PSA Peugeot Citroën",
        (_rate("650.00"),),
        _experts(("Isabelle", "Responsable qualité", (M.QUALITY,)),
                 ("Karim", "Acheteur", (M.SALES,))),
    ),
    CorporationSpec(
        "bombardier", "Bombardier", "Bombardier Transport France, Crespin",
        "Construction ferroviaire", 30_000, "Bombardier Transport",
        (_rate("600.00"),),
        _experts(("Laurent", "Chef d'atelier soudage", (M.PRODUCTION,)),
                 ("Émilie", "Responsable qualité", (M.QUALITY,))),
    ),
    CorporationSpec(
        "arcelormittal", "ArcelorMittal", "ArcelorMittal, établissements du Valenciennois",
        "Sidérurgie", 310_000, "ArcelorMittal",
        (_rate("550.00"),),
        _experts(("Bruno", "Ingénieur procédés", (M.PRODUCTION,)),
                 ("Valérie", "Responsable financière", (M.FINANCE, M.MANAGEMENT))),
    ),
    CorporationSpec(
        "edf", "EDF", "EDF, unité du Valenciennois", "Énergie", 160_000, "EDF",
        (_rate("550.00"),),
        _experts(("Patrick", "Chargé d'affaires", (M.MANAGEMENT, M.SALES)),),
    ),
    CorporationSpec(
        "veolia", "Veolia Environnement", "Veolia Propreté Nord",
        "Services à l'environnement", 300_000, "Veolia Environnement",
        (_rate("500.00"),),
        _experts(("Sandrine", "Responsable des ressources humaines", (M.HR,)),),
    ),
    CorporationSpec(
        "credit-agricole", "Crédit Agricole Nord de France",
        "Centre d'affaires de Valenciennes", "Banque", 3_400,
        "Crédit Agricole Nord de France",
        (_rate("500.00"),),
        _experts(("François", "Chargé d'affaires entreprises", (M.FINANCE,)),),
    ),
    CorporationSpec(
        "la-poste", "La Poste", "La Poste, direction du Valenciennois",
        "Services postaux et logistique", 290_000, "La Poste",
        (_rate("450.00"),),
        _experts(("Martine", "Responsable logistique", (M.MANAGEMENT, M.SALES)),),
    ),
    # The five that join for the renewal.
    CorporationSpec(
        "skf", "SKF", "SKF France, site du Valenciennois", "Roulements et mécanique",
        44_000, None, (_rate("600.00", RENEWAL_JOIN),),
        _experts(("Gilles", "Ingénieur fiabilité", (M.PRODUCTION, M.QUALITY)),),
        renewal_only=True,
    ),
    CorporationSpec(
        "leroy-merlin", "Leroy Merlin", "Leroy Merlin, Valenciennes",
        "Distribution de bricolage", 20_000, None, (_rate("450.00", RENEWAL_JOIN),),
        _experts(("Aurélie", "Responsable de rayon", (M.SALES,)),),
        renewal_only=True,
    ),
    CorporationSpec(
        "leclerc", "E. Leclerc", "E. Leclerc, magasins du Valenciennois",
        "Grande distribution", 90_000, None, (_rate("450.00", RENEWAL_JOIN),),
        _experts(("Julien", "Directeur de magasin", (M.SALES, M.MANAGEMENT)),),
        renewal_only=True,
    ),
    CorporationSpec(
        "soufflet", "Soufflet alimentaire", "Soufflet Alimentaire, Valenciennes",
        "Agroalimentaire", 5_000, None, (_rate("500.00", RENEWAL_JOIN),),
        _experts(("Christine", "Responsable qualité", (M.QUALITY, M.PRODUCTION)),),
        renewal_only=True,
    ),
    CorporationSpec(
        "sevelnord", "Sevelnord", "Sevelnord, Hordain", "Construction automobile",
        3_800, None, (_rate("600.00", RENEWAL_JOIN),),
        _experts(("Stéphane", "Responsable formation", (M.HR,)),),
        renewal_only=True,
    ),
)
# fmt: on


@dataclass(frozen=True)
class ResultSpec:
    kind: str
    title: str
    achieved_on: datetime.date
    description: str = ""


@dataclass(frozen=True)
class MissionSpec:
    """A mission on a demo dossier (by its company's serial). `given` days are logged over
    the mission's working days, up to its end or the demo's snapshot day."""

    serial: int
    corporation: str
    experts: tuple[str, ...]  # first names
    domain: str
    objective: str
    planned: Decimal
    given: Decimal
    start: datetime.date
    end: datetime.date
    status: str
    results: tuple[ResultSpec, ...] = ()
    outcome: str = ""
    satisfaction: int | None = None

    @property
    def expert_names(self) -> tuple[str, ...]:
        return tuple(f"{first} Démo" for first in self.experts)

    def log_plan(self) -> list[tuple[str, datetime.date, Decimal]]:
        """(expert, date, days) of each day given: spread evenly over the working days,
        the experts taking turns; half a day last when `given` ends in ,5."""
        if self.status == S.PLANNED or not self.given:
            return []
        last = min(self.end, SNAPSHOT_DAY)
        workdays = [
            self.start + datetime.timedelta(days=offset)
            for offset in range((last - self.start).days + 1)
            if (self.start + datetime.timedelta(days=offset)).weekday() < 5
        ]
        whole, half = divmod(self.given, 1)
        amounts = [Decimal("1")] * int(whole) + ([Decimal("0.5")] if half else [])
        step = len(workdays) / len(amounts)
        names = self.expert_names
        return [
            (names[rank % len(names)], workdays[int(rank * step)], amount)
            for rank, amount in enumerate(amounts)
        ]


STATUS_PATH = [S.PLANNED, S.RUNNING, S.DONE]


def _missions(path: Path) -> tuple[MissionSpec, ...]:
    """The missions of a data file (see its header), as specs."""
    with path.open("rb") as stream:
        rows = tomllib.load(stream)["missions"]
    return tuple(
        MissionSpec(
            row["serial"],
            row["corporation"],
            tuple(row["experts"]),
            M(row["domain"]),
            row["objective"],
            Decimal(row["planned"]),
            Decimal(row["given"]),
            row["start"],
            row["end"],
            S(row.get("status", S.DONE)),
            tuple(
                ResultSpec(
                    R(result["kind"]),
                    result["title"],
                    result["achieved_on"],
                    result.get("description", ""),
                )
                for result in row.get("results", ())
            ),
            row.get("outcome", ""),
            row.get("satisfaction"),
        )
        for row in rows
    )


MISSIONS = _missions(Path(__file__).parent / "data" / "missions.toml")

# A fictitious convention: a group of the area that eliminated 120 jobs and reclassified
# 20 employees within the group, at twice the monthly SMIC in force when it signed.
CONVENTION = {
    "corporation": "arcelormittal",
    "reference": "DEMO-REV-2007-01",
    "signature_date": D(2007, 3, 1),
    "ends_on": D(2009, 2, 28),
    "jobs_eliminated": 120,
    "employees_reclassified": 20,
    "multiple": Decimal("2"),
    "jobs_to_recreate": 100,
    "comment": (
        "Convention fictive de démonstration : suppression de 120 emplois dans le bassin, "
        "20 salariés reclassés dans le groupe ; contribution versée au programme Alizé."
    ),
}
CONVENTION_PAYMENT = {
    "paid_on": D(2007, 6, 29),
    "amount": Decimal("125428.00"),
    "comment": "Premier versement : la moitié du montant dû.",
}
