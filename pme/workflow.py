"""The life of a dossier, written once as data: `DOSSIER_WORKFLOW`.

Each move says where it may start, where it leads, what its button says and who may make
it: the operator's staff and managers of the dossier's basin, or, for the committee's
decisions (approved, deferred, rejected), the approval committee alone, through its
recorded decision. `pme.services` moves dossiers through `alize.workflow.apply_transition`
and reads nothing but this table.
"""

from django.db import models

from alize.models import OPERATOR_ROLES
from alize.workflow import Nouns, Transition, Workflow


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
# Not a role: the approval committee, whose recorded decision (`comites.Decision`) is the
# only thing that approves, defers or rejects a dossier (`pme.services.decide_dossier`).
COMMITTEE = "comite_agrement"
COMMITTEE_ONLY = frozenset({COMMITTEE})


def is_committee_decision(transition: Transition) -> bool:
    return transition.target in DECISION_STATES


DOSSIER_WORKFLOW = Workflow(
    states=DossierState,
    nouns=Nouns(this="Ce dossier", one="Un dossier", the="Le dossier", pronoun="il"),
    log_model="pme.DossierTransition",
    log_subject="dossier",
    transitions=(
        Transition(
            "start_instruction",
            S.ORIENTED,
            S.UNDER_INSTRUCTION,
            "Commencer l'instruction",
            STAFF_ROLES,
        ),
        Transition(
            "submit",
            S.UNDER_INSTRUCTION,
            S.SUBMITTED,
            "Soumettre au comité d'agrément",
            STAFF_ROLES,
        ),
        Transition("approve", S.SUBMITTED, S.APPROVED, "Agréé", COMMITTEE_ONLY),
        Transition("defer", S.SUBMITTED, S.DEFERRED, "Ajourné", COMMITTEE_ONLY),
        Transition("reject", S.SUBMITTED, S.REJECTED, "Refusé", COMMITTEE_ONLY, danger=True),
        Transition(
            "resume_instruction",
            S.DEFERRED,
            S.UNDER_INSTRUCTION,
            "Reprendre l'instruction",
            STAFF_ROLES,
        ),
        Transition(
            "start_support",
            S.APPROVED,
            S.UNDER_SUPPORT,
            "Démarrer l'accompagnement",
            STAFF_ROLES,
        ),
        Transition("close", S.UNDER_SUPPORT, S.CLOSED, "Clôturer le dossier", STAFF_ROLES),
        Transition(
            "withdraw",
            OPEN_STATES,
            S.WITHDRAWN,
            "Retirer le dossier",
            STAFF_ROLES,
            danger=True,
            confirm="Retirer ce dossier ? Il ne pourra plus changer d'état.",
        ),
    ),
    # Bootstrap's text-bg-* classes pair each background with a text colour of enough contrast.
    badges={
        S.ORIENTED: "text-bg-light border",
        S.UNDER_INSTRUCTION: "text-bg-info",
        S.SUBMITTED: "text-bg-warning",
        S.APPROVED: "text-bg-success",
        S.DEFERRED: "text-bg-warning",
        S.REJECTED: "text-bg-danger",
        S.UNDER_SUPPORT: "text-bg-dark",
        S.CLOSED: "text-bg-secondary",
        S.WITHDRAWN: "text-bg-secondary",
    },
)

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
# Before the committee decides on an advance, the SME must have declared its de minimis
# aid (`avances.services.deminimis`): until then, that is the next thing to do.
DE_MINIMIS_STATES = frozenset({S.UNDER_INSTRUCTION, S.SUBMITTED, S.DEFERRED})
DE_MINIMIS_NEXT_ACTION = "Déclaration de minimis : à recueillir."
