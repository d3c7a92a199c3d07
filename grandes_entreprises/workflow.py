"""The life of a support mission, written once as data, and the working-day calendar.

`MISSION_WORKFLOW` declares every allowed move with `alize.workflow`: where it may start,
where it leads, what the button says and who may make it. The service
`grandes_entreprises.services.change_mission_status` moves a mission through
`alize.workflow.apply_transition`, the only writer of its status.

Who may act is not a role alone: a coordinator acts only on the missions of the
corporation they coordinate. So the rules name kinds of actors ("operator" of the
mission's basin, "coordinator" of the mission's corporation), which
`grandes_entreprises.permissions.actor_kinds` works out for a user and a mission.
"""

import datetime

from django.db import models

from alize.workflow import Nouns, Transition, Workflow


class MissionStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    RUNNING = "en_cours", "En cours"
    DONE = "terminee", "Terminée"
    CANCELLED = "annulee", "Annulée"


S = MissionStatus

OPERATOR = "operator"
COORDINATOR = "coordinator"
EITHER = frozenset({OPERATOR, COORDINATOR})

# Days are logged while a mission runs, and late on a finished one (time sheets come in
# after the fact); never on a mission that has not started or was cancelled.
LOGGABLE_STATUSES = frozenset({S.RUNNING, S.DONE})
# Results and the SME's satisfaction are recorded once the work has begun.
RESULT_STATUSES = frozenset({S.RUNNING, S.DONE})


MISSION_WORKFLOW = Workflow(
    states=MissionStatus,
    nouns=Nouns(this="Cette mission", one="Une mission", the="La mission", pronoun="elle"),
    log_model="grandes_entreprises.MissionTransition",
    log_subject="mission",
    state_field="status",
    changed_at_field="status_changed_at",
    transitions=(
        Transition("start", S.PLANNED, S.RUNNING, "Démarrer la mission", EITHER),
        Transition("finish", S.RUNNING, S.DONE, "Terminer la mission", EITHER),
        Transition(
            "cancel",
            frozenset({S.PLANNED, S.RUNNING}),
            S.CANCELLED,
            "Annuler la mission",
            OPERATOR,
            danger=True,
            confirm="Annuler cette mission ? Elle ne pourra plus recevoir de jours.",
        ),
        Transition("reopen", S.DONE, S.RUNNING, "Rouvrir la mission", OPERATOR),
    ),
    # Bootstrap's text-bg-* classes pair each background with a text colour of enough contrast.
    badges={
        S.PLANNED: "text-bg-light border",
        S.RUNNING: "text-bg-primary",
        S.DONE: "text-bg-success",
        S.CANCELLED: "text-bg-secondary",
    },
)

TRANSITIONS = MISSION_WORKFLOW.transitions
find_transition = MISSION_WORKFLOW.find
transitions_from = MISSION_WORKFLOW.leaving


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday to Friday between two dates, both included (public holidays are not known).

    Arithmetic, not a loop over the days: whole weeks give five each, then the remainder.
    """
    if end < start:
        return 0
    whole_weeks, remainder = divmod((end - start).days + 1, 7)
    first = start.weekday()
    return whole_weeks * 5 + sum(1 for offset in range(remainder) if (first + offset) % 7 < 5)
