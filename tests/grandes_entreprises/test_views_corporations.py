"""The operator's forms about a corporation: its experts, its daily rate, its revitalisation
conventions and the payments under them (the amount due computed, the balance shown)."""

import datetime
from decimal import Decimal

import pytest

from grandes_entreprises.models import (
    ConventionPayment,
    DailyRate,
    Expert,
    RevitalisationConvention,
)
from pme.models import Need
from tests.grandes_entreprises.factories import (
    MISSION_START,
    CorporationFactory,
    DayLogFactory,
    RevitalisationConventionFactory,
)
from tests.grandes_entreprises.test_views import login, text, url
from tests.pme.factories import HireFactory

pytestmark = pytest.mark.django_db


# --- Experts and daily rates ---------------------------------------------------------------------


def test_staff_add_and_change_an_expert(staff_client, corporation):
    response = staff_client.post(
        url("expert_create", corporation.pk),
        {"name": "Paul Qualité", "job_title": "Auditeur", "domains": ["qualite", "production"]},
    )
    assert response.status_code == 302
    expert = Expert.objects.get(name="Paul Qualité")
    assert expert.domains == [Need.PRODUCTION, Need.QUALITY]
    assert expert.is_active is False  # an unchecked box

    response = staff_client.post(
        url("expert_update", expert.pk),
        {
            "name": "Paul Qualité",
            "job_title": "Responsable qualité",
            "domains": ["qualite"],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    expert.refresh_from_db()
    assert (expert.job_title, expert.domains, expert.is_active) == (
        "Responsable qualité",
        [Need.QUALITY],
        True,
    )


def test_an_expert_needs_a_domain(staff_client, corporation):
    response = staff_client.post(
        url("expert_create", corporation.pk), {"name": "Paul", "job_title": "Auditeur"}
    )
    assert response.status_code == 200
    assert "Indiquez au moins un domaine d'expertise." in text(response)
    assert not Expert.objects.filter(name="Paul").exists()


def test_coordinators_do_not_manage_the_corporation(client, coordinator, corporation, expert):
    login(client, coordinator)
    for address in (
        url("expert_create", corporation.pk),
        url("expert_update", expert.pk),
        url("daily_rate_create", corporation.pk),
        url("convention_create", corporation.pk),
    ):
        assert client.get(address).status_code == 404, address


def test_staff_set_a_daily_rate_once_per_date(staff_client, corporation):
    data = {"rate": "650,00", "valid_from": "2008-01-01", "comment": "Revalorisation"}
    assert staff_client.post(url("daily_rate_create", corporation.pk), data).status_code == 302
    assert corporation.rate_on(datetime.date(2008, 2, 1)) == Decimal("650.00")

    again = staff_client.post(url("daily_rate_create", corporation.pk), {**data, "rate": "700"})
    assert again.status_code == 200
    assert "Cette entreprise a déjà une valeur en vigueur à cette date." in text(again)
    assert DailyRate.objects.filter(corporation=corporation).count() == 2


# --- Revitalisation conventions ---------------------------------------------------------------


def convention_data(**overrides):
    data = {
        "reference": "REV-2025-014",
        "signature_date": "2025-03-14",
        "jobs_eliminated": "120",
        "employees_reclassified": "20",
        "multiple": "2",
        "jobs_to_recreate": "100",
    }
    data.update(overrides)
    return data


@pytest.mark.parametrize(
    ("multiple", "due"), [("2", "360 360,00 €"), ("4", "720 720,00 €"), ("2,5", "450 450,00 €")]
)
def test_staff_record_a_convention_and_its_amount_is_computed(
    staff_client, corporation, multiple, due
):
    response = staff_client.post(
        url("convention_create", corporation.pk), convention_data(multiple=multiple)
    )
    convention = RevitalisationConvention.objects.get()
    assert response.status_code == 302
    assert response.url == convention.get_absolute_url()
    page = text(staff_client.get(convention.get_absolute_url()))
    # (120 − 20) × multiple × 1 801,80 € (the SMIC of 1 November 2024).
    assert f"Montant dû {due}" in page
    assert "1 801,80 € (en vigueur depuis le 01/11/2024)" in page
    assert f"Reste dû {due}" in page


def test_without_a_convention_the_firm_owes_4_smic(staff_client, corporation):
    refused = staff_client.post(
        url("convention_create", corporation.pk),
        convention_data(without_convention="on", multiple="2"),
    )
    assert refused.status_code == 200
    assert "Sans convention, la contribution est de 4 SMIC mensuels" in text(refused)
    assert not RevitalisationConvention.objects.exists()

    staff_client.post(
        url("convention_create", corporation.pk),
        convention_data(without_convention="on", multiple=""),
    )
    assert RevitalisationConvention.objects.get().amount_due == Decimal("720720.00")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"employees_reclassified": "130"}, "ne peuvent pas dépasser les emplois supprimés"),
        ({"multiple": "5"}, "Le multiple du SMIC mensuel est compris entre 2 et 4."),
        ({"multiple": ""}, "Indiquez le multiple du SMIC fixé par le préfet."),
        ({"signature_date": "2004-01-01"}, "Aucun SMIC n'est connu au 01/01/2004"),
    ],
)
def test_a_refused_convention_is_shown_and_nothing_saved(
    staff_client, corporation, overrides, message
):
    response = staff_client.post(
        url("convention_create", corporation.pk), convention_data(**overrides)
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not RevitalisationConvention.objects.exists()


def test_a_small_firm_has_no_revitalisation_obligation(staff_client, basin):
    small = CorporationFactory(basin=basin, small=True)
    response = staff_client.post(url("convention_create", small.pk), convention_data())
    assert "au moins 1 000 salariés" in text(response)
    assert not RevitalisationConvention.objects.exists()


def test_payments_bring_the_balance_down_but_not_below_zero(staff_client, corporation):
    convention = RevitalisationConventionFactory(corporation=corporation, floor=True)
    # Due: 100 × 2 × 1 801,80 € = 360 360,00 €.
    paid = staff_client.post(
        url("payment_create", convention.pk),
        {"paid_on": "2025-06-30", "amount": "300 000"},
    )
    assert paid.status_code == 302
    too_much = staff_client.post(
        url("payment_create", convention.pk), {"paid_on": "2025-07-31", "amount": "60 360,01"}
    )
    assert too_much.status_code == 200
    assert "au-delà du montant dû (360 360,00 €)" in text(too_much)
    assert ConventionPayment.objects.count() == 1

    page = text(staff_client.get(convention.get_absolute_url()))
    assert "Versé au programme Alizé 300 000,00 €" in page
    assert "Reste dû 60 360,00 €" in page


def test_the_convention_page_counts_what_the_corporation_gave(
    staff_client, corporation, mission, expert
):
    convention = RevitalisationConventionFactory(
        corporation=corporation,
        signature_date=datetime.date(2007, 1, 15),
        smic_monthly=Decimal("1254.28"),
        smic_valid_from=datetime.date(2006, 7, 1),
        jobs_to_recreate=10,
    )
    DayLogFactory(mission=mission, expert=expert, date=MISSION_START)
    HireFactory(dossier=mission.dossier, hire_date=datetime.date(2007, 9, 3))

    page = text(staff_client.get(convention.get_absolute_url()))

    assert "Jours donnés par ses experts 1 jour" in page
    assert "Valeur des compétences données 600,00 €" in page
    assert "Emplois créés dans ces PME 1 sur 10 à recréer (reste 9)" in page
