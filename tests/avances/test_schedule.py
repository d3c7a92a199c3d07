"""The arithmetic of schedules and of the gross grant equivalent, exact to the cent."""

import datetime
from decimal import Decimal

import pytest

from avances.schedule import (
    DURATION_MESSAGE,
    GRACE_MESSAGE,
    GRACE_WITHIN_DURATION_MESSAGE,
    QUARTERS_MESSAGE,
    add_months,
    gross_grant_equivalent,
    plan_schedule,
    split_principal,
    terms_errors,
)

D = datetime.date


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2007, 1, 31), 1, D(2007, 2, 28)),  # 2007 is not a leap year
        (D(2008, 1, 31), 1, D(2008, 2, 29)),  # 2008 is
        (D(2024, 1, 31), 1, D(2024, 2, 29)),  # and 2024
        (D(2023, 12, 31), 2, D(2024, 2, 29)),
        (D(2008, 2, 29), 12, D(2009, 2, 28)),
        (D(2007, 1, 31), 2, D(2007, 3, 31)),
        (D(2007, 8, 31), 1, D(2007, 9, 30)),
        (D(2007, 11, 30), 3, D(2008, 2, 29)),
        (D(2007, 3, 15), -36, D(2004, 3, 15)),
        (D(2007, 12, 15), 1, D(2008, 1, 15)),
    ],
)
def test_add_months_handles_month_ends_and_leap_years(day, months, expected):
    assert add_months(day, months) == expected


def test_ten_thousand_euros_over_36_months_with_6_months_grace():
    instalments = plan_schedule(
        principal=Decimal("10000.00"),
        anchor=D(2007, 4, 16),
        duration_months=36,
        grace_months=6,
        period_months=1,
    )

    assert len(instalments) == 30
    assert sum(i.amount for i in instalments) == Decimal("10000.00")
    assert [i.amount for i in instalments[:29]] == [Decimal("333.33")] * 29
    # 29 × 333.33 = 9,666.57: the last one takes the 10 cents of rounding.
    assert instalments[-1].amount == Decimal("333.43")
    # Grace + one period after the disbursement; the last one at the end of the duration.
    assert instalments[0].due_date == D(2007, 11, 16)
    assert instalments[-1].due_date == D(2010, 4, 16)
    assert [i.number for i in instalments] == list(range(1, 31))


def test_due_dates_keep_the_anchor_day_across_february():
    instalments = plan_schedule(
        principal=Decimal("1000.00"),
        anchor=D(2007, 12, 31),
        duration_months=14,
        grace_months=0,
        period_months=1,
    )
    dates = [i.due_date for i in instalments]
    assert dates[:4] == [D(2008, 1, 31), D(2008, 2, 29), D(2008, 3, 31), D(2008, 4, 30)]
    assert dates[12:14] == [D(2009, 1, 31), D(2009, 2, 28)]


def test_due_dates_in_2007_and_2024_februaries():
    in_2006 = plan_schedule(
        principal=Decimal("600.00"),
        anchor=D(2006, 12, 30),
        duration_months=3,
        grace_months=0,
        period_months=1,
    )
    assert [i.due_date for i in in_2006] == [D(2007, 1, 30), D(2007, 2, 28), D(2007, 3, 30)]
    in_2023 = plan_schedule(
        principal=Decimal("600.00"),
        anchor=D(2023, 11, 29),
        duration_months=4,
        grace_months=1,
        period_months=1,
    )
    assert [i.due_date for i in in_2023] == [D(2024, 1, 29), D(2024, 2, 29), D(2024, 3, 29)]


def test_quarterly_instalments():
    instalments = plan_schedule(
        principal=Decimal("15000.00"),
        anchor=D(2007, 11, 30),
        duration_months=36,
        grace_months=6,
        period_months=3,
    )
    assert len(instalments) == 10
    assert sum(i.amount for i in instalments) == Decimal("15000.00")
    assert {i.amount for i in instalments} == {Decimal("1500.00")}
    # 30 November + 9 months: 30 August 2008; + 12: 28 February 2009 (not a leap year).
    assert instalments[0].due_date == D(2008, 8, 30)
    assert instalments[2].due_date == D(2009, 2, 28)
    assert instalments[3].due_date == D(2009, 5, 30)


def test_split_principal_sums_exactly():
    for principal, count in [("100.00", 3), ("0.05", 1), ("14999.99", 30), ("7.77", 7)]:
        amounts = split_principal(Decimal(principal), count)
        assert sum(amounts) == Decimal(principal)
        assert all(a > 0 for a in amounts)
    assert split_principal(Decimal("100.00"), 3) == [
        Decimal("33.33"),
        Decimal("33.33"),
        Decimal("33.34"),
    ]
    # Fewer cents than instalments: one cent on each of the first dates.
    assert split_principal(Decimal("0.03"), 30) == [Decimal("0.01")] * 3


@pytest.mark.parametrize(
    ("duration", "grace", "period", "errors"),
    [
        (36, 6, 1, {}),
        (36, 12, 1, {}),
        (36, 0, 3, {}),
        (0, 0, 1, {"duration_months": DURATION_MESSAGE}),
        (121, 6, 1, {"duration_months": DURATION_MESSAGE}),
        (36, 13, 1, {"grace_months": GRACE_MESSAGE}),
        (36, -1, 1, {"grace_months": GRACE_MESSAGE}),
        (6, 6, 1, {"grace_months": GRACE_WITHIN_DURATION_MESSAGE}),
        (36, 5, 3, {"duration_months": QUARTERS_MESSAGE}),
    ],
)
def test_terms_errors(duration, grace, period, errors):
    assert terms_errors(duration, grace, period) == errors


def test_gross_grant_equivalent_by_hand():
    """1,200 € repaid in three monthly instalments of 400 €, reference rate 12 % a year
    (1 % a month). Interest saved: 12 € in month 1 (on 1,200), 8 € in month 2 (on 800),
    4 € in month 3 (on 400). Present values: 12/1.01 + 8/1.01² + 4/1.01³
    = 11.881188 + 7.842368 + 3.882353 = 23.605909 → 23.61 €.
    Check: 1,200 − 400 × (1/1.01 + 1/1.01² + 1/1.01³) = 1,200 − 1,176.394 = 23.61 €."""
    gge = gross_grant_equivalent(
        principal=Decimal("1200.00"),
        duration_months=3,
        grace_months=0,
        period_months=1,
        annual_rate_percent=Decimal("12"),
    )
    assert gge == Decimal("23.61")


def test_gross_grant_equivalent_counts_the_grace_period():
    """With one month's grace, the SME keeps 1,200 € a month longer: 12/1.01 more,
    and the three monthly interests move one month later: 12/1.01 + 12/1.01² + 8/1.01³
    + 4/1.01⁴ = 11.881188 + 11.763553 + 7.764718 + 3.843914 = 35.253373 → 35.25 €."""
    gge = gross_grant_equivalent(
        principal=Decimal("1200.00"),
        duration_months=4,
        grace_months=1,
        period_months=1,
        annual_rate_percent=Decimal("12"),
    )
    assert gge == Decimal("35.25")


def test_gross_grant_equivalent_at_zero_rate_is_zero():
    gge = gross_grant_equivalent(
        principal=Decimal("15000.00"),
        duration_months=36,
        grace_months=6,
        period_months=1,
        annual_rate_percent=Decimal("0"),
    )
    assert gge == Decimal("0.00")


def test_gross_grant_equivalent_of_a_valenciennes_advance():
    """15,000 € over 36 months with 6 months' grace at 5 %: P − Σ 500 × 1.0041667^-(6+k)."""
    gge = gross_grant_equivalent(
        principal=Decimal("15000.00"),
        duration_months=36,
        grace_months=6,
        period_months=1,
        annual_rate_percent=Decimal("5"),
    )
    i = Decimal("0.05") / 12
    expected = Decimal("15000") - sum(Decimal(500) / (1 + i) ** (6 + k) for k in range(1, 31))
    assert gge == expected.quantize(Decimal("0.01"))
    assert gge == Decimal("1273.88")
