"""The life of a support mission, written once as data, and the working-day calendar.

Every allowed move is one `MissionTransition` rule in `TRANSITIONS`: where it may start,
where it leads, what the button says and who may make it. The service
`grandes_entreprises.services.change_mission_status` is the only writer of a mission's
status and reads nothing but this table.

Who may act is not a role alone: a coordinator acts only on the missions of the
corporation they coordinate. So the rules name kinds of actors ("operator" of the
mission's basin, "coordinator" of the mission's corporation), which
`grandes_entreprises.permissions.actor_kinds` works out for a user and a mission.
"""

import datetime
from dataclasses import dataclass

from django.db import models


class MissionStatus(models.TextChoices):
    PLANNED = "prevue", "Prévue"
    RUNNING = "en_cours", "En cours"
    DONE = "terminee", "Terminée"
    CANCELLED = "annulee", "Annulée"


S = MissionStatus

OPERATOR = "operator"
COORDINATOR = "coordinator"

# Days are logged while a mission runs, and late on a finished one (time sheets come in
# after the fact); never on a mission that has not started or was cancelled.
LOGGABLE_STATUSES = frozenset({S.RUNNING, S.DONE})
# Results and the SME's satisfaction are recorded once the work has begun.
RESULT_STATUSES = frozenset({S.RUNNING, S.DONE})


@dataclass(frozen=True)
class StatusRule:
    name: str
    sources: frozenset[str]
    target: str
    label: str
    actors: frozenset[str]


TRANSITIONS: tuple[StatusRule, ...] = (
    StatusRule(
        "start",
        frozenset({S.PLANNED}),
        S.RUNNING,
        "Démarrer la mission",
        frozenset({OPERATOR, COORDINATOR}),
    ),
    StatusRule(
        "finish",
        frozenset({S.RUNNING}),
        S.DONE,
        "Terminer la mission",
        frozenset({OPERATOR, COORDINATOR}),
    ),
    StatusRule(
        "cancel",
        frozenset({S.PLANNED, S.RUNNING}),
        S.CANCELLED,
        "Annuler la mission",
        frozenset({OPERATOR}),
    ),
    StatusRule(
        "reopen",
        frozenset({S.DONE}),
        S.RUNNING,
        "Rouvrir la mission",
        frozenset({OPERATOR}),
    ),
)

_BY_MOVE = {(source, rule.target): rule for rule in TRANSITIONS for source in rule.sources}
assert len(_BY_MOVE) == sum(len(rule.sources) for rule in TRANSITIONS), "ambiguous transitions"


def find_transition(source: str, target: str) -> StatusRule | None:
    return _BY_MOVE.get((source, target))


def transitions_from(status: str) -> list[StatusRule]:
    return [rule for rule in TRANSITIONS if status in rule.sources]


def working_days(start: datetime.date, end: datetime.date) -> int:
    """Monday to Friday between two dates, both included (public holidays are not known).

    Arithmetic, not a loop over the days: whole weeks give five each, then the remainder.
    """
    if end < start:
        return 0
    whole_weeks, remainder = divmod((end - start).days + 1, 7)
    first = start.weekday()
    return whole_weeks * 5 + sum(1 for offset in range(remainder) if (first + offset) % 7 < 5)
