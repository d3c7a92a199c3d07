import datetime

import pytest

from grandes_entreprises.workflow import (
    COORDINATOR,
    OPERATOR,
    TRANSITIONS,
    MissionStatus,
    find_transition,
    transitions_from,
    working_days,
)

D = datetime.date


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (D(2007, 4, 2), D(2007, 4, 2), 1),  # a Monday
        (D(2007, 4, 2), D(2007, 4, 6), 5),  # Monday to Friday
        (D(2007, 4, 2), D(2007, 4, 13), 10),  # two weeks
        (D(2007, 4, 7), D(2007, 4, 8), 0),  # a weekend
        (D(2007, 4, 6), D(2007, 4, 9), 2),  # Friday to Monday
        (D(2007, 4, 4), D(2007, 4, 3), 0),  # end before start
        (D(2008, 2, 28), D(2008, 3, 3), 3),  # across a 29 February (a Friday)
        (D(2007, 1, 1), D(2007, 12, 31), 261),
    ],
)
def test_working_days(start, end, expected):
    assert working_days(start, end) == expected


def test_working_days_agree_with_counting_each_day():
    start = D(2007, 1, 1)
    for length in range(0, 40):
        for shift in range(7):
            first = start + datetime.timedelta(days=shift)
            last = first + datetime.timedelta(days=length)
            counted = sum(
                1
                for offset in range(length + 1)
                if (first + datetime.timedelta(days=offset)).weekday() < 5
            )
            assert working_days(first, last) == counted


def test_transitions_table():
    assert find_transition(MissionStatus.PLANNED, MissionStatus.RUNNING).name == "start"
    assert find_transition(MissionStatus.DONE, MissionStatus.CANCELLED) is None
    assert find_transition(MissionStatus.CANCELLED, MissionStatus.RUNNING) is None
    assert [t.name for t in transitions_from(MissionStatus.RUNNING)] == ["finish", "cancel"]
    assert transitions_from(MissionStatus.CANCELLED) == []
    # Only the operator cancels or reopens; coordinators start and finish.
    by_name = {t.name: t.actors for t in TRANSITIONS}
    assert by_name["cancel"] == by_name["reopen"] == frozenset({OPERATOR})
    assert by_name["start"] == by_name["finish"] == frozenset({OPERATOR, COORDINATOR})
