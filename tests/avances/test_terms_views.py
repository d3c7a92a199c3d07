"""A basin's terms for its advances on the manager's screen: the defaults new advances
start from and the dated reference rates; staff read them, another basin gets a 404, bad
input is a French message and nothing is saved."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from alize.models import Role
from avances.models import BasinAdvanceSettings, Frequency, ReferenceRate
from avances.services import default_terms
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

TERMS = {
    "action": "conditions",
    "conditions-default_duration_months": "48",
    "conditions-default_grace_months": "12",
    "conditions-default_frequency": Frequency.QUARTERLY,
}
RATE = {
    "action": "taux",
    "taux-valid_from": "2026-01-01",
    "taux-annual_rate_percent": "3,91",
    "taux-source": "Commission européenne",
}


def page(basin):
    return reverse("avances:basin_terms", args=[basin.pk])


def test_the_manager_sets_the_default_terms(client, basin):
    client.force_login(make_user(Role.MANAGER, basin))
    response = client.post(page(basin), TERMS)
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "Les conditions par défaut sont enregistrées" in html
    assert default_terms(basin.pk) == {
        "duration_months": 48,
        "grace_months": 12,
        "frequency": Frequency.QUARTERLY,
    }


def test_the_manager_adds_the_basins_rate_and_the_page_says_which_is_in_force(client, basin):
    client.force_login(make_user(Role.MANAGER, basin))
    html = client.get(page(basin)).content.decode()
    assert "Aucun taux en vigueur" in html
    response = client.post(page(basin), RATE)
    assert response.status_code == 302
    rate = ReferenceRate.objects.get()
    assert (rate.basin, rate.valid_from, rate.annual_rate_percent) == (
        basin,
        datetime.date(2026, 1, 1),
        Decimal("3.910"),
    )
    html = client.get(page(basin)).content.decode()
    assert "Le taux de référence est enregistré." in html and "3,91" in html
    # A manager sets their basin's rate, never the national one.
    assert "taux national" not in html.lower().replace("(taux national)", "")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({**TERMS, "conditions-default_grace_months": "48"}, "inférieure ou égale à 12"),
        ({**TERMS, "conditions-default_duration_months": "12"}, "différé"),
        ({**TERMS, "conditions-default_duration_months": "trois ans"}, "nombre entier"),
        ({**RATE, "taux-annual_rate_percent": "-1"}, "supérieure ou égale à 0"),
        ({**RATE, "taux-annual_rate_percent": "beaucoup"}, "Saisissez un taux"),
        ({**RATE, "taux-valid_from": "31/02/2026"}, "date valide"),
    ],
)
def test_wrong_entries_are_refused_in_french_and_nothing_changes(client, basin, data, message):
    client.force_login(make_user(Role.MANAGER, basin))
    response = client.post(page(basin), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ReferenceRate.objects.exists()
    assert default_terms(basin.pk)["duration_months"] == 36


def test_a_second_rate_on_the_same_day_is_refused(client, basin):
    client.force_login(make_user(Role.MANAGER, basin))
    client.post(page(basin), RATE)
    response = client.post(page(basin), {**RATE, "taux-annual_rate_percent": "4"})
    assert response.status_code == 200
    assert "Ce bassin a déjà un taux en vigueur à cette date." in response.content.decode()
    assert ReferenceRate.objects.count() == 1


def test_the_administrator_sets_the_national_rate(client, basin):
    client.force_login(make_user(Role.ADMIN))
    response = client.post(page(basin), {**RATE, "taux-national": "on"})
    assert response.status_code == 302
    assert ReferenceRate.objects.get().basin is None


def test_staff_read_the_terms_and_may_not_change_them(client, basin):
    client.force_login(make_user(Role.STAFF, basin))
    html = client.get(page(basin)).content.decode()
    assert "36 mois" in html and "Enregistrer les conditions" not in html
    assert client.post(page(basin), TERMS).status_code == 404
    assert client.post(page(basin), {**RATE, "taux-national": "on"}).status_code == 404
    assert not BasinAdvanceSettings.objects.filter(default_duration_months=48).exists()
    assert not ReferenceRate.objects.exists()


def test_another_basins_manager_gets_a_404(client, basin, other_basin):
    client.force_login(make_user(Role.MANAGER, other_basin))
    assert client.get(page(basin)).status_code == 404
    assert client.post(page(basin), TERMS).status_code == 404
