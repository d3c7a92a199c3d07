"""The data of the corporations' part of the demo (written by `demo.grandes_entreprises`): the
partner corporations and their experts and daily rates, the missions on the demo dossiers
with the days they gave and their results, and a fictitious revitalisation convention."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

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


def _mission(
    serial,
    corporation,
    experts,
    domain,
    objective,
    planned,
    given,
    start,
    end,
    status=S.DONE,
    results=(),
    outcome="",
    satisfaction=None,
) -> MissionSpec:
    return MissionSpec(
        serial,
        corporation,
        tuple(experts),
        domain,
        objective,
        Decimal(planned),
        Decimal(given),
        start,
        end,
        status,
        tuple(results),
        outcome,
        satisfaction,
    )


STATUS_PATH = [S.PLANNED, S.RUNNING, S.DONE]
HEUILLE_SERIAL = 1
ISO_9001_DAY = D(2007, 3, 22)

# fmt: off
MISSIONS = (
    # Heuille, helped by Alstom in quality, production and management.
    _mission(HEUILLE_SERIAL, "alstom", ["Jean", "Mathilde"], M.QUALITY,
             "Préparer et obtenir la certification ISO 9001 : cartographie des processus, "
             "manuel qualité, audit à blanc.",
             "20", "18", D(2006, 6, 12), D(2007, 3, 30),
             results=[ResultSpec(R.CERTIFICATION, "ISO 9001", ISO_9001_DAY,
                                 "Certificat délivré au terme de l'audit de certification.")],
             outcome="Certification ISO 9001 obtenue en mars 2007 : la démarche qualité ouvre "
                     "à Heuille les marchés à haute valeur ajoutée.",
             satisfaction=5),
    _mission(HEUILLE_SERIAL, "alstom", ["Nadia"], M.PRODUCTION,
             "Moderniser l'atelier : implantation des machines à commande numérique et "
             "méthodes de production.",
             "10", "9.5", D(2006, 9, 4), D(2007, 6, 29),
             results=[ResultSpec(R.PROCESS_IMPROVED, "Réimplantation de l'atelier d'usinage",
                                 D(2007, 5, 14))],
             outcome="Atelier réimplanté, temps de changement de série divisés par deux.",
             satisfaction=4),
    _mission(HEUILLE_SERIAL, "alstom", ["Pierre"], M.MANAGEMENT,
             "Améliorer la qualité du management : tableaux de bord et conduite des équipes.",
             "6", "6", D(2007, 1, 8), D(2007, 12, 21),
             results=[ResultSpec(R.OTHER, "Tableaux de bord mensuels de l'atelier",
                                 D(2007, 10, 15))],
             satisfaction=5),
    _mission(16, "alstom", ["Sylvie"], M.HR,
             "Recruter et intégrer les ingénieurs d'études.",
             "6", "6", D(2006, 3, 13), D(2006, 12, 15),
             results=[ResultSpec(R.OTHER, "Parcours d'intégration des nouveaux ingénieurs",
                                 D(2006, 11, 30))],
             satisfaction=4),
    _mission(5, "alstom", ["Mathilde"], M.QUALITY,
             "Préparer l'audit de qualification des fournisseurs ferroviaires.",
             "6", "2", D(2008, 6, 2), D(2008, 12, 19), status=S.RUNNING),
    # The other partners.
    _mission(5, "bombardier", ["Laurent"], M.PRODUCTION,
             "Mettre en place la deuxième ligne de soudage : qualification des soudeurs et "
             "méthodes.",
             "15", "14", D(2006, 1, 9), D(2006, 9, 29),
             results=[ResultSpec(R.PROCESS_IMPROVED,
                                 "Qualification des procédés de soudage de la deuxième ligne",
                                 D(2006, 6, 30))],
             satisfaction=5),
    _mission(3, "psa", ["Isabelle"], M.QUALITY,
             "Qualifier la nouvelle cabine de traitement auprès des constructeurs automobiles.",
             "10", "10", D(2006, 1, 16), D(2006, 12, 15),
             results=[ResultSpec(R.NEW_MARKET,
                                 "Référencement comme fournisseur d'un constructeur automobile",
                                 D(2006, 11, 20))],
             satisfaction=4),
    _mission(18, "la-poste", ["Martine"], M.MANAGEMENT,
             "Organiser l'exploitation de la ligne régulière vers la Belgique.",
             "8", "8", D(2006, 1, 9), D(2006, 7, 28),
             results=[ResultSpec(R.NEW_MARKET,
                                 "Ligne régulière sous température dirigée vers la Belgique",
                                 D(2006, 6, 1))],
             satisfaction=4),
    _mission(12, "toyota", ["Hélène"], M.QUALITY,
             "Industrialiser les faisceaux du nouveau modèle : plan de surveillance et audit "
             "de processus.",
             "15", "15", D(2006, 3, 13), D(2006, 12, 22),
             results=[ResultSpec(R.PROCESS_IMPROVED,
                                 "Plan de surveillance qualité validé par le constructeur",
                                 D(2006, 11, 15))],
             satisfaction=5),
    _mission(12, "toyota", ["Marc"], M.PRODUCTION,
             "Équilibrer les postes de câblage de la nouvelle ligne.",
             "8", "7", D(2007, 2, 5), D(2007, 6, 29), satisfaction=4),
    _mission(10, "edf", ["Patrick"], M.MANAGEMENT,
             "Structurer le bureau d'études et la démarche commerciale.",
             "8", "8", D(2006, 3, 13), D(2006, 11, 24),
             results=[ResultSpec(R.OTHER,
                                 "Bureau d'études structuré pour la gamme de palonniers",
                                 D(2006, 10, 16))],
             satisfaction=4),
    _mission(2, "arcelormittal", ["Bruno"], M.PRODUCTION,
             "Passer à la découpe laser : choix de la machine et méthodes.",
             "10", "9", D(2006, 6, 12), D(2007, 2, 23),
             results=[ResultSpec(R.PROCESS_IMPROVED, "Découpe laser mise en production",
                                 D(2007, 1, 15))],
             satisfaction=4),
    _mission(19, "veolia", ["Sandrine"], M.HR,
             "Habiliter le personnel aux interventions en milieu sensible.",
             "6", "6", D(2006, 6, 19), D(2006, 12, 22),
             results=[ResultSpec(R.CERTIFICATION, "MASE", D(2006, 12, 8),
                                 "Manuel d'amélioration sécurité des entreprises.")],
             satisfaction=5),
    _mission(4, "psa", ["Karim"], M.SALES,
             "Conquérir des clients automobiles : référencement et offre.",
             "8", "8", D(2006, 10, 16), D(2007, 5, 25),
             results=[ResultSpec(R.NEW_MARKET, "Premières commandes d'un équipementier "
                                 "automobile", D(2007, 4, 16))],
             satisfaction=4),
    _mission(11, "credit-agricole", ["François"], M.FINANCE,
             "Monter le financement de la reprise et suivre la trésorerie.",
             "5", "5", D(2006, 10, 16), D(2007, 3, 30), satisfaction=5),
    _mission(6, "psa", ["Isabelle"], M.QUALITY,
             "Démarche qualité pour l'habillage intérieur automobile.",
             "10", "10", D(2007, 1, 8), D(2007, 6, 29),
             results=[ResultSpec(R.CERTIFICATION, "ISO/TS 16949", D(2007, 6, 15))],
             satisfaction=5),
    _mission(14, "saint-gobain", ["Thierry"], M.FINANCE,
             "Accompagner les repreneurs : organisation et pilotage financier.",
             "6", "6", D(2007, 1, 15), D(2007, 9, 28), satisfaction=4),
    _mission(20, "la-poste", ["Martine"], M.MANAGEMENT,
             "Organiser la plateforme logistique et ses flux.",
             "8", "8", D(2007, 1, 15), D(2007, 10, 26),
             results=[ResultSpec(R.OTHER, "Plateforme logistique de 8 000 m² en service",
                                 D(2007, 9, 3))],
             satisfaction=4),
    _mission(9, "bombardier", ["Émilie"], M.QUALITY,
             "Obtenir la qualification fournisseur pour la maintenance ferroviaire.",
             "12", "11", D(2007, 1, 15), D(2007, 11, 30),
             results=[ResultSpec(R.NEW_MARKET,
                                 "Qualification fournisseur pour la maintenance ferroviaire",
                                 D(2007, 10, 22))],
             satisfaction=5),
    _mission(23, "edf", ["Patrick"], M.SALES,
             "Développer l'offre de pompes à chaleur.",
             "6", "6", D(2007, 4, 16), D(2007, 12, 14),
             results=[ResultSpec(R.NEW_MARKET, "Offre de pompes à chaleur lancée",
                                 D(2007, 10, 1))],
             satisfaction=4),
    _mission(13, "toyota", ["Hélène"], M.QUALITY,
             "Hygiène et traçabilité du fournil industriel.",
             "6", "6", D(2007, 4, 16), D(2007, 11, 30),
             results=[ResultSpec(R.PROCESS_IMPROVED,
                                 "Plan de maîtrise sanitaire et traçabilité des lots",
                                 D(2007, 10, 15))],
             satisfaction=4),
    _mission(7, "saint-gobain", ["Aurélien"], M.SALES,
             "Préparer l'export et les salons professionnels.",
             "8", "7", D(2007, 4, 16), D(2008, 2, 29),
             results=[ResultSpec(R.NEW_MARKET, "Premier distributeur en Belgique",
                                 D(2008, 1, 21))],
             satisfaction=5),
    _mission(26, "credit-agricole", ["François"], M.FINANCE,
             "Financement de la reprise et tableau de bord de trésorerie.",
             "5", "5", D(2007, 7, 16), D(2008, 1, 25), satisfaction=4),
    _mission(17, "vallourec", ["Claire"], M.SALES,
             "Tester le logiciel de maintenance sur un site industriel et préparer sa "
             "commercialisation.",
             "8", "8", D(2007, 7, 16), D(2008, 3, 28),
             results=[ResultSpec(R.NEW_MARKET,
                                 "Premier client industriel du logiciel de maintenance",
                                 D(2008, 2, 18))],
             satisfaction=5),
    _mission(24, "vallourec", ["Olivier"], M.HR,
             "Recruter et former les apprentis électriciens.",
             "5", "4", D(2007, 7, 16), D(2008, 2, 29), satisfaction=4),
    _mission(8, "arcelormittal", ["Bruno"], M.PRODUCTION,
             "Bâtir le plan de maintenance préventive des lignes clientes.",
             "8", "8", D(2007, 11, 12), D(2008, 6, 27),
             results=[ResultSpec(R.PROCESS_IMPROVED, "Plan de maintenance préventive",
                                 D(2008, 5, 19))],
             satisfaction=4),
    _mission(22, "arcelormittal", ["Valérie"], M.FINANCE,
             "Plan de financement de l'activité traiteur.",
             "4", "4", D(2007, 11, 12), D(2008, 4, 25), satisfaction=4),
    _mission(15, "bombardier", ["Laurent"], M.PRODUCTION,
             "Mettre au point la ligne de thermolaquage.",
             "8", "6", D(2008, 1, 14), D(2008, 12, 19), status=S.RUNNING),
    _mission(21, "saint-gobain", ["Aurélien"], M.SALES,
             "Démarche commerciale auprès de l'agroalimentaire régional.",
             "5", "3", D(2008, 4, 14), D(2008, 12, 19), status=S.RUNNING),
    # Approved in June 2008: the missions of the renewal's newcomers are planned.
    _mission(25, "leroy-merlin", ["Aurélie"], M.SALES,
             "Lancer la commercialisation du premier chantier témoin.",
             "5", "0", D(2008, 10, 6), D(2009, 3, 27), status=S.PLANNED),
    _mission(27, "leclerc", ["Julien"], M.SALES,
             "Rayon professionnel : assortiment et livraison sur chantier.",
             "4", "0", D(2008, 10, 13), D(2009, 2, 27), status=S.PLANNED),
)
# fmt: on

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
