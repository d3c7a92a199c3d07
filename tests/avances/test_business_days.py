"""Due dates moved to business days by the basin's rule (French public holidays from the
`holidays` library), and lateness counted from the date moved."""

import datetime
from decimal import Decimal

import pytest

from alize.business_days import DueDateRule, is_business_day, move_due_date
from avances.models import Advance, Instalment
from avances.schedule import plan_schedule
from tests.avances.factories import AdvanceFactory

D = datetime.date
NEXT, PREVIOUS, NONE = (
    DueDateRule.NEXT_BUSINESS_DAY,
    DueDateRule.PREVIOUS_BUSINESS_DAY,
    DueDateRule.NONE,
)


@pytest.mark.parametrize(
    ("day", "rule", "moved"),
    [
        (D(2024, 5, 1), NEXT, D(2024, 5, 2)),  # Labour Day, a Wednesday
        (D(2024, 7, 14), NEXT, D(2024, 7, 15)),  # National Day, a Sunday
        (D(2024, 8, 15), NEXT, D(2024, 8, 16)),  # Assumption, a Thursday
        (D(2024, 11, 11), NEXT, D(2024, 11, 12)),  # Armistice, a Monday
        (D(2024, 4, 1), NEXT, D(2024, 4, 2)),  # Easter Monday
        (D(2024, 3, 30), NEXT, D(2024, 4, 2)),  # Saturday, Sunday, then Easter Monday
        (D(2024, 4, 1), PREVIOUS, D(2024, 3, 29)),  # Good Friday is worked outside Alsace
        (D(2024, 5, 20), NEXT, D(2024, 5, 21)),  # Whit Monday
        (D(2024, 5, 9), NEXT, D(2024, 5, 10)),  # Ascension Day
        (D(2024, 12, 25), PREVIOUS, D(2024, 12, 24)),
        (D(2024, 6, 15), PREVIOUS, D(2024, 6, 14)),  # a Saturday
        (D(2024, 6, 16), NONE, D(2024, 6, 16)),  # no rule: the Sunday stays
        (D(2024, 6, 17), NEXT, D(2024, 6, 17)),  # a Monday, worked: unchanged
    ],
)
def test_a_due_date_moves_to_a_business_day(day, rule, moved):
    assert move_due_date(day, rule) == moved


def test_alsace_moselle_adds_good_friday_and_saint_stephen():
    assert is_business_day(D(2024, 3, 29))
    assert not is_business_day(D(2024, 3, 29), departement="57")
    assert move_due_date(D(2024, 4, 1), PREVIOUS, departement="67") == D(2024, 3, 28)
    assert move_due_date(D(2024, 12, 25), NEXT, departement="68") == D(2024, 12, 27)


def test_every_day_of_a_year_lands_on_a_business_day_never_far():
    day = D(2024, 1, 1)
    while day.year == 2024:
        for rule in (NEXT, PREVIOUS):
            moved = move_due_date(day, rule)
            assert is_business_day(moved)
            assert 0 <= abs((moved - day).days) <= 4
            assert (moved >= day) if rule == NEXT else (moved <= day)
        day += datetime.timedelta(days=1)


def test_a_36_month_schedule_no_longer_falls_on_weekends_or_holidays():
    terms = {
        "principal": Decimal("15000.00"),
        "anchor": D(2023, 12, 14),
        "duration_months": 36,
        "grace_months": 6,
        "period_months": 1,
    }
    raw = plan_schedule(**terms)
    moved = plan_schedule(**terms, due_date_rule=NEXT)
    off_days = [i.due_date for i in raw if not is_business_day(i.due_date)]
    # The 14th of each month from July 2024: 13 of the 30 fall on a weekend or on 14 July
    # (a Sunday in 2024, a Monday in 2025, a Tuesday in 2026).
    assert len(off_days) == 13
    assert {D(2024, 7, 14), D(2025, 7, 14), D(2026, 7, 14)} <= set(off_days)
    assert all(is_business_day(i.due_date) for i in moved)
    assert moved[0].due_date == D(2024, 7, 15)
    assert moved[18].due_date == D(2026, 1, 14)  # a Wednesday: unchanged
    by_raw = {r.due_date: m.due_date for r, m in zip(raw, moved, strict=True)}
    assert by_raw[D(2025, 7, 14)] == D(2025, 7, 15)
    assert by_raw[D(2026, 3, 14)] == D(2026, 3, 16)  # a Saturday
    # Only the dates move: amounts and the months the grant equivalent discounts stay.
    assert [(i.amount, i.month) for i in moved] == [(i.amount, i.month) for i in raw]
    # Each date is counted from the anchor, never from a moved one.
    assert moved[1].due_date == D(2024, 8, 14)


@pytest.mark.django_db
def test_the_basin_rule_moves_the_schedule_and_lateness_counts_from_the_moved_date(basin):
    basin.due_date_rule = NEXT
    basin.save()
    # Disbursed on 16 April 2007: instalments on the 16th from November 2007.
    advance = AdvanceFactory(basin=basin, disbursed=True, paid_instalments=1)
    dates = list(
        Instalment.objects.filter(schedule__advance=advance)
        .order_by("number")
        .values_list("due_date", flat=True)
    )
    assert len(dates) == 30 and all(is_business_day(day) for day in dates)
    assert dates[:3] == [D(2007, 11, 16), D(2007, 12, 17), D(2008, 1, 16)]  # 16/12 a Sunday

    def late_on(day):
        return Advance.objects.with_days_late(day).get(pk=advance.pk).days_late

    # Due on Monday 17 December, not on Sunday 16: not late on the 17th, one day on the 18th.
    assert late_on(D(2007, 12, 17)) == 0
    assert late_on(D(2007, 12, 18)) == 1


@pytest.mark.django_db
def test_a_basin_without_a_rule_keeps_the_calendar_dates(basin):
    basin.due_date_rule = NONE
    basin.save()
    advance = AdvanceFactory(basin=basin, disbursed=True)
    second = Instalment.objects.get(schedule__advance=advance, number=2)
    assert second.due_date == D(2007, 12, 16)


@pytest.mark.django_db
def test_a_new_basin_moves_to_the_next_business_day():
    from alize.models import Basin

    basin = Basin.objects.create(name="Nouveau", slug="nouveau", operator_name="CCI")
    assert basin.due_date_rule == NEXT
