"""The rules of décret 2006-672 as pure functions: quorum, majority, notice."""

import datetime
import zoneinfo

import pytest

from comites.rules import Quorum, Tally, compute_quorum, is_late_notice, notice_days
from comites.workflow import AttendanceStatus, VoteChoice

P, R, D, A = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.REMOTE,
    AttendanceStatus.REPRESENTED,
    AttendanceStatus.ABSENT,
)
HALF = {"numerator": 1, "denominator": 2}
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


@pytest.mark.parametrize(
    ("statuses", "recused", "reached"),
    [
        pytest.param({1: P, 2: P, 3: A, 4: A}, [], True, id="exactly-half-is-enough"),
        pytest.param({1: P, 2: P, 3: A, 4: A, 5: A}, [], False, id="two-of-five-is-not"),
        pytest.param({1: P, 2: R, 3: D, 4: A, 5: None}, [], True, id="remote-and-proxy-count"),
        pytest.param({1: P, 2: None, 3: None}, [], False, id="no-attendance-is-absent"),
        pytest.param({1: P, 2: P, 3: A, 4: A, 5: A}, [5], True, id="absent-recused-left-out"),
        pytest.param({1: P, 2: P, 3: A, 4: A}, [1], False, id="present-recused-not-counted"),
        pytest.param({1: P}, [1], False, id="nobody-eligible"),
    ],
)
def test_quorum(statuses, recused, reached):
    assert compute_quorum(statuses, recused=recused, **HALF).reached is reached


def test_quorum_counts_and_explains():
    quorum = compute_quorum({1: P, 2: D, 3: A, 4: A, 5: R}, recused=[4], **HALF)
    assert (quorum.eligible, quorum.counted, quorum.required) == (4, 3, 2)
    assert quorum.summary == ("3 membres sur 4 présents, à distance ou représentés (il en faut 2)")


def test_a_two_thirds_quorum():
    rules = {"numerator": 2, "denominator": 3}
    assert not compute_quorum({1: P, 2: P, 3: A, 4: A}, **rules).reached
    assert compute_quorum({1: P, 2: P, 3: P, 4: A}, **rules).reached
    assert Quorum(eligible=6, counted=4, **rules).reached
    assert Quorum(eligible=6, counted=4, **rules).required == 4


@pytest.mark.parametrize(
    ("votes", "chair", "casting", "adopted"),
    [
        pytest.param((3, 1, 1), None, True, True, id="majority-for"),
        pytest.param((1, 3, 0), VoteChoice.FOR, True, False, id="majority-against"),
        pytest.param((2, 2, 1), VoteChoice.FOR, True, True, id="tie-chair-for-decides"),
        pytest.param((2, 2, 1), VoteChoice.AGAINST, True, False, id="tie-chair-against"),
        pytest.param((2, 2, 1), VoteChoice.FOR, False, False, id="tie-without-casting-vote"),
        pytest.param((2, 2, 1), VoteChoice.ABSTAIN, True, False, id="tie-chair-abstained"),
        pytest.param((2, 2, 0), None, True, False, id="tie-chair-did-not-vote"),
        pytest.param((0, 0, 4), None, True, False, id="all-abstain"),
        pytest.param((0, 0, 0), None, True, False, id="no-vote"),
        pytest.param((1, 0, 5), None, True, True, id="abstentions-decide-nothing"),
    ],
)
def test_majority(votes, chair, casting, adopted):
    tally = Tally(*votes, chair_choice=chair, casting_vote=casting)
    assert tally.adopted is adopted


def test_tally_summary_and_casting_flag():
    tally = Tally(2, 2, 1, chair_choice=VoteChoice.FOR, casting_vote=True)
    assert tally.summary == "2 pour, 2 contre, 1 abstention"
    assert tally.decided_by_casting_vote
    assert Tally(3, 1, 2).summary == "3 pour, 1 contre, 2 abstentions"
    assert not Tally(3, 1, 0, chair_choice=VoteChoice.FOR).decided_by_casting_vote


def test_notice_counts_local_calendar_days():
    session = datetime.datetime(2026, 1, 26, 9, 0, tzinfo=PARIS)
    # 00:30 in Paris on the 21st is still the 20th in UTC: five days' notice, not six.
    convened = datetime.datetime(2026, 1, 20, 23, 30, tzinfo=datetime.UTC)
    assert notice_days(convened, session) == 5
    assert not is_late_notice(convened, session, 5)
    assert is_late_notice(convened, session, 6)
    assert not is_late_notice(None, session, 5)
