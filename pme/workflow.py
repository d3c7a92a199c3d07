"""The life of a dossier, written once as data.

Every allowed move is one `Transition` in `TRANSITIONS`: where it may start, where it
leads, what the button says and which roles may make it. The service
`pme.services.transition_dossier` is the only writer of a dossier's state and reads
nothing but this table.
"""

from dataclasses import dataclass

from django.db import models

from alize.models import OPERATOR_ROLES, Role


class DossierState(models.TextChoices):
    ORIENTED = "oriente", "Orienté"
    UNDER_INSTRUCTION = "en_instruction", "En instruction"
    SUBMITTED = "soumis_comite", "Soumis au comité"
    APPROVED = "agree", "Agréé"
    DEFERRED = "ajourne", "Ajourné"
    REJECTED = "refuse", "Refusé"
    UNDER_SUPPORT = "en_accompagnement", "En accompagnement"
    CLOSED = "clos", "Clôturé"
    WITHDRAWN = "retire", "Retiré"


S = DossierState

# A dossier in one of these states is finished: the SME may open a new one.
FINISHED_STATES = frozenset({S.CLOSED, S.WITHDRAWN, S.REJECTED})
OPEN_STATES = frozenset(S) - FINISHED_STATES
# The committee's decisions, and every state that comes after one: a decision date is set.
DECISION_STATES = frozenset({S.APPROVED, S.DEFERRED, S.REJECTED})
DECIDED_STATES = DECISION_STATES | {S.UNDER_SUPPORT, S.CLOSED}
# An approved dossier, supported or done: its planned jobs count, hires may be recorded.
SUPPORTED_STATES = frozenset({S.APPROVED, S.UNDER_SUPPORT, S.CLOSED})

STAFF_ROLES = frozenset(OPERATOR_ROLES)
# Until the committees capability records decisions from the votes, an operator manager
# records what the committee decided.
COMMITTEE_DECISION_ROLES = frozenset({Role.MANAGER})


@dataclass(frozen=True)
class Transition:
    name: str
    sources: frozenset[str]
    target: str
    label: str
    roles: frozenset[str]

    @property
    def is_committee_decision(self) -> bool:
        return self.target in DECISION_STATES


TRANSITIONS: tuple[Transition, ...] = (
    Transition(
        "start_instruction",
        frozenset({S.ORIENTED}),
        S.UNDER_INSTRUCTION,
        "Commencer l'instruction",
        STAFF_ROLES,
    ),
    Transition(
        "submit",
        frozenset({S.UNDER_INSTRUCTION}),
        S.SUBMITTED,
        "Soumettre au comité d'agrément",
        STAFF_ROLES,
    ),
    Transition(
        "approve",
        frozenset({S.SUBMITTED}),
        S.APPROVED,
        "Enregistrer l'agrément du comité",
        COMMITTEE_DECISION_ROLES,
    ),
    Transition(
        "defer",
        frozenset({S.SUBMITTED}),
        S.DEFERRED,
        "Enregistrer l'ajournement par le comité",
        COMMITTEE_DECISION_ROLES,
    ),
    Transition(
        "reject",
        frozenset({S.SUBMITTED}),
        S.REJECTED,
        "Enregistrer le refus du comité",
        COMMITTEE_DECISION_ROLES,
    ),
    Transition(
        "resume_instruction",
        frozenset({S.DEFERRED}),
        S.UNDER_INSTRUCTION,
        "Reprendre l'instruction",
        STAFF_ROLES,
    ),
    Transition(
        "start_support",
        frozenset({S.APPROVED}),
        S.UNDER_SUPPORT,
        "Démarrer l'accompagnement",
        STAFF_ROLES,
    ),
    Transition(
        "close",
        frozenset({S.UNDER_SUPPORT}),
        S.CLOSED,
        "Clôturer le dossier",
        STAFF_ROLES,
    ),
    Transition(
        "withdraw",
        OPEN_STATES,
        S.WITHDRAWN,
        "Retirer le dossier",
        STAFF_ROLES,
    ),
)

_BY_MOVE = {(source, t.target): t for t in TRANSITIONS for source in t.sources}
# One transition per (from, to) pair: the service looks a move up by its two ends.
assert len(_BY_MOVE) == sum(len(t.sources) for t in TRANSITIONS), "ambiguous transitions"

NEXT_ACTIONS = {
    S.ORIENTED: "Prendre contact avec l'entreprise et commencer l'instruction.",
    S.UNDER_INSTRUCTION: "Compléter le dossier et le soumettre au comité d'agrément.",
    S.SUBMITTED: "Présenter le dossier au comité d'agrément et enregistrer sa décision.",
    S.APPROVED: "Organiser les premières missions d'appui et démarrer l'accompagnement.",
    S.DEFERRED: "Reprendre l'instruction en tenant compte des remarques du comité.",
    S.REJECTED: "Aucune : le comité a refusé le dossier.",
    S.UNDER_SUPPORT: "Suivre les missions d'appui et les embauches, puis clôturer le dossier.",
    S.CLOSED: "Aucune : le dossier est clôturé.",
    S.WITHDRAWN: "Aucune : le dossier a été retiré.",
}
assert set(NEXT_ACTIONS) == set(S), "every state needs its next action"


def find_transition(source: str, target: str) -> Transition | None:
    return _BY_MOVE.get((source, target))


def transitions_from(state: str) -> list[Transition]:
    return [t for t in TRANSITIONS if state in t.sources]


def get_transition(name: str) -> Transition:
    for transition in TRANSITIONS:
        if transition.name == name:
            return transition
    raise KeyError(name)
