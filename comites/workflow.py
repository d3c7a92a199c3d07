"""The vocabulary of committees and the life of a session, written once as data.

A session moves draft → convened → open → closed → signed, and only through the services
in `comites.services`, which read the moves from `SESSION_TRANSITIONS`. An agenda item
moves pending → open → closed; once closed, nothing about its votes changes.
"""

from dataclasses import dataclass

from django.db import models

from pme.workflow import DossierState


class CommitteeKind(models.TextChoices):
    APPROVAL = "agrement", "Comité d'agrément"
    STEERING = "pilotage", "Comité de pilotage"


class MemberRole(models.TextChoices):
    CHAIR = "president", "Président(e)"
    MEMBER = "membre", "Membre"
    SECRETARY = "secretaire", "Secrétaire"


# The secretary keeps the session (attendance, votes recorded in the room, minutes) but
# does not vote and does not count towards the quorum.
VOTING_ROLES = frozenset({MemberRole.CHAIR, MemberRole.MEMBER})


class SessionStatus(models.TextChoices):
    DRAFT = "brouillon", "En préparation"
    CONVENED = "convoquee", "Convoquée"
    OPEN = "ouverte", "En cours"
    CLOSED = "close", "Close"
    SIGNED = "signee", "Procès-verbal signé"


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "Présent(e)"
    REMOTE = "distance", "À distance"
    REPRESENTED = "represente", "Représenté(e) par procuration"
    ABSENT = "absent", "Absent(e)"


# Who counts towards the quorum (décret 2006-672: present, remote or represented)…
COUNTED_STATUSES = frozenset(
    {AttendanceStatus.PRESENT, AttendanceStatus.REMOTE, AttendanceStatus.REPRESENTED}
)
# …and who takes part in person: only they vote, and only they may hold a proxy.
TAKING_PART_STATUSES = frozenset({AttendanceStatus.PRESENT, AttendanceStatus.REMOTE})


class ItemStatus(models.TextChoices):
    PENDING = "a_examiner", "À examiner"
    OPEN = "vote_ouvert", "Vote ouvert"
    CLOSED = "clos", "Vote clos"


class VoteChoice(models.TextChoices):
    FOR = "pour", "Pour"
    AGAINST = "contre", "Contre"
    ABSTAIN = "abstention", "Abstention"


class VoteCapacity(models.TextChoices):
    """In what capacity a vote was cast: it tells the minutes who pressed the button."""

    IN_PERSON = "en_personne", "En personne"
    PROXY = "procuration", "Par procuration"
    SECRETARY = "secretariat", "Enregistré par le secrétariat"


# The chair's casting vote is his own: it counts when he voted himself, or when the
# secretary recorded his vote in the room, never through a proxy.
CASTING_CAPACITIES = frozenset({VoteCapacity.IN_PERSON, VoteCapacity.SECRETARY})


class RecusalReason(models.TextChoices):
    PROPOSED_CORPORATION = (
        "entreprise_proposee",
        "Son entreprise est proposée pour accompagner la PME",
    )
    DECLARED_INTEREST = "interet_declare", "Intérêt déclaré"


class DecisionOutcome(models.TextChoices):
    APPROVED = "agree", "Agréé"
    DEFERRED = "ajourne", "Ajourné"
    REJECTED = "refuse", "Refusé"


# The dossier state each decision leads to, through `pme.services.transition_dossier`.
DOSSIER_STATE_FOR = {
    DecisionOutcome.APPROVED: DossierState.APPROVED,
    DecisionOutcome.DEFERRED: DossierState.DEFERRED,
    DecisionOutcome.REJECTED: DossierState.REJECTED,
}


@dataclass(frozen=True)
class SessionTransitionRule:
    name: str
    source: str
    target: str
    label: str


S = SessionStatus

SESSION_TRANSITIONS: tuple[SessionTransitionRule, ...] = (
    SessionTransitionRule("convene", S.DRAFT, S.CONVENED, "Convoquer les membres"),
    SessionTransitionRule("open", S.CONVENED, S.OPEN, "Ouvrir la séance"),
    SessionTransitionRule("close", S.OPEN, S.CLOSED, "Clore la séance"),
    SessionTransitionRule("sign", S.CLOSED, S.SIGNED, "Signer le procès-verbal"),
)

_BY_NAME = {rule.name: rule for rule in SESSION_TRANSITIONS}

# A session whose members may see it and its agenda: from the convocation on.
CONVENED_STATUSES = frozenset(S) - {S.DRAFT}
# While it sits, attendance may change; afterwards the minutes are being written.
SITTING_STATUSES = frozenset({S.CONVENED, S.OPEN})


def session_transition(name: str) -> SessionTransitionRule:
    return _BY_NAME[name]
