"""The constraints the apps' models share: a bounded date is checked by the database too."""

import datetime

import pytest
from django.db import IntegrityError, models, transaction
from django.test.utils import isolate_apps

from alize.constraints import in_range, positive, sane_years_checked
from alize.modelkit import check, sane_years, years_check


@isolate_apps("alize")
def test_each_bounded_date_gets_the_database_check_of_its_own_years():
    @sane_years_checked
    class FoundingRecord(models.Model):
        founded_on = models.DateField(validators=sane_years(1800))
        noted_at = models.DateTimeField(null=True, validators=sane_years())
        typed_freely = models.DateField(null=True)

        class Meta:
            app_label = "alize"

        def __str__(self):
            return str(self.founded_on)

    assert FoundingRecord._meta.constraints == [
        years_check("founded_on", "founding_record_founded_on_sane_year", low=1800),
        years_check("noted_at", "founding_record_noted_at_sane_year", with_time=True),
    ]


def test_positive_and_in_range_say_what_check_would():
    assert positive("amount", "x_positive", "Positif.") == check(
        models.Q(amount__gt=0), "x_positive", "Positif."
    )
    assert in_range("mark", 1, 5, "x_range", "De 1 à 5.", optional=True) == check(
        models.Q(mark__isnull=True) | models.Q(mark__gte=1, mark__lte=5), "x_range", "De 1 à 5."
    )


@pytest.mark.django_db
def test_the_database_refuses_a_year_the_field_refuses():
    from tests.pme.factories import HireFactory

    hire = HireFactory()
    with pytest.raises(IntegrityError, match="hire_hire_date_sane_year"), transaction.atomic():
        type(hire).objects.filter(pk=hire.pk).update(hire_date=datetime.date(1, 1, 1))
