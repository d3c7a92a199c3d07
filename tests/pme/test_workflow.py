import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from alize.models import Role
from comites.models import Committee
from comites.workflow import DecisionOutcome
from pme.models import Dossier, DossierState, DossierTransition
from pme.permissions import COMMITTEE_DECIDES
from pme.services import transition_dossier
from pme.services.decisions import decide_dossier
from pme.workflow import (
    COMMITTEE_ONLY,
    DOSSIER_WORKFLOW,
    FINISHED_STATES,
    OPEN_STATES,
    is_committee_decision,
)
from tests.comites.factories import AgendaItemFactory, DecisionFactory, close
from tests.conftest import make_user
from tests.pme.factories import DECISION_DAY, DossierFactory

pytestmark = pytest.mark.django_db

S = DossierState
TRANSITIONS = DOSSIER_WORKFLOW.transitions
find_transition = DOSSIER_WORKFLOW.find
get_transition = DOSSIER_WORKFLOW.get
transitions_from = DOSSIER_WORKFLOW.leaving
OUTCOME_FOR = {
    S.APPROVED: DecisionOutcome.APPROVED,
    S.DEFERRED: DecisionOutcome.DEFERRED,
    S.REJECTED: DecisionOutcome.REJECTED,
}
TRAITS = {
    S.ORIENTED: {},
    S.UNDER_INSTRUCTION: {"under_instruction": True},
    S.SUBMITTED: {"submitted": True},
    S.APPROVED: {"approved": True},
    S.DEFERRED: {"deferred": True},
    S.REJECTED: {"rejected": True},
    S.UNDER_SUPPORT: {"under_support": True},
    S.CLOSED: {"closed": True},
    S.WITHDRAWN: {"withdrawn": True},
}

LEGAL_MOVES = [(source, t) for t in TRANSITIONS for source in sorted(t.sources)]
ILLEGAL_MOVES = [
    (source, target) for source in S for target in S if find_transition(source, target) is None
]


def dossier_in(state, basin, **kwargs) -> Dossier:
    return DossierFactory(pme__basin=basin, **TRAITS[state], **kwargs)


def committee_decides(dossier, target, by, day=None, comment=""):
    """The approval committee's recorded decision on a submitted dossier, applied to it."""
    committee = Committee.objects.filter(basin=dossier.pme.basin).first()
    where = {"session__committee": committee} if committee else {}
    item = close(
        AgendaItemFactory(dossier=dossier, session__committee__basin=dossier.pme.basin, **where)
    )
    traits = {S.APPROVED: {"approved": True}, S.DEFERRED: {"deferred": True}}.get(target, {})
    if target == S.APPROVED:
        traits["advance_granted"] = 0
    decision = DecisionFactory(
        item=item, decision_date=day or timezone.localdate(), recorded_by=by, **traits
    )
    assert decision.outcome == OUTCOME_FOR[target]
    return decide_dossier(decision=decision, by=by, comment=comment)


# --- The table itself ------------------------------------------------------------------------


def test_the_issue_s_lifecycle_is_in_the_table():
    expected = {
        (S.ORIENTED, S.UNDER_INSTRUCTION),
        (S.UNDER_INSTRUCTION, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
        (S.SUBMITTED, S.DEFERRED),
        (S.SUBMITTED, S.REJECTED),
        (S.DEFERRED, S.UNDER_INSTRUCTION),
        (S.APPROVED, S.UNDER_SUPPORT),
        (S.UNDER_SUPPORT, S.CLOSED),
    } | {(state, S.WITHDRAWN) for state in OPEN_STATES}
    assert {(source, t.target) for source, t in LEGAL_MOVES} == expected


def test_finished_states_lead_nowhere():
    for state in FINISHED_STATES:
        assert transitions_from(state) == []


def test_withdrawal_from_every_open_state():
    assert get_transition("withdraw").sources == OPEN_STATES
    assert set(S) - {S.CLOSED, S.WITHDRAWN, S.REJECTED} == OPEN_STATES


def test_only_the_committee_records_its_decisions():
    for name in ("approve", "defer", "reject"):
        assert get_transition(name).actors == COMMITTEE_ONLY
    for transition in TRANSITIONS:
        if transition.name not in ("approve", "defer", "reject"):
            assert transition.actors == {Role.STAFF, Role.MANAGER}


def test_every_state_is_reachable_from_orientation():
    reached, frontier = {S.ORIENTED}, [S.ORIENTED]
    while frontier:
        for transition in transitions_from(frontier.pop()):
            if transition.target not in reached:
                reached.add(transition.target)
                frontier.append(transition.target)
    assert reached == set(S)


# --- Every legal move, through the service ------------------------------------------------


@pytest.mark.parametrize(
    ("source", "transition"),
    LEGAL_MOVES,
    ids=[f"{source}->{t.target}" for source, t in LEGAL_MOVES],
)
def test_legal_transition(source, transition, basin, staff, manager):
    dossier = dossier_in(
        source, basin, state_changed_at=timezone.now() - datetime.timedelta(days=3)
    )
    user = manager if is_committee_decision(transition) else staff
    if is_committee_decision(transition):
        result = committee_decides(dossier, transition.target, user, comment="Vu avec le gérant.")
    else:
        result = transition_dossier(
            dossier=dossier, to_state=transition.target, by=user, comment="Vu avec le gérant."
        )
    dossier.refresh_from_db()
    assert dossier.state == transition.target == result.state
    assert dossier.days_in_state == 0
    log = DossierTransition.objects.get(dossier=dossier)
    assert (log.transition, log.from_state, log.to_state, log.by, log.comment) == (
        transition.name,
        source,
        transition.target,
        user,
        "Vu avec le gérant.",
    )
    assert log.at == dossier.state_changed_at
    if is_committee_decision(transition):
        assert dossier.decision_date == timezone.localdate()


def test_manager_may_also_make_ordinary_moves(basin, manager):
    dossier = dossier_in(S.ORIENTED, basin)
    transition_dossier(dossier=dossier, to_state=S.UNDER_INSTRUCTION, by=manager)
    assert dossier.state == S.UNDER_INSTRUCTION


# --- Every illegal move is refused ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "target"), ILLEGAL_MOVES, ids=[f"{s}->{t}" for s, t in ILLEGAL_MOVES]
)
def test_illegal_transition_is_refused(source, target, basin, manager):
    dossier = dossier_in(source, basin)
    with pytest.raises(ValidationError) as excinfo:
        transition_dossier(dossier=dossier, to_state=target, by=manager)
    if source == target:
        expected = f"Ce dossier est déjà « {S(source).label} »."
    else:
        expected = (
            f"Un dossier « {S(source).label} » ne peut pas passer à l'état « {S(target).label} »."
        )
    assert excinfo.value.messages == [expected]
    dossier.refresh_from_db()
    assert dossier.state == source
    assert not DossierTransition.objects.exists()


def test_illegal_sample_reads_well(basin, manager):
    dossier = dossier_in(S.ORIENTED, basin)
    with pytest.raises(ValidationError) as excinfo:
        transition_dossier(dossier=dossier, to_state=S.APPROVED, by=manager)
    assert excinfo.value.messages == [
        "Un dossier « Orienté » ne peut pas passer à l'état « Agréé »."
    ]


def test_unknown_state_is_refused(basin, manager):
    dossier = dossier_in(S.ORIENTED, basin)
    with pytest.raises(ValueError):
        transition_dossier(dossier=dossier, to_state="perdu", by=manager)


# --- Who may move a dossier ------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.ADMIN])
@pytest.mark.parametrize("target", [S.APPROVED, S.DEFERRED, S.REJECTED])
def test_nobody_decides_a_dossier_outside_a_committee_decision(target, role, basin):
    dossier = dossier_in(S.SUBMITTED, basin)
    with pytest.raises(PermissionDenied) as excinfo:
        transition_dossier(dossier=dossier, to_state=target, by=make_user(role, basin))
    assert str(excinfo.value) == COMMITTEE_DECIDES
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED
    assert not DossierTransition.objects.exists()


def test_a_decision_not_recorded_moves_nothing(basin, manager):
    dossier = dossier_in(S.SUBMITTED, basin)
    item = close(AgendaItemFactory(dossier=dossier, session__committee__basin=basin))
    unsaved = DecisionFactory.build(item=item, recorded_by=manager)
    with pytest.raises(ValidationError):
        decide_dossier(decision=unsaved, by=manager)
    dossier.refresh_from_db()
    assert dossier.state == S.SUBMITTED


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_operators_of_another_basin_may_not_move_a_dossier(role, basin, other_basin):
    dossier = dossier_in(S.UNDER_INSTRUCTION, basin)
    stranger = make_user(role, other_basin)
    with pytest.raises(PermissionDenied) as excinfo:
        transition_dossier(dossier=dossier, to_state=S.SUBMITTED, by=stranger)
    assert str(excinfo.value) == "Ce dossier n'appartient pas à l'un de vos bassins."
    assert not DossierTransition.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.COMMITTEE_MEMBER, Role.STEERING, Role.FUNDER, Role.ADMIN, None]
)
def test_other_roles_may_not_move_a_dossier(role, basin):
    dossier = dossier_in(S.UNDER_INSTRUCTION, basin)
    with pytest.raises(PermissionDenied) as excinfo:
        transition_dossier(dossier=dossier, to_state=S.SUBMITTED, by=make_user(role, basin))
    assert str(excinfo.value) == "Votre rôle ne permet pas de « soumettre au comité d'agrément »."


# --- Stamps, dates and the caller's view --------------------------------------------------------


def test_decision_date_is_the_committee_s_day(basin, manager):
    dossier = dossier_in(S.SUBMITTED, basin)
    committee_decides(dossier, S.APPROVED, manager, day=datetime.date(2007, 3, 1))
    dossier.refresh_from_db()
    assert dossier.decision_date == datetime.date(2007, 3, 1)


def test_decision_date_in_the_future_is_refused(basin, manager):
    dossier = dossier_in(S.SUBMITTED, basin)
    with pytest.raises(ValidationError):
        committee_decides(
            dossier, S.APPROVED, manager, day=timezone.localdate() + datetime.timedelta(days=1)
        )
    dossier.refresh_from_db()
    assert (dossier.state, dossier.decision_date) == (S.SUBMITTED, None)


def test_deferred_dossier_goes_round_again_and_keeps_its_timeline(basin, staff, manager):
    dossier = dossier_in(S.SUBMITTED, basin)
    committee_decides(
        dossier, S.DEFERRED, manager, day=DECISION_DAY, comment="Plan de financement à préciser."
    )
    transition_dossier(dossier=dossier, to_state=S.UNDER_INSTRUCTION, by=staff)
    transition_dossier(dossier=dossier, to_state=S.SUBMITTED, by=staff)
    committee_decides(dossier, S.APPROVED, manager)
    dossier.refresh_from_db()
    assert dossier.state == S.APPROVED
    assert dossier.decision_date == timezone.localdate()
    assert list(dossier.transitions.values_list("from_state", "to_state")) == [
        (S.SUBMITTED, S.DEFERRED),
        (S.DEFERRED, S.UNDER_INSTRUCTION),
        (S.UNDER_INSTRUCTION, S.SUBMITTED),
        (S.SUBMITTED, S.APPROVED),
    ]


def test_the_caller_s_object_is_updated(basin, staff):
    # No advance asked: no de minimis declaration to collect first.
    dossier = dossier_in(S.ORIENTED, basin, advance_requested=0)
    transition_dossier(dossier=dossier, to_state=S.UNDER_INSTRUCTION, by=staff)
    assert dossier.state == S.UNDER_INSTRUCTION
    assert dossier.next_action == "Compléter le dossier et le soumettre au comité d'agrément."


def test_a_stale_page_is_refused_when_the_expected_state_moved(basin, staff):
    dossier = dossier_in(S.UNDER_INSTRUCTION, basin)
    seen = dossier.state
    Dossier.objects.filter(pk=dossier.pk).update(state=S.SUBMITTED)
    with pytest.raises(ValidationError) as excinfo:
        transition_dossier(dossier=dossier, to_state=S.WITHDRAWN, by=staff, expected_state=seen)
    assert excinfo.value.messages == [
        "Ce dossier a changé d'état entre-temps : il est désormais « Soumis au comité ». "
        "Rechargez la page."
    ]
    assert not DossierTransition.objects.exists()


def test_stale_object_is_judged_on_the_database_state(basin, staff):
    dossier = dossier_in(S.UNDER_INSTRUCTION, basin)
    other_copy = Dossier.objects.get(pk=dossier.pk)
    transition_dossier(dossier=dossier, to_state=S.SUBMITTED, by=staff)
    with pytest.raises(ValidationError) as excinfo:
        transition_dossier(dossier=other_copy, to_state=S.SUBMITTED, by=staff)
    assert excinfo.value.messages == ["Ce dossier est déjà « Soumis au comité »."]
    assert DossierTransition.objects.count() == 1


def test_transitions_are_in_the_audit_trail_with_their_author(basin, staff):
    dossier = dossier_in(S.ORIENTED, basin)
    transition_dossier(dossier=dossier, to_state=S.UNDER_INSTRUCTION, by=staff)
    update = dossier.events.get(pgh_label="update")
    assert update.state == S.UNDER_INSTRUCTION
    assert update.pgh_context.metadata["user"] == staff.pk
