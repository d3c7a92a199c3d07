"""Members and chairs acting at the same instant, on real transactions.

Each thread has its own database connection and closes it when done. A slowed-down
`full_clean` keeps the first transaction open while the second arrives, so the outcome
does not depend on luck: the item's row lock queues votes and closings, and the unique
constraint keeps one vote per member and item.
"""

import datetime
import time

import pytest

from comites import services
from comites.models import AgendaItem, Attendance, CommitteeMembership, Vote
from comites.workflow import AttendanceStatus, ItemStatus, MemberRole, VoteChoice
from tests.alize.factories import BasinFactory, UserFactory
from tests.comites.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
)
from tests.concurrency import HOLD_SECONDS, run_together, slow_down
from tests.conftest import make_user

# Real commits: the data migrations' roles and SMIC table are restored for each test.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_vote():
    """A sitting session, three members present, a dossier whose vote is open."""
    committee = CommitteeFactory(basin=BasinFactory())
    chair = MembershipFactory(committee=committee, chair=True)
    members = [MembershipFactory(committee=committee) for _ in range(2)]
    session = SessionFactory(committee=committee, sitting=True)
    for member in (chair, *members):
        AttendanceFactory(session=session, membership=member)
    item = AgendaItemFactory(session=session, voting=True)
    return item, chair, members


def test_two_members_voting_at_the_same_instant_both_count(monkeypatch, open_vote):
    item, _, (alice, bob) = open_vote
    slow_down(monkeypatch, Vote)

    outcomes = run_together(
        lambda: services.cast_vote(item=item, member=alice, choice=VoteChoice.FOR, by=alice.person),
        lambda: services.cast_vote(item=item, member=bob, choice=VoteChoice.AGAINST, by=bob.person),
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert set(Vote.objects.filter(item=item).values_list("member", "choice")) == {
        (alice.pk, VoteChoice.FOR),
        (bob.pk, VoteChoice.AGAINST),
    }


def test_the_same_member_voting_twice_at_once_keeps_one_vote(monkeypatch, open_vote):
    item, _, (alice, _bob) = open_vote
    slow_down(monkeypatch, Vote)

    outcomes = run_together(
        lambda: services.cast_vote(item=item, member=alice, choice=VoteChoice.FOR, by=alice.person),
        lambda: services.cast_vote(
            item=item, member=alice, choice=VoteChoice.AGAINST, by=alice.person
        ),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused == [
        "Un vote est déjà enregistré pour ce membre sur ce dossier : on ne vote qu'une fois."
    ]
    assert Vote.objects.filter(item=item, member=alice).count() == 1


def test_two_clicks_closing_one_item_close_it_once(monkeypatch, open_vote):
    item, chair, _ = open_vote
    secretary = MembershipFactory(committee=chair.committee, secretary=True)
    slow_down(monkeypatch, AgendaItem)

    outcomes = run_together(
        lambda: services.close_item(item=item, by=chair.person),
        lambda: services.close_item(item=item, by=secretary.person),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused == ["Le vote sur ce dossier est déjà clos."]
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED


def test_a_vote_and_the_closing_at_once_never_lose_the_vote(monkeypatch, open_vote):
    item, chair, (alice, _bob) = open_vote
    slow_down(monkeypatch, Vote)

    outcomes = run_together(
        lambda: services.cast_vote(item=item, member=alice, choice=VoteChoice.FOR, by=alice.person),
        lambda: (time.sleep(HOLD_SECONDS / 2), services.close_item(item=item, by=chair.person)),
    )

    # The vote took the item's lock first: it is kept, then the item closes.
    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert Vote.objects.filter(item=item, member=alice).exists()
    assert services.tally(item).votes_for == 1


def test_two_proxies_for_one_holder_at_once(monkeypatch, open_vote):
    item, chair, (holder, _bob) = open_vote
    session = item.session
    givers = [MembershipFactory(committee=chair.committee) for _ in range(2)]
    operator = make_user("responsable_operateur", session.committee.basin)
    slow_down(monkeypatch, Attendance)

    outcomes = run_together(
        *(
            lambda giver=giver: services.record_attendance(
                session=session,
                membership=giver,
                status=AttendanceStatus.REPRESENTED,
                proxy_holder=holder,
                by=operator,
            )
            for giver in givers
        )
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Attendance.objects.filter(session=session, proxy_holder=holder).count() == 1


def test_two_chairs_appointed_at_once(monkeypatch):
    basin = BasinFactory()
    committee = CommitteeFactory(basin=basin)
    manager = make_user("responsable_operateur", basin)
    slow_down(monkeypatch, CommitteeMembership)

    outcomes = run_together(
        *(
            lambda organisation=organisation: services.appoint_member(
                committee=committee,
                person=UserFactory(),
                role=MemberRole.CHAIR,
                organisation=organisation,
                start_date=datetime.date(2008, 7, 1),
                by=manager,
            )
            for organisation in ("Vallourec", "Toyota")
        )
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert CommitteeMembership.objects.chairs().filter(committee=committee).count() == 1
