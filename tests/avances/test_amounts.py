"""Services take Decimal, never French text; one table of delinquency thresholds."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from avances.models import DELINQUENCY_THRESHOLDS, Delinquency, delinquency_of
from avances.services import as_amount


def test_services_take_decimal_never_text():
    assert as_amount(Decimal("1000.5")) == Decimal("1000.50")
    assert as_amount(15000) == Decimal("15000.00")
    with pytest.raises(TypeError):
        as_amount("1 000,00")
    with pytest.raises(TypeError):
        as_amount(10.5)
    with pytest.raises(ValidationError):
        as_amount(Decimal("0.001"))


@pytest.mark.parametrize(
    ("days", "bucket"),
    [(0, Delinquency.CURRENT), (1, Delinquency.DAYS_1_30), (31, Delinquency.DAYS_31_90)],
)
def test_one_table_of_delinquency_thresholds(days, bucket):
    assert delinquency_of(days) == bucket
    assert delinquency_of(91) == DELINQUENCY_THRESHOLDS[0][1] == Delinquency.OVER_90
