"""The SMEs and dossiers of the demonstration data set, as data (written by `demo.pme`).

The Valenciennois of the source article: the 27 SMEs supported during the first period
(349 jobs planned, 78 hires made, 3 takeovers, 13 advances requested, the
precision-engineering firm Heuille among them), a few dossiers still in the pipeline of
the renewal period, and the comparison basin's SMEs at 7 jobs planned per SME.

Companies are fictitious (except Heuille, the article's own example) and so are their
SIRET numbers, computed with valid check digits; every person is visibly a demo one. The
committees', corporations' and advances' parts read these tables too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from stdnum import luhn

from alize.models import Commune
from demo.base import SNAPSHOT_DAY, workday
from pme.models import ContractKind, DossierKind, DossierState, LegalForm, Need, OrientationSource

# Short names for the data tables below.
S = DossierState
M = Need
Src = OrientationSource
ZERO = Decimal("0.00")

CONTACT_EMAIL_DOMAIN = "demo.alize.example"
# 03 53 01 xx xx is one of the blocks the French numbering plan (Arcep) reserves for
# fiction: no real subscriber can be called by mistake.
CONTACT_PHONE_PREFIX = "03 53 01"

# Orienting partners: the article's two kinds of networks, named after their territory.
PFIL_VALENCIENNOIS = "Plateforme d'initiative locale du Valenciennois"
PFIL_PORTE_DU_HAINAUT = "Plateforme d'initiative locale de la Porte du Hainaut"
BGE_HAINAUT = "Boutique de gestion du Hainaut"
BGE_SAMBRE = "Boutique de gestion de la Sambre"


def make_siret(serial: int) -> str:
    """A valid, fictitious SIRET per serial number: never random, so reruns find it again.

    The SIREN is eight scrambled digits and their Luhn key; the head office's NIC is 0001
    and its Luhn key makes the whole SIRET valid. The bodies start at 40 000 000, far from
    La Poste's SIREN (356 000 000), whose SIRETs follow another rule.
    """
    body = f"{40_000_000 + serial * 7_368_787 % 50_000_000:08d}"
    siren = body + luhn.calc_check_digit(body)
    head_office = f"{siren}0001"
    return head_office + luhn.calc_check_digit(head_office)


@dataclass(frozen=True)
class Company:
    serial: int
    name: str
    legal_form: str
    naf_code: str
    headcount: int
    founded: datetime.date
    commune: str  # INSEE code of a commune of the demo referential
    address: str
    contact_role: str = "Gérant(e)"

    @property
    def siret(self) -> str:
        return make_siret(self.serial)

    @property
    def contact_name(self) -> str:
        return f"Contact Démo {self.serial}"

    def values(self, communes: dict[str, Commune]) -> dict[str, Any]:
        return {
            "name": self.name,
            "siret": self.siret,
            "legal_form": self.legal_form,
            "naf_code": self.naf_code,
            "headcount": self.headcount,
            "founding_date": self.founded,
            "address": self.address,
            "commune": communes[self.commune],
        }

    def contact_values(self) -> dict[str, Any]:
        return {
            "name": self.contact_name,
            "role": self.contact_role,
            "email": f"contact.demo{self.serial}@{CONTACT_EMAIL_DOMAIN}",
            "phone": f"{CONTACT_PHONE_PREFIX} {self.serial // 100:02d} {self.serial % 100:02d}",
        }


Hires = tuple[tuple[str, str], ...]


def cdi(post: str, number: int = 1) -> Hires:
    return ((post, ContractKind.CDI),) * number


def cdd(post: str, number: int = 1) -> Hires:
    return ((post, ContractKind.CDD_6_MONTHS),) * number


@dataclass(frozen=True)
class DossierSpec:
    """One dossier and the dated steps of its life.

    Steps left empty are derived for a dossier decided by the committee: instruction
    starts two weeks after the orientation, the dossier goes to the committee three weeks
    before its session, support starts 18 days after an approval (a Monday: sessions sit
    on Thursdays). `stage` is where the dossier stops; hires are spread over its support.
    """

    company: Company
    summary: str
    needs: tuple[str, ...]
    jobs_planned: int
    oriented_on: datetime.date
    source: str
    partner: str = ""
    kind: str = DossierKind.DEVELOPMENT
    horizon_months: int = 36
    advance: Decimal = ZERO
    bank_loans: Decimal = ZERO
    stage: str = S.UNDER_SUPPORT
    instruction_on: datetime.date | None = None
    submitted_on: datetime.date | None = None
    decided_on: datetime.date | None = None
    decision_comment: str = ""
    closed_on: datetime.date | None = None
    closing_comment: str = "Accompagnement terminé : objectifs de l'appui atteints."
    hires: Hires = ()

    @property
    def path(self) -> list[str]:
        """The states the dossier goes through, from "oriented" to its stage."""
        if self.stage == S.DEFERRED:
            return [S.ORIENTED, S.UNDER_INSTRUCTION, S.SUBMITTED, S.DEFERRED]
        full = [S.ORIENTED, S.UNDER_INSTRUCTION, S.SUBMITTED, S.APPROVED, S.UNDER_SUPPORT, S.CLOSED]
        return full[: full.index(self.stage) + 1]

    def step_days(self) -> dict[str, datetime.date]:
        """The day each state of the path was reached."""
        path = self.path
        days = {S.ORIENTED: self.oriented_on}
        if S.UNDER_INSTRUCTION in path:
            days[S.UNDER_INSTRUCTION] = self.instruction_on or workday(
                self.oriented_on + datetime.timedelta(days=14)
            )
        if S.SUBMITTED in path:
            days[S.SUBMITTED] = self.submitted_on or self.decided_on - datetime.timedelta(days=21)
        for decision in (S.APPROVED, S.DEFERRED):
            if decision in path:
                days[decision] = self.decided_on
        if S.UNDER_SUPPORT in path:
            days[S.UNDER_SUPPORT] = self.decided_on + datetime.timedelta(days=18)
        if S.CLOSED in path:
            days[S.CLOSED] = self.closed_on
        return days

    def hire_days(self) -> list[datetime.date]:
        """Hire dates spread evenly from a month into the support to a week before its end."""
        if not self.hires:
            return []
        days = self.step_days()
        start = days.get(S.UNDER_SUPPORT, days.get(S.APPROVED)) + datetime.timedelta(days=30)
        end = (self.closed_on or SNAPSHOT_DAY) - datetime.timedelta(days=7)
        step = (end - start) / (len(self.hires) + 1)
        return [workday(start + step * (rank + 1)) for rank in range(len(self.hires))]

    def dossier_values(self, communes: dict[str, Commune], staff) -> dict[str, Any]:
        return {
            "project_summary": self.summary,
            "kind": self.kind,
            # In the order of the choices, as `Dossier.clean()` stores them.
            "needs": [need for need in Need.values if need in self.needs],
            "jobs_planned": self.jobs_planned,
            "jobs_horizon_months": self.horizon_months,
            "advance_requested": self.advance,
            "bank_loans": self.bank_loans,
            "orientation_source": self.source,
            "oriented_by_epci": (
                communes[self.company.commune].epci if self.source == Src.EPCI else None
            ),
            "orientation_partner": self.partner,
            "orientation_date": self.oriented_on,
            "staff_member": staff,
        }


# Committee sessions of the first period (chaired by Saint-Gobain), then of the renewal.
SESSIONS = [
    datetime.date(2005, 11, 17),
    datetime.date(2006, 2, 16),
    datetime.date(2006, 5, 18),
    datetime.date(2006, 9, 21),
    datetime.date(2006, 12, 14),
    datetime.date(2007, 3, 15),
    datetime.date(2007, 6, 21),
    datetime.date(2007, 10, 18),
    datetime.date(2007, 12, 13),
    datetime.date(2008, 3, 20),
    datetime.date(2008, 6, 19),
    datetime.date(2008, 9, 18),
]

D = datetime.date

# INSEE codes of the demo communes (`demo.referential` loads them from etalab).
VALENCIENNES, ANZIN, MARLY, SAINT_SAULVE = "59606", "59014", "59383", "59544"
SAINT_AMAND, DENAIN, RAISMES, WALLERS = "59526", "59172", "59491", "59632"
MORTAGNE, FLINES, CHATEAU_L_ABBAYE, THUN = "59418", "59238", "59144", "59594"
MAUBEUGE, HAUTMONT, JEUMONT, LOUVROIL = "59392", "59291", "59324", "59365"

# The tables below keep one company on two or three lines; the formatter would give every
# value a line of its own. Company fields, in order: serial (makes the SIRET), name, legal
# form, NAF code, headcount, founding date, commune, address[, the contact's role].
# Dossier fields, in order: company, project summary, needs, jobs planned, orientation
# date, orientation source[, partner], then by keyword.
# fmt: off
HEUILLE = Company(1, "Heuille", LegalForm.SARL, "25.62B", 32, D(1978, 4, 3), SAINT_AMAND,
                  "12 rue des Ateliers", "Dirigeant(e) de l'entreprise familiale")

# The 27 SMEs the first period supported, in the order of their committee sessions.
VALENCIENNES_DOSSIERS = (
    DossierSpec(
        Company(5, "Ferro-Équipements du Nord", LegalForm.SAS, "30.20Z", 67, D(1987, 9, 14),
                SAINT_SAULVE, "Zone d'activités de l'Aérodrome, 8 rue des Frères Wright",
                "Directeur(trice) général(e)"),
        "Sous-traitance de sous-ensembles de caisses ferroviaires : une deuxième ligne de "
        "soudage pour répondre aux commandes des constructeurs du bassin.",
        (M.PRODUCTION, M.QUALITY, M.HR), 40, D(2005, 7, 4), Src.CORPORATION,
        "Bombardier Transport", bank_loans=Decimal("400000.00"), decided_on=SESSIONS[0],
        hires=cdi("Soudeur(se) qualifié(e)", 4) + cdi("Monteur(se) câbleur(se)", 2)
        + cdd("Préparateur(trice) de commandes"),
    ),
    DossierSpec(
        Company(3, "Revêtements Techniques du Valenciennois", LegalForm.SAS, "25.61Z", 41,
                D(1992, 2, 10), ANZIN, "27 rue de l'Industrie"),
        "Nouvelle cabine de traitement de surface anticorrosion pour pièces automobiles et "
        "ferroviaires.",
        (M.PRODUCTION, M.SALES), 22, D(2005, 7, 11), Src.EPCI,
        bank_loans=Decimal("150000.00"), decided_on=SESSIONS[0], stage=S.CLOSED,
        closed_on=D(2008, 2, 28),
        hires=cdi("Opérateur(trice) de traitement de surface", 3) + cdi("Technico-commercial(e)")
        + cdd("Agent(e) de maintenance"),
    ),
    DossierSpec(
        Company(18, "Transports Frigorifiques du Hainaut", LegalForm.SARL, "49.41A", 38,
                D(1995, 6, 1), DENAIN, "5 avenue du Port fluvial"),
        "Ouverture d'une ligne régulière sous température dirigée vers la Belgique et "
        "certification de la chaîne du froid.",
        (M.MANAGEMENT, M.QUALITY), 25, D(2005, 7, 18), Src.CCI,
        bank_loans=Decimal("300000.00"), decided_on=SESSIONS[0], stage=S.CLOSED,
        closed_on=D(2007, 12, 20),
        hires=cdi("Conducteur(trice) routier(ère)", 3) + cdi("Exploitant(e) transport"),
    ),
    DossierSpec(
        Company(12, "Faisceaux et Câblages du Hainaut", LegalForm.SAS, "29.31Z", 54,
                D(1990, 11, 5), SAINT_SAULVE, "14 rue Marcel Dassault", "Président(e)"),
        "Industrialisation de faisceaux électriques pour un nouveau modèle assemblé dans "
        "le bassin.",
        (M.PRODUCTION, M.QUALITY), 34, D(2005, 9, 12), Src.CORPORATION,
        "Toyota Motor Manufacturing France", bank_loans=Decimal("250000.00"),
        decided_on=SESSIONS[1],
        hires=cdi("Câbleur(se)", 3) + cdi("Technicien(ne) méthodes") + cdd("Câbleur(se)"),
    ),
    DossierSpec(
        Company(10, "Levage et Manutention de la Scarpe", LegalForm.SARL, "28.22Z", 21,
                D(1983, 3, 21), MORTAGNE, "3 chemin du Halage"),
        "Conception d'une gamme de palonniers sur mesure et structuration du bureau "
        "d'études.",
        (M.MANAGEMENT, M.SALES), 12, D(2005, 9, 26), Src.EPCI,
        bank_loans=Decimal("90000.00"), decided_on=SESSIONS[1], stage=S.CLOSED,
        closed_on=D(2008, 3, 27),
        hires=cdi("Dessinateur(trice) projeteur(se)") + cdi("Chaudronnier(ère)", 2),
    ),
    DossierSpec(
        Company(16, "Bureau d'Études Rail Hainaut", LegalForm.SAS, "71.12B", 16,
                D(1999, 5, 17), VALENCIENNES, "40 boulevard Watteau"),
        "Études de conception et d'homologation pour les équipementiers ferroviaires.",
        (M.SALES, M.HR), 23, D(2005, 10, 3), Src.CORPORATION, "Alstom Transport",
        decided_on=SESSIONS[1], stage=S.CLOSED, closed_on=D(2008, 5, 29),
        hires=cdi("Ingénieur(e) d'études", 3) + cdi("Chargé(e) d'homologation", 2),
    ),
    DossierSpec(
        HEUILLE,
        "Entreprise familiale de mécanique de précision : améliorer la qualité de son "
        "management et moderniser ses outils de production, viser la certification "
        "ISO 9001 et les marchés à haute valeur ajoutée.",
        (M.MANAGEMENT, M.PRODUCTION, M.QUALITY), 10, D(2006, 1, 16), Src.EPCI,
        advance=Decimal("15000.00"), bank_loans=Decimal("180000.00"), decided_on=SESSIONS[2],
        decision_comment=(
            "Agréé par le comité d'agrément : appui d'Alstom Transport en qualité, "
            "production et management."
        ),
        stage=S.CLOSED, closed_on=D(2008, 6, 26),
        closing_comment=(
            "Certification ISO 9001 obtenue en mars 2007 avec l'appui d'Alstom Transport ; "
            "7 embauches en CDI."
        ),
        hires=cdi("Technicien(ne) qualité") + cdi("Tourneur(se) sur commande numérique", 2)
        + cdi("Fraiseur(se) sur commande numérique", 2) + cdi("Ajusteur(se)-monteur(se)")
        + cdi("Responsable méthodes"),
    ),
    DossierSpec(
        Company(2, "Métallerie Scaldis", LegalForm.SARL, "25.11Z", 18, D(1996, 10, 7), DENAIN,
                "9 rue des Forges"),
        "Extension de l'atelier de charpente métallique et passage à la découpe laser.",
        (M.PRODUCTION, M.FINANCE), 14, D(2006, 1, 23), Src.EPCI,
        advance=Decimal("12000.00"), bank_loans=Decimal("60000.00"), decided_on=SESSIONS[2],
        hires=cdi("Soudeur(se)", 2) + cdi("Opérateur(trice) laser") + cdd("Monteur(se)"),
    ),
    DossierSpec(
        Company(19, "Propreté Industrielle du Valenciennois", LegalForm.SAS, "81.22Z", 45,
                D(1993, 1, 18), ANZIN, "63 avenue Anatole France"),
        "Nettoyage industriel en milieu sensible : habilitations et nouvelle agence.",
        (M.HR, M.QUALITY), 28, D(2006, 2, 6), Src.PARTNER_NETWORK, PFIL_VALENCIENNOIS,
        decided_on=SESSIONS[2],
        hires=cdi("Agent(e) de propreté industrielle", 2) + cdd("Agent(e) de propreté", 2),
    ),
    DossierSpec(
        Company(4, "Décolletage Marlysien", LegalForm.SARL, "25.62A", 23, D(1975, 6, 30), MARLY,
                "21 rue de la Rhonelle"),
        "Robotisation du chargement des tours multibroches et conquête de clients "
        "automobiles.",
        (M.PRODUCTION, M.SALES), 14, D(2006, 5, 2), Src.EPCI,
        advance=Decimal("15000.00"), bank_loans=Decimal("80000.00"), decided_on=SESSIONS[3],
        hires=cdi("Décolleteur(se)", 2) + cdi("Régleur(se)") + cdi("Commercial(e)"),
    ),
    DossierSpec(
        Company(11, "Menuiserie Bois de la Scarpe", LegalForm.EURL, "16.23Z", 8, D(1968, 9, 2),
                FLINES, "2 rue du Moulin"),
        "Reprise de la menuiserie par son chef d'atelier au départ en retraite du fondateur.",
        (M.MANAGEMENT, M.FINANCE), 4, D(2006, 5, 15), Src.PARTNER_NETWORK, BGE_HAINAUT,
        kind=DossierKind.TAKEOVER, horizon_months=24, advance=Decimal("15000.00"),
        bank_loans=Decimal("120000.00"), decided_on=SESSIONS[3],
        hires=cdi("Menuisier(ère) poseur(se)"),
    ),
    DossierSpec(
        Company(6, "Plasturgie de la Rhonelle", LegalForm.SAS, "22.29A", 28, D(1989, 4, 24),
                MARLY, "6 rue Jean Jaurès"),
        "Nouvelle presse à injecter et démarche qualité pour l'habillage intérieur "
        "automobile.",
        (M.PRODUCTION, M.QUALITY), 18, D(2006, 5, 29), Src.CORPORATION, "PSA Peugeot Citroën",
        advance=Decimal("10000.00"), decided_on=SESSIONS[3],
        hires=cdi("Régleur(se) presse à injecter", 2) + cdi("Technicien(ne) qualité")
        + cdd("Opérateur(trice) de production"),
    ),
    DossierSpec(
        Company(14, "Imprimerie Scaldienne", LegalForm.SARL, "18.12Z", 11, D(1961, 2, 13),
                VALENCIENNES, "18 rue de Paris"),
        "Reprise de l'imprimerie par deux cadres de l'entreprise et passage à l'impression "
        "numérique.",
        (M.MANAGEMENT, M.SALES, M.FINANCE), 6, D(2006, 8, 28), Src.EPCI,
        kind=DossierKind.TAKEOVER, advance=Decimal("15000.00"),
        bank_loans=Decimal("150000.00"), decided_on=SESSIONS[4],
        hires=cdi("Conducteur(trice) offset") + cdi("Infographiste"),
    ),
    DossierSpec(
        Company(20, "Entrepôts de Raismes", LegalForm.SAS, "52.10B", 19, D(2001, 7, 9), RAISMES,
                "Zone d'activités du Bas-Champ, 4 rue des Entrepôts"),
        "Plateforme logistique de 8 000 m² pour les industriels de la Porte du Hainaut.",
        (M.MANAGEMENT, M.HR), 14, D(2006, 9, 4), Src.EPCI,
        bank_loans=Decimal("200000.00"), decided_on=SESSIONS[4],
        hires=cdi("Cariste") + cdi("Chef(fe) d'équipe logistique"),
    ),
    DossierSpec(
        Company(9, "Armoires Électriques du Denaisis", LegalForm.SARL, "27.12Z", 15,
                D(1997, 3, 3), DENAIN, "31 rue Villars"),
        "Armoires de commande pour la maintenance ferroviaire : qualification fournisseur.",
        (M.QUALITY, M.SALES), 11, D(2006, 9, 11), Src.PARTNER_NETWORK, PFIL_PORTE_DU_HAINAUT,
        advance=Decimal("15000.00"), bank_loans=Decimal("45000.00"), decided_on=SESSIONS[4],
        hires=cdi("Câbleur(se) d'armoires", 2) + cdi("Automaticien(ne)"),
    ),
    DossierSpec(
        Company(23, "Génie Climatique Amandinois", LegalForm.SARL, "43.22B", 17,
                D(1994, 9, 19), SAINT_AMAND, "7 rue d'Orchies"),
        "Développement de l'offre de pompes à chaleur et qualification des équipes.",
        (M.HR, M.SALES), 10, D(2006, 11, 6), Src.CCI,
        bank_loans=Decimal("40000.00"), decided_on=SESSIONS[5],
        hires=cdi("Technicien(ne) frigoriste", 2) + cdi("Plombier(ère) chauffagiste"),
    ),
    DossierSpec(
        Company(13, "Pains et Viennoiseries de l'Ostrevant", LegalForm.SAS, "10.71A", 14,
                D(1998, 11, 23), WALLERS, "15 rue d'Arenberg"),
        "Fournil industriel pour la restauration collective : hygiène et traçabilité.",
        (M.PRODUCTION, M.QUALITY), 9, D(2006, 11, 20), Src.SPONTANEOUS,
        decided_on=SESSIONS[5],
        hires=cdi("Boulanger(ère)", 2) + cdd("Conducteur(trice) de ligne"),
    ),
    DossierSpec(
        Company(7, "Verrerie d'Art de Raismes", LegalForm.SARL, "23.19Z", 12, D(1985, 5, 6),
                RAISMES, "1 place de la Verrerie"),
        "Verre technique façonné pour l'éclairage et la décoration : export et salons.",
        (M.SALES, M.MANAGEMENT), 6, D(2006, 12, 4), Src.EPCI,
        advance=Decimal("8000.00"), decided_on=SESSIONS[5],
        hires=cdi("Verrier(ère)") + cdi("Assistant(e) export"),
    ),
    DossierSpec(
        Company(26, "Comptoir Industriel du Hainaut", LegalForm.SAS, "46.69B", 13,
                D(1972, 1, 10), SAINT_SAULVE, "52 rue de la Chaussée Brunehaut"),
        "Reprise du négoce de fournitures industrielles par son directeur commercial.",
        (M.MANAGEMENT, M.FINANCE), 8, D(2007, 2, 12), Src.PARTNER_NETWORK, BGE_HAINAUT,
        kind=DossierKind.TAKEOVER, bank_loans=Decimal("250000.00"), decided_on=SESSIONS[6],
        hires=cdi("Technico-commercial(e) sédentaire") + cdi("Magasinier(ère)"),
    ),
    DossierSpec(
        Company(17, "Escaut Logiciels", LegalForm.SAS, "62.01Z", 7, D(2003, 4, 14), VALENCIENNES,
                "Parc des Rives créatives de l'Escaut, 2 rue des Tanneurs"),
        "Logiciel de gestion de maintenance pour les PME industrielles du bassin.",
        (M.SALES, M.FINANCE), 12, D(2007, 2, 26), Src.PARTNER_NETWORK, PFIL_VALENCIENNOIS,
        advance=Decimal("10000.00"), decided_on=SESSIONS[6],
        hires=cdi("Développeur(se)") + cdi("Chef(fe) de projet"),
    ),
    DossierSpec(
        Company(24, "Arenberg Électricité", LegalForm.EURL, "43.21A", 9, D(2000, 8, 21),
                WALLERS, "26 rue Jean Jaurès"),
        "Électricité industrielle et tertiaire : habilitations et recrutement d'apprentis.",
        (M.HR, M.FINANCE), 6, D(2007, 3, 5), Src.CCI,
        advance=Decimal("9000.00"), decided_on=SESSIONS[6],
        hires=cdi("Électricien(ne)"),
    ),
    DossierSpec(
        Company(8, "Hainaut Maintenance Industrielle", LegalForm.SARL, "33.12Z", 9,
                D(2002, 1, 7), WALLERS, "11 rue de la Fosse"),
        "Maintenance des lignes de production de sidérurgie et de tuberie.",
        (M.PRODUCTION, M.HR), 5, D(2007, 6, 4), Src.CORPORATION, "Vallourec",
        horizon_months=24, decided_on=SESSIONS[7],
        hires=cdi("Mécanicien(ne) de maintenance") + cdd("Électromécanicien(ne)"),
    ),
    DossierSpec(
        Company(22, "Le Relais de la Scarpe", LegalForm.SARL, "56.10A", 6, D(1991, 3, 25), THUN,
                "4 rue de l'Église"),
        "Restaurant de bord de Scarpe : création d'une activité traiteur pour les "
        "entreprises.",
        (M.SALES, M.FINANCE), 3, D(2007, 6, 18), Src.EPCI,
        horizon_months=24, advance=Decimal("12000.00"), bank_loans=Decimal("90000.00"),
        decided_on=SESSIONS[7],
        hires=cdi("Cuisinier(ère)"),
    ),
    DossierSpec(
        Company(15, "Thermolaquage de l'Abbaye", LegalForm.SARL, "25.61Z", 6, D(2004, 10, 4),
                CHATEAU_L_ABBAYE, "8 rue du Marais"),
        "Ligne de thermolaquage pour menuiseries aluminium et mobilier urbain.",
        (M.PRODUCTION, M.SALES), 4, D(2007, 9, 3), Src.EPCI,
        horizon_months=24, advance=Decimal("7500.00"), decided_on=SESSIONS[8],
    ),
    DossierSpec(
        Company(21, "Studio Graphique de Marly", LegalForm.EURL, "74.10Z", 4, D(2004, 2, 2),
                MARLY, "3 rue Henri Barbusse"),
        "Design de packaging pour l'agroalimentaire régional.",
        (M.SALES,), 3, D(2007, 11, 19), Src.SPONTANEOUS,
        horizon_months=24, advance=Decimal("5000.00"), decided_on=SESSIONS[9],
        hires=cdi("Graphiste"),
    ),
    DossierSpec(
        Company(25, "Maisons Bois de Flines", LegalForm.SARL, "41.20A", 5, D(2005, 3, 7), FLINES,
                "17 route de Saint-Amand"),
        "Maisons à ossature bois basse consommation : premier chantier témoin.",
        (M.PRODUCTION, M.SALES), 4, D(2008, 2, 11), Src.PARTNER_NETWORK, BGE_HAINAUT,
        horizon_months=24, decided_on=SESSIONS[10], stage=S.APPROVED,
    ),
    DossierSpec(
        Company(27, "Quincaillerie Moderne de Denain", LegalForm.SARL, "47.52A", 7,
                D(1979, 9, 10), DENAIN, "44 rue de Villars"),
        "Rayon professionnel et livraison sur chantier pour les artisans du Denaisis.",
        (M.SALES, M.MANAGEMENT), 4, D(2008, 2, 25), Src.CCI,
        horizon_months=24, decided_on=SESSIONS[10], stage=S.APPROVED,
        hires=cdi("Vendeur(se) conseil"),
    ),
)

# Dossiers of the renewal period still on their way to the committee (not in the 27).
PIPELINE_DOSSIERS = (
    DossierSpec(
        Company(101, "Tournage de Précision du Hainaut", LegalForm.SARL, "25.62B", 11,
                D(1999, 6, 14), SAINT_SAULVE, "3 rue Lavoisier"),
        "Pièces de rechange ferroviaires en petites séries.",
        (M.PRODUCTION, M.SALES), 5, D(2008, 9, 22), Src.EPCI, stage=S.ORIENTED,
    ),
    DossierSpec(
        Company(102, "Traiteur de la Rhonelle", LegalForm.SAS, "56.21Z", 8, D(2002, 5, 21),
                MARLY, "9 rue Pasteur"),
        "Cuisine centrale pour la restauration des entreprises.",
        (M.PRODUCTION, M.HR), 4, D(2008, 10, 6), Src.PARTNER_NETWORK, PFIL_VALENCIENNOIS,
        stage=S.ORIENTED,
    ),
    DossierSpec(
        Company(103, "Emboutissage du Denaisis", LegalForm.SAS, "25.50B", 26, D(1986, 11, 3),
                DENAIN, "Zone industrielle de Denain, 12 rue de l'Acier"),
        "Presse d'emboutissage de 800 tonnes pour les pièces de structure automobiles.",
        (M.PRODUCTION, M.QUALITY, M.FINANCE), 12, D(2008, 7, 10), Src.CORPORATION,
        "Sevelnord", advance=Decimal("15000.00"), bank_loans=Decimal("350000.00"),
        stage=S.UNDER_INSTRUCTION, instruction_on=D(2008, 7, 24),
    ),
    DossierSpec(
        Company(104, "Couverture Zinguerie de l'Abbaye", LegalForm.EURL, "43.91B", 6,
                D(2003, 9, 8), CHATEAU_L_ABBAYE, "5 rue de la Scarpe"),
        "Couverture et zinguerie : diversification vers la rénovation énergétique.",
        (M.SALES, M.HR), 3, D(2008, 8, 25), Src.EPCI, horizon_months=24,
        stage=S.UNDER_INSTRUCTION, instruction_on=D(2008, 9, 8),
    ),
    DossierSpec(
        Company(105, "Solutions Informatiques Amandinoises", LegalForm.SARL, "62.02A", 9,
                D(2004, 1, 12), SAINT_AMAND, "22 Grand'Place"),
        "Infogérance des PME du Valenciennois et ouverture d'un centre de services.",
        (M.SALES, M.MANAGEMENT), 6, D(2008, 7, 3), Src.CCI, advance=Decimal("10000.00"),
        stage=S.SUBMITTED, instruction_on=D(2008, 7, 17), submitted_on=D(2008, 9, 26),
    ),
    DossierSpec(
        Company(106, "Fonderie Fine d'Anzin", LegalForm.SAS, "24.54Z", 33, D(1958, 4, 1), ANZIN,
                "70 rue Jean Jaurès"),
        "Fonderie d'aluminium à modèles perdus pour l'aéronautique et le ferroviaire.",
        (M.PRODUCTION, M.QUALITY), 15, D(2008, 7, 7), Src.EPCI,
        advance=Decimal("15000.00"), bank_loans=Decimal("220000.00"), stage=S.SUBMITTED,
        instruction_on=D(2008, 7, 21), submitted_on=D(2008, 9, 29),
    ),
    DossierSpec(
        Company(107, "Négoce Agricole de la Scarpe", LegalForm.SARL, "46.21Z", 12,
                D(1982, 7, 19), MORTAGNE, "1 route de Condé"),
        "Silo de stockage et diversification vers l'alimentation animale.",
        (M.FINANCE, M.SALES), 4, D(2008, 7, 1), Src.PARTNER_NETWORK, BGE_HAINAUT,
        advance=Decimal("15000.00"), bank_loans=Decimal("180000.00"), stage=S.DEFERRED,
        instruction_on=D(2008, 7, 10), submitted_on=D(2008, 8, 28), decided_on=SESSIONS[11],
        decision_comment=(
            "Ajourné : le comité demande un plan de financement consolidé avant de se "
            "prononcer."
        ),
    ),
    # Submitted at the end of the first period; `demo.comites` records its refusal at the
    # committee of 18 September 2008. Not in the 27, nor in the renewal's pipeline.
    DossierSpec(
        Company(108, "Négoce de Matériaux du Hainaut", LegalForm.SARL, "46.73A", 14,
                D(1990, 3, 12), RAISMES, "8 rue de la Briqueterie"),
        "Rachat d'un dépôt de matériaux concurrent pour étendre la zone de chalandise.",
        (M.FINANCE, M.SALES), 3, D(2008, 5, 13), Src.SPONTANEOUS, advance=Decimal("15000.00"),
        bank_loans=Decimal("400000.00"), stage=S.SUBMITTED, instruction_on=D(2008, 5, 27),
        submitted_on=D(2008, 8, 28),
    ),
)



def _compared(serial, name, legal_form, naf_code, headcount, founded, commune, address,
              summary, needs, jobs, oriented_on, source, decided_on, closed_on=None,
              partner="") -> DossierSpec:
    """A comparison dossier: supported since its decision, or closed on `closed_on`."""
    return DossierSpec(
        Company(serial, name, legal_form, naf_code, headcount, founded, commune, address),
        summary, needs, jobs, oriented_on, source, partner, decided_on=decided_on,
        stage=S.CLOSED if closed_on else S.UNDER_SUPPORT, closed_on=closed_on,
    )


# The comparison basin's SMEs: its first period averaged 7 jobs planned per SME. Fields, in
# order: the company's (as above), summary, needs, jobs planned, orientation date and
# source, decision date[, closing date][, partner].
COMPARISON_DOSSIERS = tuple(_compared(*row) for row in (
    (201, "Tubes et Raccords de la Sambre", LegalForm.SAS, "24.20Z", 36, D(1981, 5, 4),
     MAUBEUGE, "10 quai de la Sambre", "Ligne de cintrage de tubes pour le bâtiment.",
     (M.PRODUCTION,), 8, D(2005, 9, 5), Src.EPCI, D(2005, 12, 8), D(2008, 1, 17)),
    (202, "Mécanique Générale Hautmontoise", LegalForm.SARL, "25.62B", 14, D(1976, 10, 11),
     HAUTMONT, "6 rue des Usines", "Centre d'usinage cinq axes.",
     (M.PRODUCTION, M.QUALITY), 6, D(2005, 10, 3), Src.CCI, D(2006, 1, 12), D(2008, 3, 6)),
    (203, "Machines Spéciales du Val de Sambre", LegalForm.SAS, "28.29B", 22, D(1991, 3, 18),
     JEUMONT, "31 rue de Maubeuge", "Machines spéciales pour l'agroalimentaire.",
     (M.SALES, M.MANAGEMENT), 10, D(2006, 1, 9), Src.EPCI, D(2006, 4, 13)),
    (204, "Automatismes de Louvroil", LegalForm.SARL, "33.20C", 8, D(2000, 6, 5),
     LOUVROIL, "4 avenue de la Gare", "Automatisation des lignes de conditionnement.",
     (M.SALES,), 5, D(2006, 2, 13), Src.SPONTANEOUS, D(2006, 6, 8)),
    (205, "Isolation Thermique Maubeugeoise", LegalForm.SARL, "43.29A", 11, D(1998, 9, 14),
     MAUBEUGE, "27 rue de la Croix", "Isolation des bâtiments industriels.",
     (M.HR, M.SALES), 7, D(2006, 6, 12), Src.PARTNER_NETWORK, D(2006, 10, 12),
     D(2008, 6, 5), BGE_SAMBRE),
    (206, "Transports Sambre Fret", LegalForm.SAS, "49.41A", 29, D(1988, 2, 1), HAUTMONT,
     "Zone d'activités du Champ de l'Abbaye, 2 rue du Fret",
     "Transport combiné rail-route vers le port d'Anvers.",
     (M.MANAGEMENT, M.FINANCE), 9, D(2006, 9, 18), Src.CCI, D(2007, 1, 18)),
    (207, "Garage de la Porte de Mons", LegalForm.SARL, "45.20A", 6, D(1993, 4, 19),
     MAUBEUGE, "58 avenue de Mons", "Atelier de réparation des véhicules utilitaires.",
     (M.FINANCE,), 4, D(2007, 1, 15), Src.EPCI, D(2007, 4, 12)),
    (208, "Études Techniques du Bassin de la Sambre", LegalForm.SAS, "71.12B", 9,
     D(2001, 11, 26), LOUVROIL, "12 rue Roger Salengro",
     "Ingénierie de maintenance pour les industriels du bassin.",
     (M.SALES, M.HR), 6, D(2007, 4, 16), Src.CCI, D(2007, 7, 12)),
    (209, "Faïencerie de la Sambre", LegalForm.SARL, "23.41Z", 17, D(1966, 8, 29),
     JEUMONT, "3 rue de la Faïencerie", "Relance d'une gamme de vaisselle décorée à la main.",
     (M.SALES, M.PRODUCTION), 8, D(2007, 9, 10), Src.EPCI, D(2007, 12, 6)),
    (210, "Salaisons de l'Avesnois", LegalForm.SAS, "10.13A", 24, D(1984, 1, 23),
     HAUTMONT, "19 rue Victor Hugo",
     "Atelier de tranchage et certification sanitaire pour la grande distribution.",
     (M.QUALITY, M.PRODUCTION), 7, D(2007, 12, 10), Src.SPONTANEOUS, D(2008, 3, 13)),
))
# fmt: on
