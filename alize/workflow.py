"""One workflow engine for every object that moves through states.

A workflow is data: its states (a `TextChoices`), its transitions (where each may start,
where it leads, what its button says, who may make it) and the words its messages use.
Dossiers (`pme.workflow`), support missions (`grandes_entreprises.workflow`) and committee
sessions (`comites.workflow`) each declare one; nothing else knows their moves.

`apply_transition` is the one writer of a state: it locks the row, checks the move and
who makes it, stamps the state and its date, and writes one row of the object's
`TransitionLog`, which the database keeps append-only. Pages ask the workflow which moves
are open (`Workflow.available`); templates never compare states themselves.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import pghistory
from django.apps import apps
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models, transaction
from django.db.models import F, Q
from django.utils import timezone

from alize import triggers

# A permission: may this user make this move on this object now, and if not, why.
Permission = Callable[[object, models.Model, "Transition"], tuple[bool, str]]


@dataclass(frozen=True)
class Transition:
    """One allowed move: from any of `sources` to `target`.

    `actors` names who may make it (roles, or kinds of actors a workflow works out for a
    user and an object); the workflow's permission reads them. `danger` draws the button as
    a destructive action and `confirm` asks before it is sent. A single source state or
    actor may be written alone; both are kept as frozensets.
    """

    name: str
    sources: frozenset[str]
    target: str
    label: str
    actors: frozenset[str] = frozenset()
    danger: bool = False
    confirm: str = ""
    refusal: str = ""

    def __post_init__(self):
        for name in ("sources", "actors"):
            value = getattr(self, name)
            object.__setattr__(self, name, frozenset({value} if isinstance(value, str) else value))

    @property
    def lowered_label(self) -> str:
        return self.label[0].lower() + self.label[1:]


@dataclass(frozen=True)
class Nouns:
    """The French words a workflow's messages use for its object: « Ce dossier », « Un
    dossier », « Le dossier », « il »."""

    this: str
    one: str
    the: str
    pronoun: str


@dataclass(frozen=True, eq=False)
class Workflow:
    states: type[models.TextChoices]
    transitions: tuple[Transition, ...]
    nouns: Nouns
    log_model: str  # "app_label.ModelName" of the object's TransitionLog
    log_subject: str  # the log's foreign key to the object
    state_field: str = "state"
    changed_at_field: str = "state_changed_at"
    badges: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        moves = [(source, t.target) for t in self.transitions for source in t.sources]
        if len(set(moves)) != len(moves):
            raise ValueError("ambiguous transitions: one move per (from, to) pair")
        unknown = {t.target for t in self.transitions} - set(self.states.values)
        if unknown:
            raise ValueError(f"unknown target states: {sorted(unknown)}")
        if self.badges and set(self.badges) != set(self.states.values):
            raise ValueError("every state needs its badge")

    # --- Reading the table ----------------------------------------------------------------

    def get(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(name)

    def find(self, source: str, target: str) -> Transition | None:
        for transition in self.transitions:
            if source in transition.sources and transition.target == target:
                return transition
        return None

    def leaving(self, state: str) -> list[Transition]:
        """The moves that start from `state`, in the table's order."""
        return [t for t in self.transitions if state in t.sources]

    def state_of(self, obj) -> models.TextChoices:
        return self.states(getattr(obj, self.state_field))

    def available(self, user, obj, permission: Permission) -> list[Transition]:
        """The moves this user may make on this object now, in the table's order."""
        return [
            t for t in self.leaving(getattr(obj, self.state_field)) if permission(user, obj, t)[0]
        ]

    def badge(self, state) -> dict[str, str]:
        """What a state badge shows: its label and its Bootstrap classes."""
        if not state:
            return {"label": "", "css": ""}
        state = self.states(state)
        return {"label": state.label, "css": self.badges.get(state, "text-bg-light border")}

    # --- Refusals, in French ---------------------------------------------------------------

    def changed_meanwhile(self, current) -> str:
        return (
            f"{self.nouns.this} a changé d'état entre-temps : {self.nouns.pronoun} est "
            f"désormais « {current.label} ». Rechargez la page."
        )

    def refusal(self, current, target) -> str:
        if current == target:
            return f"{self.nouns.this} est déjà « {current.label} »."
        return (
            f"{self.nouns.one} « {current.label} » ne peut pas passer à l'état « {target.label} »."
        )

    def refusal_by_name(self, current, transition: Transition) -> str:
        return (
            f"{self.nouns.this} est « {current.label} » : impossible de "
            f"« {transition.label.lower()} »."
        )


def _resolve(workflow: Workflow, current, *, to: str | None, name: str | None) -> Transition:
    if name is not None:
        transition = workflow.get(name)
        if current not in transition.sources:
            raise ValidationError(workflow.refusal_by_name(current, transition))
        return transition
    target = workflow.states(to)
    transition = workflow.find(current, target) if current != target else None
    if transition is None:
        raise ValidationError(workflow.refusal(current, target))
    return transition


def apply_transition(
    workflow: Workflow,
    obj: models.Model,
    *,
    by,
    to: str | None = None,
    name: str | None = None,
    comment: str = "",
    expected: str | None = None,
    permission: Permission | None = None,
    check: Callable[[models.Model, Transition], None] | None = None,
    stamp: Callable[[models.Model, Transition], None] | None = None,
    locked: bool = False,
    at=None,
) -> models.Model:
    """Move `obj` along `workflow`, by its target state (`to`) or by the move's `name`.

    Locks the row (unless the calling service already holds it: `locked=True`), refuses a
    move when the object changed since the user saw it (`expected`), when the table has no
    such move, or when `permission` says no (`PermissionDenied`, with its reason); then
    runs the workflow owner's own `check(locked, transition)` and `stamp(locked,
    transition)` (dates a move sets), saves after `full_clean()` and writes one log row.
    Returns the locked object; the caller's `obj` tells the new state too.
    """
    with transaction.atomic(), pghistory.context(user=by.pk):
        model = type(obj)
        current_obj = obj if locked else model._default_manager.select_for_update().get(pk=obj.pk)
        current = workflow.state_of(current_obj)
        if expected is not None and current != expected:
            raise ValidationError(workflow.changed_meanwhile(current))
        transition = _resolve(workflow, current, to=to, name=name)
        if permission is not None:
            allowed, reason = permission(by, current_obj, transition)
            if not allowed:
                raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")
        if check is not None:
            check(current_obj, transition)
        now = at or timezone.now()
        setattr(current_obj, workflow.state_field, transition.target)
        setattr(current_obj, workflow.changed_at_field, now)
        if stamp is not None:
            stamp(current_obj, transition)
        current_obj.full_clean()
        current_obj.save()
        log = apps.get_model(workflow.log_model)(
            **{workflow.log_subject: current_obj},
            transition=transition.name,
            from_state=current,
            to_state=transition.target,
            by=by,
            at=now,
            comment=comment,
        )
        log.full_clean()
        log.save()
    if obj is not current_obj:
        for model_field in model._meta.concrete_fields:
            setattr(obj, model_field.attname, getattr(current_obj, model_field.attname))
    return current_obj


# --- The log ----------------------------------------------------------------------------------


def transition_log_meta(prefix: str) -> tuple[list, list]:
    """The constraint and trigger every transition log carries: a move leads to another
    state, and the log is append-only, down to the database."""
    constraints = [
        models.CheckConstraint(
            condition=~Q(from_state=F("to_state")),
            name=f"{prefix}_changes_state",
            violation_error_message="Un changement d'état mène à un autre état.",
        ),
    ]
    return constraints, [triggers.append_only(f"{prefix}_append_only")]


def state_fields(states: type[models.TextChoices]) -> tuple[models.CharField, models.CharField]:
    """The log's `from_state` and `to_state`, with the workflow's choices."""
    return (
        models.CharField("de l'état", max_length=30, choices=states.choices),
        models.CharField("vers l'état", max_length=30, choices=states.choices),
    )


class TransitionLog(models.Model):
    """One move of an object from one state to another: who, when, from, to, why.

    Each workflow's log adds its foreign key to the object and `from_state`/`to_state`
    with its choices (`state_fields`), and takes its constraint and append-only trigger
    from `transition_log_meta`. Only `apply_transition` writes it.
    """

    transition = models.CharField("transition", max_length=30)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name="par"
    )
    at = models.DateTimeField("le", default=timezone.now)
    comment = models.TextField(
        "commentaire",
        blank=True,
        validators=[MaxLengthValidator(2000, "Le commentaire tient en 2 000 caractères.")],
    )

    class Meta:
        abstract = True
        ordering = ["at", "pk"]

    def __str__(self):
        return (
            f"{self.get_from_state_display()} → {self.get_to_state_display()} "
            f"le {timezone.localtime(self.at):%d/%m/%Y %H:%M}"
        )


def timeline(logs: models.QuerySet) -> list[TransitionLog]:
    """A log's rows oldest first, with who made each move (one query)."""
    return list(logs.select_related("by").order_by("at", "pk"))
