"""The vocabulary of committees and the life of a session, written once as data.

A sitting moves draft → convened → open → closed → signed; a written consultation, held
outside any sitting, moves draft → open (launched: every vote opens) → closed → signed.
They move only through the services in `comites.services`, which apply the moves of their
kind's workflow (`SESSION_WORKFLOWS`, through `alize.workflow.apply_transition`). An
agenda item moves pending → open → closed; once closed, nothing about its votes changes.
"""

from django.db import models

from alize.workflow import Nouns, Transition, Workflow
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


class SessionKind(models.TextChoices):
    """A sitting gathers the members (in a room, remotely, by proxy); a written consultation
    has them vote in the application until a closing date, each for themselves."""

    SITTING = "seance", "Séance"
    WRITTEN = "consultation_ecrite", "Consultation écrite"


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


S = SessionStatus

# Who makes each move (`comites.permissions.can_move_session` reads them): whoever
# prepares the session convenes it, whoever keeps it opens and closes it, the chair signs.
PREPARES, KEEPS, SIGNS = "prepare", "keep", "sign"

_BADGES = {
    S.DRAFT: "text-bg-secondary",
    S.CONVENED: "text-bg-info",
    S.OPEN: "text-bg-success",
    S.CLOSED: "text-bg-warning",
    S.SIGNED: "text-bg-dark",
}


def _session_workflow(nouns: Nouns, transitions: tuple[Transition, ...]) -> Workflow:
    """The two kinds of session share their states, their log and their badges."""
    return Workflow(
        states=SessionStatus,
        nouns=nouns,
        log_model="comites.SessionTransition",
        log_subject="session",
        state_field="status",
        changed_at_field="status_changed_at",
        transitions=transitions,
        badges=_BADGES,
    )


SIGN = Transition("sign", S.CLOSED, S.SIGNED, "Signer le procès-verbal", SIGNS)

SESSION_WORKFLOW = _session_workflow(
    Nouns(this="Cette séance", one="Une séance", the="La séance", pronoun="elle"),
    (
        Transition(
            "convene",
            S.DRAFT,
            S.CONVENED,
            "Convoquer les membres",
            PREPARES,
            confirm="Convoquer les membres ? L'ordre du jour ne pourra plus changer.",
        ),
        Transition("open", S.CONVENED, S.OPEN, "Ouvrir la séance", KEEPS),
        Transition(
            "close",
            S.OPEN,
            S.CLOSED,
            "Clore la séance",
            KEEPS,
            confirm="Clore la séance ? Les présences ne pourront plus changer.",
        ),
        SIGN,
    ),
)

# No convocation, no room: launching opens every vote at once, closing ends them all.
CONSULTATION_WORKFLOW = _session_workflow(
    Nouns(this="Cette consultation", one="Une consultation", the="La consultation", pronoun="elle"),
    (
        Transition(
            "launch",
            S.DRAFT,
            S.OPEN,
            "Lancer la consultation",
            PREPARES,
            confirm=(
                "Lancer la consultation écrite ? Les membres votent dès maintenant ; "
                "l'ordre du jour ne pourra plus changer."
            ),
        ),
        Transition(
            "close",
            S.OPEN,
            S.CLOSED,
            "Clore la consultation",
            KEEPS,
            confirm="Clore la consultation ? Plus aucun vote ne sera reçu.",
        ),
        SIGN,
    ),
)

SESSION_WORKFLOWS = {
    SessionKind.SITTING: SESSION_WORKFLOW,
    SessionKind.WRITTEN: CONSULTATION_WORKFLOW,
}

# A session whose members may see it and its agenda: from the convocation on.
CONVENED_STATUSES = frozenset(S) - {S.DRAFT}
# While it sits, attendance may change; afterwards the minutes are being written.
SITTING_STATUSES = frozenset({S.CONVENED, S.OPEN})

# Once closed, the minutes may be read and downloaded; they are written from the opening.
FINISHED_STATUSES = frozenset({S.CLOSED, S.SIGNED})
MINUTES_STATUSES = FINISHED_STATUSES | {S.OPEN}
