"""The data of the committees' part of the demo (written by `demo.comites`): members,
mandates, attendance, dissenting votes, decisions other than approvals and the steering
committee's session."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.text import slugify

from alize.models import Role
from comites.workflow import AttendanceStatus, DecisionOutcome, MemberRole, VoteChoice
from demo.pme_data import SESSIONS

D = datetime.date
A = AttendanceStatus
V = VoteChoice

# --- The data --------------------------------------------------------------------------

COMMITTEE_CONSTITUTED = D(2005, 10, 3)
CHAIR_CHANGE = D(2008, 7, 1)
SESSION_TIME = datetime.time(14, 30)
APPROVAL_PLACE = "CCI du Valenciennois, salle du conseil, Valenciennes"
STEERING_PLACE = "Sous-préfecture de Valenciennes, salon d'honneur"
# The one convocation sent late (3 days' notice instead of 5): the minutes flag it.
LATE_CONVOCATION_SESSION = 7
LATE_NOTICE_DAYS = 3
NOTICE_DAYS = 14


@dataclass(frozen=True)
class Person:
    """A member who is not one of the per-role demo accounts. `signs_in`: the approval
    committee's chair and members in office are demo accounts too (committee member role,
    the demo password), so that a visitor can sit as any of them; the others are persons
    on file, without a role or a password."""

    key: str
    first_name: str
    organisation: str
    signs_in: bool = False
    # What the list of demo accounts says of them (French).
    label: str = ""

    @property
    def email(self) -> str:
        return f"{slugify(self.first_name)}.{self.key}@alize.demo"


PERSONS = (
    Person("saint-gobain", "Bernard", "Saint-Gobain (démo)"),
    Person(
        "toyota",
        "Nathalie",
        "Toyota Motor Manufacturing France (démo)",
        signs_in=True,
        label="membre du comité d'agrément (Toyota)",
    ),
    Person(
        "alstom",
        "Philippe",
        "Alstom Transport (démo)",
        signs_in=True,
        label="membre du comité d'agrément (Alstom)",
    ),
    Person(
        "psa",
        "Gérard",
        "PSA Peugeot Citroën (démo)",
        signs_in=True,
        label="membre du comité d'agrément (PSA Peugeot Citroën)",
    ),
    Person(
        "vallourec-drh",
        "Agnès",
        "Vallourec, direction des ressources humaines (démo)",
        signs_in=True,
        label="présidente du comité d'agrément (Vallourec)",
    ),
    Person("valenciennes-metropole", "Hugues", "CA Valenciennes Métropole (démo)"),
    Person("diact", "Odile", "Diact (démo)"),
    Person("caisse-des-depots", "Raphaël", "Caisse des dépôts (démo)"),
    Person("fse", "Yves", "Fonds social européen, DRTEFP Nord-Pas-de-Calais (démo)"),
)


@dataclass(frozen=True)
class MandateSpec:
    """A mandate: `who` is a person key or a demo account's role; `corporation` a key of
    `demo.grandes_entreprises_data.CORPORATIONS`."""

    seat: str  # the member's key in the attendance and vote tables below
    who: str
    role: str
    organisation: str
    corporation: str = ""
    start: datetime.date = COMMITTEE_CONSTITUTED


APPROVAL_MANDATES = (
    MandateSpec("chair-sg", "saint-gobain", MemberRole.CHAIR, "Saint-Gobain", "saint-gobain"),
    MandateSpec("toyota", "toyota", MemberRole.MEMBER, "Toyota", "toyota"),
    MandateSpec("alstom", "alstom", MemberRole.MEMBER, "Alstom", "alstom"),
    MandateSpec("psa", "psa", MemberRole.MEMBER, "PSA Peugeot Citroën", "psa"),
    MandateSpec("vallourec", Role.COMMITTEE_MEMBER, MemberRole.MEMBER, "Vallourec", "vallourec"),
    MandateSpec("secretary", Role.STAFF, MemberRole.SECRETARY, "CCI du Valenciennois"),
)
# From 1 July 2008 (`change_chair`, which ends Saint-Gobain's mandate the day before).
NEW_CHAIR = MandateSpec(
    "chair-vallourec",
    "vallourec-drh",
    MemberRole.CHAIR,
    "Vallourec, direction des ressources humaines",
    "vallourec",
    CHAIR_CHANGE,
)

STEERING_MANDATES = (
    MandateSpec("chair", Role.STEERING, MemberRole.CHAIR, "Sous-préfecture de Valenciennes"),
    MandateSpec(
        "metropole", "valenciennes-metropole", MemberRole.MEMBER, "CA Valenciennes Métropole"
    ),
    MandateSpec("porte-du-hainaut", Role.FUNDER, MemberRole.MEMBER, "CA de la Porte du Hainaut"),
    MandateSpec("diact", "diact", MemberRole.MEMBER, "Diact"),
    MandateSpec("cdc", "caisse-des-depots", MemberRole.MEMBER, "Caisse des dépôts"),
    MandateSpec("fse", "fse", MemberRole.MEMBER, "Fonds social européen"),
    MandateSpec("secretary", Role.MANAGER, MemberRole.SECRETARY, "CCI du Valenciennois"),
)

# Who is not simply present, session by session (index in SESSIONS): (status, proxy holder).
ATTENDANCE = {
    1: {"toyota": (A.REMOTE, None), "psa": (A.REPRESENTED, "alstom")},
    2: {"alstom": (A.ABSENT, None)},
    3: {"vallourec": (A.REPRESENTED, "toyota"), "psa": (A.REMOTE, None)},
    5: {"toyota": (A.ABSENT, None), "alstom": (A.REMOTE, None)},
    6: {"psa": (A.REPRESENTED, "chair-sg")},
    7: {"alstom": (A.REPRESENTED, "vallourec")},
    9: {"toyota": (A.REMOTE, None), "psa": (A.ABSENT, None)},
    11: {"alstom": (A.ABSENT, None), "psa": (A.REPRESENTED, "toyota")},
}
STEERING_ATTENDANCE = {"fse": (A.REPRESENTED, "diact"), "cdc": (A.REMOTE, None)}

# Votes other than "for" on approved dossiers, by company serial: {seat: choice}.
DISSENT = {
    18: {"psa": V.ABSTAIN},
    10: {"toyota": V.AGAINST},
    2: {"vallourec": V.ABSTAIN},
    20: {"alstom": V.AGAINST, "psa": V.ABSTAIN},
    26: {"toyota": V.ABSTAIN},
    22: {"chair-sg": V.ABSTAIN},
}


@dataclass(frozen=True)
class NotApproved:
    """A dossier the committee did not approve: the outcome, the corporations proposed, what
    is missing (deferral) or the reason (refusal), and the votes other than "against"."""

    outcome: str
    proposed: tuple[str, ...]
    text: str
    votes: dict


# By company serial: Négoce Agricole de la Scarpe, deferred (`demo.pme` records it), and
# Négoce de Matériaux du Hainaut, refused (left submitted by `demo.pme`: moved here).
NOT_APPROVED = {
    107: NotApproved(
        DecisionOutcome.DEFERRED,
        ("soufflet",),
        "Plan de financement consolidé du silo (accord de la banque et apport des associés).",
        {"psa": V.FOR, "vallourec": V.ABSTAIN},
    ),
    108: NotApproved(
        DecisionOutcome.REJECTED,
        ("leroy-merlin",),
        "Le rachat d'un concurrent ne crée pas d'emplois nets : le projet ne relève pas du "
        "dispositif Alizé.",
        {"vallourec": V.ABSTAIN},
    ),
}
REFUSED_SERIAL, REFUSED_AT = 108, SESSIONS[11]

STEERING_DAY = D(2008, 9, 25)
STEERING_NOTES = (
    "Bilan de la première période (juillet 2005 – juin 2008) : PME accompagnées, emplois "
    "prévus et embauches réalisées, avances remboursables.\n"
    "Renouvellement du programme pour trois ans avec cinq nouvelles grandes entreprises "
    "(SKF, Leroy Merlin, E. Leclerc, Soufflet alimentaire, Sevelnord).\n"
    "Soutien du département et de la région : démarches à engager."
)
# The sessions to come, each with a submitted dossier of the renewal and the corporations
# proposed (by company serial): one on the day the demo is loaded, convened two weeks
# before, that a visitor runs from attendance to the signed minutes; one four weeks later.
TODAY = {106: ("alstom",)}
TODAY_CONVENED_DAYS = 14
# How long before it sits the session of the day starts (it stays on the day of the load).
TODAY_STARTS_IN = datetime.timedelta(hours=1)
UPCOMING_WEEKS = 4
UPCOMING = {105: ("credit-agricole",)}
