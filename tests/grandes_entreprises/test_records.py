"""The writers behind the operator's screens of a corporation's record: the corporation,
its contacts, its programme memberships, its coordinators and committee representatives.

Each refuses another basin's operator and a coordinator, refuses bad input with a French
message, saves nothing when it refuses and names the user in the audit trail.
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from pghistory.models import Events

from alize.models import Funder, Role
from grandes_entreprises.models import Corporation, CorporationContact, Membership
from grandes_entreprises.services import (
    add_committee_representative,
    add_coordinator,
    add_membership,
    create_corporation,
    end_membership,
    remove_committee_representative,
    remove_contact,
    update_contact,
    update_corporation,
)
from tests.alize.factories import FunderFactory, PeriodFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationContactFactory, MembershipFactory

pytestmark = pytest.mark.django_db

VALEO = {"group_name": "Valeo", "site_name": "Valeo, Étaples", "sector": "Équipementier"}


def corporation_data(basin, **overrides):
    return {**VALEO, "headcount": 110000, "basin": basin, **overrides}


def audit_user(obj) -> int:
    """Who the newest audit event of an object names."""
    event = Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id").first()
    return event.pgh_context["user"]


# --- The corporation ----------------------------------------------------------------------


def test_create_corporation_names_the_user_in_the_audit_trail(staff, basin):
    corporation = create_corporation(by=staff, data=corporation_data(basin))
    assert corporation.basin == basin
    assert audit_user(corporation) == staff.pk


def test_a_site_already_registered_is_refused_in_french(staff, basin):
    create_corporation(by=staff, data=corporation_data(basin))
    with pytest.raises(ValidationError, match="Ce site de ce groupe est déjà enregistré"):
        create_corporation(by=staff, data=corporation_data(basin, sector="Autre"))
    assert Corporation.objects.count() == 1


def test_a_site_registered_at_the_same_moment_is_refused_in_french(staff, basin, monkeypatch):
    """The race: full_clean sees no duplicate, the database constraint does."""
    create_corporation(by=staff, data=corporation_data(basin))
    monkeypatch.setattr(Corporation, "full_clean", lambda self, *a, **k: None)
    with pytest.raises(ValidationError, match="Ce site de ce groupe est déjà enregistré"):
        create_corporation(by=staff, data=corporation_data(basin))
    assert Corporation.objects.count() == 1


def test_the_same_site_in_another_basin_is_another_record(staff, basin, other_basin):
    create_corporation(by=staff, data=corporation_data(basin))
    other = make_user(Role.STAFF, other_basin)
    create_corporation(by=other, data=corporation_data(other_basin))
    assert Corporation.objects.count() == 2


@pytest.mark.parametrize("role", [Role.COORDINATOR, Role.ADMIN, Role.COMMITTEE_MEMBER])
def test_only_the_basins_operators_create_a_corporation(basin, other_basin, role):
    with pytest.raises(PermissionDenied):
        create_corporation(by=make_user(Role.STAFF, other_basin), data=corporation_data(basin))
    with pytest.raises(PermissionDenied):
        create_corporation(by=make_user(role, basin), data=corporation_data(basin))
    assert not Corporation.objects.exists()


def test_a_funder_of_another_kind_or_basin_is_refused(staff, basin, other_basin):
    state = FunderFactory(basin=basin, kind=Funder.Kind.STATE)
    with pytest.raises(ValidationError) as error:
        create_corporation(by=staff, data=corporation_data(basin, funder=state))
    assert "funder" in error.value.message_dict
    elsewhere = FunderFactory(basin=other_basin, kind=Funder.Kind.CORPORATION)
    with pytest.raises(ValidationError, match="appartient à un autre bassin"):
        create_corporation(by=staff, data=corporation_data(basin, funder=elsewhere))
    assert not Corporation.objects.exists()


def test_update_corporation(manager, corporation):
    update_corporation(
        corporation=corporation, by=manager, data={"sector": "Ferroviaire", "headcount": 61000}
    )
    corporation.refresh_from_db()
    assert (corporation.sector, corporation.headcount) == ("Ferroviaire", 61000)
    assert audit_user(corporation) == manager.pk


def test_update_into_another_site_of_the_basin_is_refused(staff, corporation, other_corporation):
    with pytest.raises(ValidationError, match="Ce site de ce groupe est déjà enregistré"):
        update_corporation(
            corporation=other_corporation,
            by=staff,
            data={"group_name": corporation.group_name, "site_name": corporation.site_name},
        )
    other_corporation.refresh_from_db()
    assert other_corporation.group_name == "Toyota"


def test_update_by_another_basin_or_a_coordinator_is_refused(corporation, other_basin, coordinator):
    for user in (make_user(Role.MANAGER, other_basin), coordinator):
        with pytest.raises(PermissionDenied):
            update_corporation(corporation=corporation, by=user, data={"sector": "Piratage"})
    corporation.refresh_from_db()
    assert corporation.sector != "Piratage"


def test_the_basin_of_a_corporation_is_not_changed(staff, corporation, other_basin):
    with pytest.raises(TypeError):
        update_corporation(corporation=corporation, by=staff, data={"basin": other_basin})


# --- Contacts -----------------------------------------------------------------------------


def test_update_and_remove_a_contact(staff, corporation):
    contact = CorporationContactFactory(corporation=corporation, name="Anne Martin")
    update_contact(contact=contact, by=staff, data={"role": "DRH", "phone": "03 27 00 00 00"})
    contact.refresh_from_db()
    assert (contact.role, contact.phone) == ("DRH", "03 27 00 00 00")
    remove_contact(contact=contact, by=staff)
    assert not CorporationContact.objects.exists()
    deleted = Events.objects.filter(pgh_obj_model="grandes_entreprises.CorporationContact")
    assert deleted.filter(pgh_label="delete", pgh_obj_id=str(contact.pk)).exists()
    assert deleted.get(pgh_label="delete").pgh_context["user"] == staff.pk


def test_a_contact_with_a_bad_address_is_refused(staff, corporation):
    contact = CorporationContactFactory(corporation=corporation, email="anne@groupe.test")
    with pytest.raises(ValidationError) as error:
        update_contact(contact=contact, by=staff, data={"email": "pas une adresse"})
    assert "email" in error.value.message_dict
    contact.refresh_from_db()
    assert contact.email == "anne@groupe.test"


def test_another_basin_neither_changes_nor_removes_a_contact(corporation, other_basin):
    contact = CorporationContactFactory(corporation=corporation, name="Anne Martin")
    other = make_user(Role.STAFF, other_basin)
    with pytest.raises(PermissionDenied):
        update_contact(contact=contact, by=other, data={"name": "Piratage"})
    with pytest.raises(PermissionDenied):
        remove_contact(contact=contact, by=other)
    contact.refresh_from_db()
    assert contact.name == "Anne Martin"


# --- Programme memberships ----------------------------------------------------------------


@pytest.fixture
def period(corporation):
    return PeriodFactory(basin=corporation.basin)  # 1 July 2005 – 30 June 2008


def test_add_then_end_a_membership(staff, corporation, period):
    membership = add_membership(
        corporation=corporation, period=period, joined_on=datetime.date(2005, 9, 1), by=staff
    )
    assert membership.left_on is None
    end_membership(membership=membership, left_on=datetime.date(2007, 12, 31), by=staff)
    membership.refresh_from_db()
    assert membership.left_on == datetime.date(2007, 12, 31)
    assert audit_user(membership) == staff.pk


def test_a_second_membership_of_the_same_period_is_refused(staff, corporation, period):
    MembershipFactory(corporation=corporation, period=period)
    with pytest.raises(ValidationError, match="participe déjà à cette période"):
        add_membership(
            corporation=corporation, period=period, joined_on=period.start_date, by=staff
        )
    assert Membership.objects.get().joined_on == period.start_date


@pytest.mark.parametrize(
    ("left_on", "message"),
    [
        (datetime.date(2005, 8, 31), "La sortie ne peut précéder l'entrée"),
        (datetime.date(2008, 7, 1), "au plus tard à la fin de la période"),
    ],
)
def test_a_leaving_date_outside_the_membership_is_refused(
    staff, corporation, period, left_on, message
):
    membership = MembershipFactory(
        corporation=corporation, period=period, joined_on=datetime.date(2005, 9, 1)
    )
    with pytest.raises(ValidationError, match=message):
        end_membership(membership=membership, left_on=left_on, by=staff)
    membership.refresh_from_db()
    assert membership.left_on is None


def test_memberships_are_the_basins_operators_work(corporation, period, other_basin, coordinator):
    membership = MembershipFactory(corporation=corporation, period=period)
    for user in (make_user(Role.STAFF, other_basin), coordinator):
        with pytest.raises(PermissionDenied):
            add_membership(
                corporation=corporation, period=period, joined_on=period.start_date, by=user
            )
        with pytest.raises(PermissionDenied):
            end_membership(membership=membership, left_on=period.end_date, by=user)
    membership.refresh_from_db()
    assert membership.left_on is None


# --- Coordinators and committee representatives -----------------------------------------


def test_a_person_of_another_basin_is_not_named(staff, corporation, other_basin):
    stranger = make_user(Role.COORDINATOR, other_basin)
    with pytest.raises(ValidationError, match="ne travaille pas dans le bassin"):
        add_coordinator(corporation=corporation, user=stranger, by=staff)
    member = make_user(Role.COMMITTEE_MEMBER, other_basin)
    with pytest.raises(ValidationError, match="ne travaille pas dans le bassin"):
        add_committee_representative(corporation=corporation, user=member, by=staff)
    assert not corporation.coordinators.exists()
    assert not corporation.committee_representatives.exists()


def test_a_deactivated_account_is_not_named(staff, corporation):
    user = make_user(Role.COORDINATOR, corporation.basin)
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError, match="est désactivé"):
        add_coordinator(corporation=corporation, user=user, by=staff)
    assert not corporation.coordinators.exists()


def test_remove_a_committee_representative(staff, corporation, other_basin):
    member = make_user(Role.COMMITTEE_MEMBER, corporation.basin)
    add_committee_representative(corporation=corporation, user=member, by=staff)
    with pytest.raises(PermissionDenied):
        remove_committee_representative(
            corporation=corporation, user=member, by=make_user(Role.MANAGER, other_basin)
        )
    assert list(corporation.committee_representatives.all()) == [member]
    remove_committee_representative(corporation=corporation, user=member, by=staff)
    assert not corporation.committee_representatives.exists()
