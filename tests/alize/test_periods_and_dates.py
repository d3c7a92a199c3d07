"""Programme periods of a basin never overlap, and every date a user types is sane."""

import datetime

import pytest
from django import forms
from django.apps import apps
from django.db import IntegrityError, transaction
from django.urls import reverse

from alize.modelkit import YearRange
from alize.models import ProgrammePeriod
from tests.alize.factories import BasinFactory, PeriodFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def period_data(basin, name, start, end):
    return {
        "basin": basin.pk,
        "name": name,
        "start_date": start,
        "end_date": end,
        "target_jobs": "",
        "target_smes": "",
        "budget": "",
    }


# --- Periods ---------------------------------------------------------------------------


def test_the_database_refuses_a_renewal_starting_inside_the_first_period(basin):
    PeriodFactory(basin=basin, name="Première", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    renewal = PeriodFactory.build(
        basin=basin, name="Renouvellement", start_date=D(2008, 6, 1), end_date=D(2011, 6, 30)
    )
    with pytest.raises(IntegrityError, match="chevauche"), transaction.atomic():
        renewal.save()  # bypassing every form and service: the trigger holds the rule
    assert ProgrammePeriod.objects.filter(basin=basin).count() == 1


def test_the_database_refuses_an_update_moving_a_period_onto_another(basin):
    PeriodFactory(basin=basin, name="Première", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    renewal = PeriodFactory(
        basin=basin, name="Renouvellement", start_date=D(2008, 7, 1), end_date=D(2011, 6, 30)
    )
    with pytest.raises(IntegrityError, match="chevauche"), transaction.atomic():
        ProgrammePeriod.objects.filter(pk=renewal.pk).update(start_date=D(2008, 6, 30))


def test_periods_that_follow_each_other_or_belong_to_other_basins_are_accepted(basin):
    PeriodFactory(basin=basin, name="Première", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    PeriodFactory(basin=basin, name="Suite", start_date=D(2008, 7, 1), end_date=D(2011, 6, 30))
    PeriodFactory(basin=BasinFactory(), start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    assert ProgrammePeriod.objects.count() == 3


def test_the_period_form_names_the_period_in_the_way(staff_client, basin):
    PeriodFactory(basin=basin, name="Première", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    response = staff_client.post(
        reverse("alize:period_create"),
        period_data(basin, "Renouvellement", "2008-06-01", "2011-06-30"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors["start_date"]
    assert errors == [
        "Cette période chevauche la période « Première » du même bassin (du 01/07/2005 au "
        "30/06/2008) : deux périodes d'un bassin ne peuvent avoir aucun jour en commun."
    ]
    assert not ProgrammePeriod.objects.filter(name="Renouvellement").exists()


def test_editing_a_renewal_to_start_inside_the_first_period_is_refused(staff_client, basin):
    PeriodFactory(basin=basin, name="Première", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    renewal = PeriodFactory(
        basin=basin, name="Renouvellement", start_date=D(2008, 7, 1), end_date=D(2011, 6, 30)
    )
    response = staff_client.post(
        reverse("alize:period_update", args=[renewal.pk]),
        period_data(basin, "Renouvellement", "2007-01-01", "2011-06-30"),
    )
    assert "chevauche la période « Première »" in response.context["form"].errors["start_date"][0]
    renewal.refresh_from_db()
    assert renewal.start_date == D(2008, 7, 1)


# --- Sane dates ------------------------------------------------------------------------


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31", "1989-12-31", "2101-01-01"])
def test_the_period_form_refuses_dates_outside_1990_2100(staff_client, basin, typed):
    response = staff_client.post(
        reverse("alize:period_create"), period_data(basin, "Folle", typed, "2100-12-31")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == [
        "Saisissez une date comprise entre 1990 et 2100."
    ]
    assert not ProgrammePeriod.objects.exists()


def test_the_database_refuses_a_year_outside_the_bounds(basin):
    period = PeriodFactory(basin=basin)
    with pytest.raises(IntegrityError, match="period_end_sane_year"), transaction.atomic():
        ProgrammePeriod.objects.filter(pk=period.pk).update(end_date=D(9999, 12, 31))


def test_an_sme_may_have_been_founded_long_before_1990():
    from pme.models import Pme

    validators = Pme._meta.get_field("founding_date").validators
    assert YearRange(1800, 2100) in validators
    YearRange(1800, 2100)(D(1874, 3, 1))  # an old family firm: accepted
    with pytest.raises(Exception, match="entre 1800 et 2100"):
        YearRange(1800, 2100)(D(1700, 1, 1))


def test_the_payment_form_refuses_year_one():
    from avances.forms import PaymentForm

    form = PaymentForm(
        {"paiement-paid_on": "0001-01-01", "paiement-amount": "100", "paiement-means": "virement"}
    )
    assert not form.is_valid()
    assert form.errors["paid_on"] == ["Saisissez une date comprise entre 1990 et 2100."]


def _form_classes():
    seen, todo = set(), [forms.BaseForm]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                todo.append(sub)
    ours = {app.name for app in apps.get_app_configs() if not app.name.startswith("django")}
    return sorted(
        (
            cls
            for cls in seen
            if cls.__module__.split(".")[0] in ours and "admin" not in cls.__module__
        ),
        key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
    )


def test_every_date_a_user_types_is_bounded():
    """Each date field of every form of the app (its own validators, or its model field's,
    which the model form runs) refuses the years outside its range."""
    import alize.urls  # noqa: F401 - every app's forms are imported with the URLs

    unbounded = []
    for cls in _form_classes():
        model = getattr(getattr(cls, "_meta", None), "model", None)
        for name, field in cls.base_fields.items():
            if not isinstance(field, forms.DateField | forms.DateTimeField):
                continue
            validators = list(field.validators)
            if model is not None and name in {f.name for f in model._meta.get_fields()}:
                validators += getattr(model._meta.get_field(name), "validators", [])
            if not any(isinstance(v, YearRange) for v in validators):
                unbounded.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
    assert unbounded == []


# --- A money form of the referential sent twice ------------------------------------------


def test_a_contribution_sent_twice_is_recorded_once(staff_client, basin):
    import re

    from alize.models import Contribution, Funder
    from tests.alize.factories import FunderFactory

    funder = FunderFactory(basin=basin, kind=Funder.Kind.LOCAL_AUTHORITY)
    period = PeriodFactory(basin=basin)
    url = reverse("alize:contribution_create", args=[funder.pk])
    token = re.search(
        r'name="once" value="([0-9a-f-]{36})"', staff_client.get(url).content.decode()
    )
    data = {
        "period": period.pk,
        "committed": "45 000",
        "paid": "0",
        "earmarked_for_advances": "0",
        "comment": "",
        "once": token.group(1),
    }
    assert staff_client.post(url, data).status_code == 302
    second = staff_client.post(url, data, follow=True)
    assert second.redirect_chain[-1][0] == funder.get_absolute_url()
    assert "rien de plus n&#x27;a été enregistré" in second.content.decode()
    assert Contribution.objects.filter(funder=funder).count() == 1
