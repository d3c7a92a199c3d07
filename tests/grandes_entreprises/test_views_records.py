"""The operator's screens of a corporation's record: create and edit the corporation (a
local site of a group), its contacts, its programme memberships, its coordinators and its
committee representatives.

Each page is for the operators of the corporation's basin: another basin's operator and a
coordinator get a 404, whatever the method; bad input is a French message at status 200
and nothing is saved.
"""

import datetime

import pytest
from pghistory.models import Events

from alize.models import Funder, Role
from grandes_entreprises.models import Corporation, CorporationContact, Membership
from tests.alize.factories import FunderFactory, PeriodFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationContactFactory,
    CorporationFactory,
    MembershipFactory,
)
from tests.grandes_entreprises.test_views import login, text, url

pytestmark = pytest.mark.django_db

VALEO = {
    "group_name": "Valeo",
    "site_name": "Valeo, Étaples",
    "sector": "Équipementier automobile",
    "headcount": "110000",
}


@pytest.fixture
def other_staff_client(client, other_basin):
    return login(client, make_user(Role.STAFF, other_basin))


def assert_not_found_for(client, addresses, data=None):
    for address in addresses:
        assert client.get(address).status_code in (404, 405), address
        assert client.post(address, data or {}).status_code == 404, address


# --- The corporation ----------------------------------------------------------------------


def test_the_list_offers_a_new_corporation_to_operators_only(
    staff_client, client, corporation, coordinator
):
    assert url("corporation_create") in staff_client.get(url("corporation_list")).content.decode()
    login(client, coordinator)
    assert url("corporation_create") not in client.get(url("corporation_list")).content.decode()


def test_staff_create_a_corporation(staff_client, staff, basin, other_basin):
    funder = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION, name="Fondation Valeo")
    FunderFactory(basin=other_basin, kind=Funder.Kind.CORPORATION, name="Fondation ailleurs")
    page = staff_client.get(url("corporation_create"))
    assert page.status_code == 200
    assert "Fondation Valeo" in text(page)
    assert "Fondation ailleurs" not in text(page)
    assert other_basin.name not in text(page)

    response = staff_client.post(
        url("corporation_create"), {**VALEO, "basin": basin.pk, "funder": funder.pk}
    )

    corporation = Corporation.objects.get(group_name="Valeo")
    assert response.status_code == 302
    assert response.url == corporation.get_absolute_url()
    assert (corporation.basin, corporation.funder, corporation.headcount) == (basin, funder, 110000)
    event = Events.objects.tracks(corporation).get()
    assert event.pgh_context["user"] == staff.pk


def test_a_duplicate_site_is_refused_in_french(staff_client, basin, corporation):
    response = staff_client.post(
        url("corporation_create"),
        {
            **VALEO,
            "group_name": corporation.group_name,
            "site_name": corporation.site_name,
            "basin": basin.pk,
        },
    )
    assert response.status_code == 200
    assert "Ce site de ce groupe est déjà enregistré dans ce bassin." in text(response)
    assert Corporation.objects.count() == 1


def test_a_site_is_known_by_its_siret_once(staff_client, basin, other_basin):
    CorporationFactory(basin=other_basin, group_name="Toyota", siret="35600000000048")
    response = staff_client.post(
        url("corporation_create"), {**VALEO, "basin": basin.pk, "siret": "356 000 000 00048"}
    )
    assert response.status_code == 200
    assert "Une grande entreprise porte déjà ce SIRET." in text(response)
    assert not Corporation.objects.filter(group_name="Valeo").exists()

    response = staff_client.post(
        url("corporation_create"), {**VALEO, "basin": basin.pk, "siret": "542 107 651 13030"}
    )
    corporation = Corporation.objects.get(group_name="Valeo")
    assert corporation.siret == "54210765113030"
    assert "54210765113030" in text(staff_client.get(response.url))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("siret", "35600000000049", "Ce SIRET n'existe pas : sa clé de contrôle est fausse."),
        ("siret", "3560000", "SIRET"),
        ("headcount", "0", "L'effectif du groupe compte au moins une personne."),
        ("headcount", "beaucoup", "Saisissez un nombre entier."),
        ("group_name", "", "Ce champ est obligatoire."),
    ],
)
def test_bad_input_is_refused_in_french(staff_client, basin, field, value, message):
    response = staff_client.post(
        url("corporation_create"), {**VALEO, "basin": basin.pk, field: value}
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Corporation.objects.exists()


def test_a_corporation_is_not_created_in_another_basin(staff_client, other_basin):
    response = staff_client.post(url("corporation_create"), {**VALEO, "basin": other_basin.pk})
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Corporation.objects.exists()


def test_another_site_of_the_group_starts_from_the_group(staff_client, corporation, other_basin):
    page = staff_client.get(url("corporation_create") + f"?site_de={corporation.pk}")
    assert f'value="{corporation.group_name}"' in page.content.decode()
    assert f'value="{corporation.sector}"' in page.content.decode()
    # A corporation the user does not read gives nothing away.
    hidden = CorporationFactory(basin=other_basin, group_name="Groupe caché", sector="Secret")
    page = staff_client.get(url("corporation_create") + f"?site_de={hidden.pk}")
    assert page.status_code == 200
    assert "Groupe caché" not in text(page)
    assert staff_client.get(url("corporation_create") + "?site_de=abc").status_code == 200


def test_the_corporation_page_lists_the_groups_other_sites(staff_client, corporation, basin):
    sibling = CorporationFactory(basin=basin, group_name=corporation.group_name, site_name="Reims")
    page = staff_client.get(corporation.get_absolute_url())
    assert sibling.get_absolute_url() in page.content.decode()
    assert f"{url('corporation_create')}?site_de={corporation.pk}" in page.content.decode()


def test_staff_edit_a_corporation(staff_client, corporation):
    page = staff_client.get(url("corporation_update", corporation.pk))
    assert page.status_code == 200
    assert 'name="basin"' not in page.content.decode()

    response = staff_client.post(
        url("corporation_update", corporation.pk),
        {**VALEO, "group_name": "Alstom", "site_name": "Valenciennes", "headcount": "61000"},
    )

    assert response.status_code == 302
    corporation.refresh_from_db()
    assert (corporation.site_name, corporation.headcount) == ("Valenciennes", 61000)


def test_an_edit_into_a_duplicate_site_is_refused(staff_client, corporation, other_corporation):
    response = staff_client.post(
        url("corporation_update", other_corporation.pk),
        {
            **VALEO,
            "group_name": corporation.group_name,
            "site_name": corporation.site_name,
        },
    )
    assert response.status_code == 200
    assert "Ce site de ce groupe est déjà enregistré dans ce bassin." in text(response)
    other_corporation.refresh_from_db()
    assert other_corporation.group_name == "Toyota"


def test_a_funder_already_carried_by_another_corporation_is_not_offered(
    staff_client, basin, corporation, other_corporation
):
    funder = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION, name="Fondation Alstom")
    corporation.funder = funder
    corporation.save()
    assert "Fondation Alstom" in text(staff_client.get(url("corporation_update", corporation.pk)))
    page = staff_client.get(url("corporation_update", other_corporation.pk))
    assert "Fondation Alstom" not in text(page)
    response = staff_client.post(
        url("corporation_update", other_corporation.pk),
        {**VALEO, "group_name": "Toyota", "funder": funder.pk},
    )
    assert response.status_code == 200
    other_corporation.refresh_from_db()
    assert other_corporation.funder is None


# --- Contacts -----------------------------------------------------------------------------


def test_staff_add_change_and_remove_a_contact(staff_client, corporation):
    response = staff_client.post(
        url("contact_create", corporation.pk),
        {"name": "Anne Martin", "role": "DRH", "email": "anne@alstom.test", "phone": ""},
    )
    assert response.status_code == 302
    contact = CorporationContact.objects.get(corporation=corporation)
    page = staff_client.get(corporation.get_absolute_url()).content.decode()
    assert url("contact_update", contact.pk) in page
    assert url("contact_delete", contact.pk) in page

    response = staff_client.post(
        url("contact_update", contact.pk),
        {"name": "Anne Martin", "role": "Directrice du site", "email": "", "phone": ""},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.role == "Directrice du site"

    assert "Supprimer le contact" in text(staff_client.get(url("contact_delete", contact.pk)))
    response = staff_client.post(url("contact_delete", contact.pk))
    assert response.status_code == 302
    assert not CorporationContact.objects.exists()


def test_a_contact_with_a_bad_address_is_refused(staff_client, corporation):
    response = staff_client.post(
        url("contact_create", corporation.pk), {"name": "Anne", "email": "anne@", "phone": "12"}
    )
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in text(response)
    assert not CorporationContact.objects.exists()


def test_another_basin_and_coordinators_do_not_touch_contacts(
    client, other_staff_client, corporation, coordinator
):
    contact = CorporationContactFactory(corporation=corporation, name="Anne Martin")
    addresses = [
        url("contact_create", corporation.pk),
        url("contact_update", contact.pk),
        url("contact_delete", contact.pk),
    ]
    assert_not_found_for(other_staff_client, addresses, {"name": "Piratage"})
    login(client, coordinator)
    assert_not_found_for(client, addresses, {"name": "Piratage"})
    contact.refresh_from_db()
    assert contact.name == "Anne Martin"
    assert CorporationContact.objects.count() == 1


# --- Programme memberships ----------------------------------------------------------------


@pytest.fixture
def period(basin):
    return PeriodFactory(basin=basin, name="Première période")  # 1/7/2005 – 30/6/2008


def test_staff_record_a_membership_then_end_it(staff_client, corporation, period):
    response = staff_client.post(
        url("membership_create", corporation.pk),
        {"period": period.pk, "joined_on": "2005-09-01", "left_on": ""},
    )
    assert response.status_code == 302
    membership = Membership.objects.get(corporation=corporation)
    assert (
        url("membership_end", membership.pk)
        in staff_client.get(corporation.get_absolute_url()).content.decode()
    )

    response = staff_client.post(url("membership_end", membership.pk), {"left_on": "2007-12-31"})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2007, 12, 31)


def test_a_second_membership_of_a_period_is_refused(staff_client, corporation, period):
    MembershipFactory(corporation=corporation, period=period)
    response = staff_client.post(
        url("membership_create", corporation.pk),
        {"period": period.pk, "joined_on": "2006-01-01", "left_on": ""},
    )
    assert response.status_code == 200
    assert "Cette entreprise participe déjà à cette période." in text(response)
    assert Membership.objects.get().joined_on == period.start_date


@pytest.mark.parametrize(
    ("joined_on", "left_on", "message"),
    [
        ("2004-01-01", "", "L'entrée se situe dans la période (01/07/2005 – 30/06/2008)."),
        ("2006-01-01", "2005-12-31", "La sortie ne peut précéder l'entrée dans le programme."),
        ("le 1er janvier", "", "Saisissez une date valide."),
    ],
)
def test_membership_dates_are_checked(
    staff_client, corporation, period, joined_on, left_on, message
):
    response = staff_client.post(
        url("membership_create", corporation.pk),
        {"period": period.pk, "joined_on": joined_on, "left_on": left_on},
    )
    assert response.status_code == 200
    assert message in text(response)
    assert not Membership.objects.exists()


def test_another_basins_period_is_not_offered(staff_client, corporation, period, other_basin):
    elsewhere = PeriodFactory(basin=other_basin, name="Période d'ailleurs")
    assert "Période d'ailleurs" not in text(
        staff_client.get(url("membership_create", corporation.pk))
    )
    response = staff_client.post(
        url("membership_create", corporation.pk),
        {"period": elsewhere.pk, "joined_on": "2006-01-01"},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Membership.objects.exists()


def test_a_leaving_date_before_joining_is_refused(staff_client, corporation, period):
    membership = MembershipFactory(
        corporation=corporation, period=period, joined_on=datetime.date(2006, 1, 1)
    )
    response = staff_client.post(url("membership_end", membership.pk), {"left_on": "2005-12-31"})
    assert response.status_code == 200
    assert "La sortie ne peut précéder l'entrée dans le programme." in text(response)
    membership.refresh_from_db()
    assert membership.left_on is None


def test_another_basin_and_coordinators_do_not_touch_memberships(
    client, other_staff_client, corporation, period, coordinator
):
    membership = MembershipFactory(corporation=corporation, period=period)
    addresses = [url("membership_create", corporation.pk), url("membership_end", membership.pk)]
    data = {"period": period.pk, "joined_on": "2006-01-01", "left_on": "2007-01-01"}
    assert_not_found_for(other_staff_client, addresses, data)
    login(client, coordinator)
    assert_not_found_for(client, addresses, data)
    membership.refresh_from_db()
    assert membership.left_on is None


# --- Coordinators and committee representatives -----------------------------------------


@pytest.mark.parametrize(
    ("kind", "role", "relation"),
    [
        ("coordinator", Role.COORDINATOR, "coordinators"),
        ("representative", Role.COMMITTEE_MEMBER, "committee_representatives"),
    ],
)
def test_staff_name_and_remove_a_holder(
    staff_client, corporation, other_basin, kind, role, relation
):
    person = make_user(role, corporation.basin)
    stranger = make_user(role, other_basin)
    wrong_role = make_user(Role.STEERING, corporation.basin)
    page = staff_client.get(url(f"{kind}_create", corporation.pk))
    assert person.email in text(page)
    assert stranger.email not in text(page)
    assert wrong_role.email not in text(page)

    # Someone the list does not offer is refused, nothing saved.
    for refused in (stranger, wrong_role):
        response = staff_client.post(url(f"{kind}_create", corporation.pk), {"user": refused.pk})
        assert response.status_code == 200
        assert "Sélectionnez un choix valide" in text(response)
    assert not getattr(corporation, relation).exists()

    response = staff_client.post(url(f"{kind}_create", corporation.pk), {"user": person.pk})
    assert response.status_code == 302
    assert list(getattr(corporation, relation).all()) == [person]
    detail = staff_client.get(corporation.get_absolute_url()).content.decode()
    assert url(f"{kind}_delete", corporation.pk, person.pk) in detail
    # Named already: no longer offered.
    assert person.email not in text(staff_client.get(url(f"{kind}_create", corporation.pk)))

    # Removal is a button (POST only).
    assert staff_client.get(url(f"{kind}_delete", corporation.pk, person.pk)).status_code == 405
    response = staff_client.post(url(f"{kind}_delete", corporation.pk, person.pk))
    assert response.status_code == 302
    assert not getattr(corporation, relation).exists()
    # Someone who is not named answers 404.
    response = staff_client.post(url(f"{kind}_delete", corporation.pk, person.pk))
    assert response.status_code == 404


@pytest.mark.parametrize("kind", ["coordinator", "representative"])
def test_another_basin_and_coordinators_do_not_name_holders(
    client, other_staff_client, corporation, coordinator, kind
):
    person = make_user(Role.COMMITTEE_MEMBER, corporation.basin)
    corporation.committee_representatives.add(person)
    addresses = [
        url(f"{kind}_create", corporation.pk),
        url(f"{kind}_delete", corporation.pk, coordinator.pk),
        url(f"{kind}_delete", corporation.pk, person.pk),
    ]
    assert_not_found_for(other_staff_client, addresses, {"user": person.pk})
    login(client, coordinator)
    assert_not_found_for(client, addresses, {"user": person.pk})
    assert list(corporation.coordinators.all()) == [coordinator]
    assert list(corporation.committee_representatives.all()) == [person]


def test_the_corporation_page_shows_coordinators_and_the_screens(staff_client, corporation):
    coordinator = make_user(Role.COORDINATOR, corporation.basin)
    corporation.coordinators.add(coordinator)
    page = staff_client.get(corporation.get_absolute_url())
    html = page.content.decode()
    assert coordinator.email in html
    assert "Jamais connecté(e)" in text(page)
    for name in (
        "corporation_update",
        "expert_create",
        "daily_rate_create",
        "contact_create",
        "membership_create",
        "coordinator_create",
        "representative_create",
    ):
        assert url(name, corporation.pk) in html, name


def test_a_coordinator_sees_no_management_links(client, coordinator, corporation):
    login(client, coordinator)
    html = client.get(corporation.get_absolute_url()).content.decode()
    for name in ("corporation_update", "contact_create", "membership_create", "coordinator_create"):
        assert url(name, corporation.pk) not in html, name
