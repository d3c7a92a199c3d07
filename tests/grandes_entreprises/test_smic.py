import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest

from grandes_entreprises.models import SmicRate

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("valid_from", "monthly"),
    [
        ("2005-07-01", "1217.88"),
        ("2006-07-01", "1254.28"),
        ("2007-07-01", "1280.07"),
        ("2008-05-01", "1308.88"),
        ("2008-07-01", "1321.02"),
        ("2009-07-01", "1337.70"),
        ("2024-11-01", "1801.80"),
        ("2026-01-01", "1823.03"),
    ],
)
def test_seeded_values(valid_from, monthly):
    row = SmicRate.objects.get(valid_from=datetime.date.fromisoformat(valid_from))
    assert row.monthly_amount == Decimal(monthly)
    assert row.source


def test_every_seeded_row_is_35_hours_of_its_hourly_rate():
    """Monthly = hourly × 35 × 52 / 12, to the cent: a typo in the table fails here."""
    rows = list(SmicRate.objects.order_by("valid_from"))
    assert len(rows) >= 28
    for row in rows:
        expected = (row.hourly_amount * 35 * 52 / 12).quantize(Decimal("0.01"), ROUND_HALF_UP)
        assert row.monthly_amount == expected, row.valid_from


def test_the_smic_only_goes_up():
    amounts = list(SmicRate.objects.order_by("valid_from").values_list("hourly_amount", flat=True))
    assert amounts == sorted(amounts)
    assert len(set(amounts)) == len(amounts)


@pytest.mark.parametrize(
    ("day", "monthly"),
    [
        ("2005-07-01", "1217.88"),
        ("2008-06-30", "1308.88"),
        ("2008-07-01", "1321.02"),
        ("2025-06-30", "1801.80"),
        ("2025-12-31", "1801.80"),
    ],
)
def test_in_force_on(day, monthly):
    assert SmicRate.objects.in_force_on(datetime.date.fromisoformat(day)).monthly_amount == Decimal(
        monthly
    )


def test_none_in_force_before_the_table():
    assert SmicRate.objects.in_force_on(datetime.date(2005, 6, 30)) is None
