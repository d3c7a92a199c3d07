"""The minutes' content, read from the recorded data in a fixed number of queries."""

import datetime

import pytest

from comites import services
from comites.selectors import minutes_data
from comites.workflow import AttendanceStatus, DecisionOutcome, SessionStatus, VoteChoice
from pme.models import Need
from tests.comites.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    DecisionFactory,
    MembershipFactory,
    RecusalFactory,
    SessionFactory,
    VoteFactory,
    close,
    move_session,
)

pytestmark = pytest.mark.django_db

MINUTES_QUERIES = 7


def examined_items(board, count: int):
    """`count` dossiers, each with Alstom proposed (its representative recused), three
    votes and a decision."""
    holder, giver = board.members[1], board.members[2]
    board.attend(board.chair, holder, board.alstom, board.secretary)
    board.attend(giver, status=AttendanceStatus.REPRESENTED, proxy_holder=holder)
    for _ in range(count):
        item = board.item(voting=True, proposed_corporations=[board.alstom.corporation])
        RecusalFactory(item=item, membership=board.alstom, automatic=True)
        VoteFactory(item=item, member=board.chair)
        VoteFactory(item=item, member=holder, against=True)
        VoteFactory(item=item, member=giver, cast_by=holder, capacity="procuration")
        close(item)
        DecisionFactory(item=item, approved=True).corporations.set([board.alstom.corporation])


@pytest.mark.parametrize("count", [2, 10])
def test_minutes_cost_a_fixed_number_of_queries(board, count, django_assert_num_queries):
    examined_items(board, count)
    with django_assert_num_queries(MINUTES_QUERIES):
        minutes = minutes_data(board.session)
    assert len(minutes.items) == count
    assert all(line.tally.summary == "2 pour, 1 contre, 0 abstention" for line in minutes.items)


def test_minutes_say_everything(board, manager):
    # Convened two days before: allowed, flagged.
    board.session.convened_at = board.session.starts_at - datetime.timedelta(days=2)
    board.session.save()
    holder, giver = board.members[1], board.members[2]
    board.attend(board.chair, holder, board.secretary)
    board.attend(board.alstom, status=AttendanceStatus.REMOTE)
    board.attend(giver, status=AttendanceStatus.REPRESENTED, proxy_holder=holder)
    board.attend(board.members[3], status=AttendanceStatus.ABSENT)

    approved = board.item(proposed_corporations=[board.alstom.corporation])
    services.open_item(item=approved, by=board.chair.person)
    services.cast_vote(
        item=approved, member=board.chair, choice=VoteChoice.FOR, by=board.chair.person
    )
    services.cast_vote(item=approved, member=holder, choice=VoteChoice.AGAINST, by=holder.person)
    services.cast_vote(item=approved, member=giver, choice=VoteChoice.ABSTAIN, by=holder.person)
    services.close_item(item=approved, by=board.chair.person)
    services.record_decision(
        item=approved,
        outcome=DecisionOutcome.APPROVED,
        corporations=[board.alstom.corporation],
        domains=[Need.QUALITY],
        advance_granted=12000,
        by=manager,
    )
    board.item()  # left unexamined
    services.close_session(session=board.session, by=manager)
    services.sign_off(session=board.session, by=board.chair.person)
    services.amend_minutes(
        session=board.session, item=approved, text="Le montant est de 12 000 €.", by=manager
    )

    minutes = minutes_data(board.session)

    assert minutes.late_convocation and minutes.notice_days_given == 2
    assert minutes.notice_days_required == 5
    assert minutes.chair == str(board.chair.person)
    assert minutes.signed_by == str(board.chair.person)
    assert minutes.status_label == "Procès-verbal signé"
    statuses = {line.membership_id: line.status for line in minutes.members}
    assert statuses[board.members[3].pk] == AttendanceStatus.ABSENT
    assert statuses[board.alstom.pk] == AttendanceStatus.REMOTE
    assert minutes.proxies == [(str(giver.person), str(holder.person))]
    assert minutes.count(AttendanceStatus.PRESENT) == 2
    assert (minutes.quorum.counted, minutes.quorum.eligible, minutes.quorum.reached) == (
        4,
        5,
        True,
    )

    first, second = minutes.items
    assert first.pme_name == approved.dossier.pme.name
    assert first.tally.summary == "1 pour, 1 contre, 1 abstention"
    assert first.tally.adopted and first.tally.decided_by_casting_vote
    assert [(r.name, r.automatic) for r in first.recusals] == [(str(board.alstom.person), True)]
    assert (first.quorum.eligible, first.quorum.counted) == (4, 3)
    assert first.decision.outcome_label == "Agréé"
    assert first.decision.corporations == [str(board.alstom.corporation)]
    assert first.decision.domains == ["Qualité"]
    assert first.decision.advance_granted == 12000 and first.decision.cap_copied == 15000
    assert not second.examined and second.tally is None and second.decision is None
    assert second.status_label == "À examiner"
    assert [(a.item_order, a.by) for a in minutes.amendments] == [(1, str(manager))]


def test_a_steering_session_has_the_same_attendance_and_minutes(board, manager):
    steering = CommitteeFactory(basin=board.basin, steering=True)
    sub_prefect = MembershipFactory(
        committee=steering, chair=True, organisation="Sous-préfecture de Valenciennes"
    )
    metropole = MembershipFactory(committee=steering, organisation="Valenciennes Métropole")
    MembershipFactory(committee=steering, organisation="Caisse des dépôts")
    session = SessionFactory(
        committee=steering, sitting=True, agenda_notes="Bilan de la première période."
    )
    for member in (sub_prefect, metropole):
        services.record_attendance(
            session=session, membership=member, status=AttendanceStatus.PRESENT, by=manager
        )
    services.close_session(session=session, by=manager)
    services.sign_off(session=session, by=sub_prefect.person)

    minutes = minutes_data(session)
    assert minutes.is_steering and minutes.items == []
    assert minutes.chair == str(sub_prefect.person)
    assert minutes.quorum.summary == (
        "2 membres sur 3 présents, à distance ou représentés (il en faut 2)"
    )
    assert minutes.agenda_notes == "Bilan de la première période."
    assert not minutes.late_convocation


def test_a_second_convocation_is_named_in_its_minutes(board):
    AgendaItemFactory(session=board.session)
    move_session(board.session, SessionStatus.CLOSED)
    second = SessionFactory(
        committee=board.committee, sitting=True, first_convocation=board.session
    )
    minutes = minutes_data(second)
    assert minutes.is_second_convocation
    assert minutes.first_convocation_day == board.session.day
