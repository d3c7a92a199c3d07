"""Money of a contribution entering the basin's advance fund, from the fund's page: the
operators of the basin record it; more than the part earmarked for advances, a date in
the future or a contribution of another basin is a French refusal and nothing is saved."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from alize.models import Role
from avances.models import FundMovement
from avances.selectors import fund_balance
from tests.alize.factories import ContributionFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def contribution(basin):
    return ContributionFactory(
        funder__basin=basin,
        funder__name="Conseil régional",
        committed=Decimal("45000.00"),
        earmarked_for_advances=Decimal("30000.00"),
    )


def entry(contribution, amount, on="2026-01-15"):
    return {
        "entree-contribution": contribution.pk,
        "entree-amount": amount,
        "entree-on": on,
        "entree-label": "Virement de la Région",
    }


def test_staff_record_money_received_into_the_fund(client, basin, contribution):
    client.force_login(make_user(Role.STAFF, basin))
    fund_page = client.get(reverse("avances:fund_detail", args=[basin.pk])).content.decode()
    address = reverse("avances:fund_entry", args=[basin.pk])
    assert address in fund_page
    assert "Conseil régional" in client.get(address).content.decode()
    response = client.post(address, entry(contribution, "20 000,00"))
    assert response.status_code == 302
    assert "entrée au fonds est enregistrée." in client.get(response.url).content.decode()
    assert fund_balance(basin.pk).cash == Decimal("20000.00")
    movement = FundMovement.objects.get()
    assert (movement.on, movement.contribution) == (datetime.date(2026, 1, 15), contribution)


@pytest.mark.parametrize(
    ("amount", "on", "message"),
    [
        ("30 000,01", "2026-01-15", "au-delà de sa part fléchée vers les avances"),
        ("0", "2026-01-15", "ne peut pas être nul"),
        ("-5", "2026-01-15", "ne peut retirer plus que ce qui a été enregistré"),
        ("1000", "2099-01-01", "dans le futur"),
        ("mille", "2026-01-15", "montant"),
    ],
)
def test_wrong_entries_are_refused_in_french(client, basin, contribution, amount, on, message):
    client.force_login(make_user(Role.STAFF, basin))
    response = client.post(
        reverse("avances:fund_entry", args=[basin.pk]), entry(contribution, amount, on)
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FundMovement.objects.exists()


def test_another_basins_contribution_is_not_offered(client, basin, other_basin, contribution):
    foreign = ContributionFactory(funder__basin=other_basin, earmarked_for_advances=Decimal("1"))
    client.force_login(make_user(Role.STAFF, basin))
    response = client.post(reverse("avances:fund_entry", args=[basin.pk]), entry(foreign, "1"))
    assert response.status_code == 200
    assert "Choisissez une contribution de ce bassin." in response.content.decode()
    assert not FundMovement.objects.exists()


def test_the_administrator_and_other_basins_get_a_404(client, basin, other_basin, contribution):
    address = reverse("avances:fund_entry", args=[basin.pk])
    for user in (make_user(Role.ADMIN), make_user(Role.STAFF, other_basin)):
        client.force_login(user)
        assert client.get(address).status_code == 404
        assert client.post(address, entry(contribution, "10")).status_code == 404
    assert not FundMovement.objects.exists()
