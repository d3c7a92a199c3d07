import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alize.models import Funder, Role
from grandes_entreprises.models import (
    Corporation,
    DailyRate,
    Expert,
    Membership,
    SupportMission,
)
from grandes_entreprises.services import (
    add_committee_representative,
    add_contact,
    add_coordinator,
    add_expert,
    create_corporation,
    record_membership,
    remove_coordinator,
    set_daily_rate,
    update_corporation,
    update_expert,
)
from pme.models import Need
from tests.alize.factories import FunderFactory, PeriodFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    ExpertFactory,
    SupportMissionFactory,
)

pytestmark = pytest.mark.django_db


def toyota_data(basin, **overrides):
    data = {
        "group_name": "Toyota",
        "site_name": "Toyota Motor Manufacturing France, Onnaing",
        "sector": "Construction automobile",
        "headcount": 300000,
        "basin": basin,
    }
    data.update(overrides)
    return data


# --- Corporations --------------------------------------------------------------------------


def test_create_corporation(staff, basin):
    funder = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION, name="Toyota")
    toyota = create_corporation(by=staff, data=toyota_data(basin, funder=funder))
    assert str(toyota) == "Toyota – Toyota Motor Manufacturing France, Onnaing"
    assert funder.corporation == toyota


def test_funder_must_be_a_corporation_of_the_same_basin(staff, basin, other_basin):
    for funder in (
        FunderFactory(basin=basin, kind=Funder.Kind.STATE),
        FunderFactory(basin=other_basin, kind=Funder.Kind.CORPORATION),
    ):
        with pytest.raises(ValidationError) as error:
            create_corporation(by=staff, data=toyota_data(basin, funder=funder))
        assert "funder" in error.value.message_dict
    assert not Corporation.objects.exists()


def test_one_funder_per_corporation(staff, basin):
    funder = FunderFactory(basin=basin, kind=Funder.Kind.CORPORATION)
    create_corporation(by=staff, data=toyota_data(basin, funder=funder))
    with pytest.raises(ValidationError) as error:
        create_corporation(by=staff, data=toyota_data(basin, site_name="Autre site", funder=funder))
    assert "funder" in error.value.message_dict


def test_same_site_twice_refused(staff, basin):
    create_corporation(by=staff, data=toyota_data(basin))
    with pytest.raises(ValidationError, match="Ce site de ce groupe est déjà enregistré"):
        create_corporation(by=staff, data=toyota_data(basin))
    assert Corporation.objects.count() == 1


@pytest.mark.parametrize("headcount", [0, -10])
def test_headcount_positive(staff, basin, headcount):
    with pytest.raises(ValidationError) as error:
        create_corporation(by=staff, data=toyota_data(basin, headcount=headcount))
    assert "headcount" in error.value.message_dict


def test_corporation_in_another_basin_refused(staff, other_basin, coordinator):
    for user in (staff, coordinator, make_user(Role.ADMIN)):
        with pytest.raises(PermissionDenied):
            create_corporation(by=user, data=toyota_data(other_basin))
    assert not Corporation.objects.filter(basin=other_basin).exists()


def test_unknown_fields_are_a_programming_error(staff, basin):
    with pytest.raises(TypeError):
        create_corporation(by=staff, data=toyota_data(basin, coordinators=[]))


def test_update_corporation(staff, corporation, other_basin):
    update_corporation(corporation=corporation, by=staff, data={"headcount": 61000})
    corporation.refresh_from_db()
    assert corporation.headcount == 61000
    with pytest.raises(PermissionDenied):
        update_corporation(
            corporation=corporation, by=make_user(Role.STAFF, other_basin), data={"headcount": 1}
        )
    with pytest.raises(TypeError):
        update_corporation(corporation=corporation, by=staff, data={"basin": other_basin})


# --- Contacts and experts -------------------------------------------------------------------


def test_add_contact(staff, corporation):
    contact = add_contact(
        corporation=corporation,
        by=staff,
        data={"name": "Marie Leroy", "role": "Responsable qualité", "phone": "03 27 00 00 00"},
    )
    assert str(contact) == "Marie Leroy (Responsable qualité)"


def test_contact_phone_checked(staff, corporation):
    with pytest.raises(ValidationError) as error:
        add_contact(corporation=corporation, by=staff, data={"name": "X", "phone": "abc"})
    assert "phone" in error.value.message_dict


def test_add_expert_with_pme_domains(staff, corporation):
    expert = add_expert(
        corporation=corporation,
        by=staff,
        data={
            "name": "Paul Morel",
            "job_title": "Responsable qualité",
            "domains": [Need.QUALITY, Need.MANAGEMENT, Need.QUALITY],
        },
    )
    # One entry per domain, in the order of the needs' choices.
    assert expert.domains == [Need.MANAGEMENT, Need.QUALITY]
    assert expert.domains_labels == ["Management", "Qualité"]


@pytest.mark.parametrize(("domains", "message"), [([], "au moins un"), (["astrologie"], "")])
def test_expert_domains_checked(staff, corporation, domains, message):
    with pytest.raises(ValidationError) as error:
        add_expert(
            corporation=corporation,
            by=staff,
            data={"name": "X", "job_title": "Y", "domains": domains},
        )
    assert "domains" in error.value.message_dict
    assert message in str(error.value)
    assert not Expert.objects.exists()


def test_database_refuses_unknown_domains(corporation):
    with (
        pytest.raises(IntegrityError, match="expert_domains_known"),
        transaction.atomic(),
    ):
        ExpertFactory(corporation=corporation, domains=["astrologie"])


def test_update_expert(staff, expert):
    update_expert(expert=expert, by=staff, data={"is_active": False})
    expert.refresh_from_db()
    assert not expert.is_active


def test_coordinator_does_not_manage_experts(coordinator, corporation, expert):
    with pytest.raises(PermissionDenied):
        add_expert(
            corporation=corporation,
            by=coordinator,
            data={"name": "X", "job_title": "Y", "domains": [Need.HR]},
        )
    with pytest.raises(PermissionDenied):
        update_expert(expert=expert, by=coordinator, data={"name": "Z"})


# --- Memberships ----------------------------------------------------------------------------


def test_membership_per_period(staff, corporation):
    first = PeriodFactory(basin=corporation.basin, name="Première période")
    renewal = PeriodFactory(
        basin=corporation.basin,
        name="Renouvellement",
        start_date=datetime.date(2008, 7, 1),
        end_date=datetime.date(2011, 6, 30),
    )
    record_membership(corporation=corporation, period=first, joined_on=first.start_date, by=staff)
    record_membership(
        corporation=corporation,
        period=renewal,
        joined_on=renewal.start_date,
        left_on=datetime.date(2010, 12, 31),
        by=staff,
    )
    assert list(Corporation.objects.members_of(renewal)) == [corporation]
    # Recording it again updates the dates.
    record_membership(
        corporation=corporation, period=renewal, joined_on=renewal.start_date, by=staff
    )
    assert Membership.objects.get(period=renewal).left_on is None
    assert Membership.objects.count() == 2


@pytest.mark.parametrize(
    ("joined_on", "left_on", "field"),
    [
        (datetime.date(2005, 6, 30), None, "joined_on"),
        (datetime.date(2008, 7, 1), None, "joined_on"),
        (datetime.date(2006, 1, 1), datetime.date(2008, 7, 1), "left_on"),
        (datetime.date(2006, 1, 1), datetime.date(2005, 12, 31), "__all__"),
    ],
)
def test_membership_dates_within_the_period(staff, corporation, joined_on, left_on, field):
    period = PeriodFactory(basin=corporation.basin)  # 1 July 2005 – 30 June 2008
    with pytest.raises(ValidationError) as error:
        record_membership(
            corporation=corporation, period=period, joined_on=joined_on, left_on=left_on, by=staff
        )
    assert field in error.value.message_dict
    assert not Membership.objects.exists()


def test_membership_of_another_basins_period_refused(staff, corporation, other_basin):
    period = PeriodFactory(basin=other_basin)
    with pytest.raises(ValidationError) as error:
        record_membership(
            corporation=corporation, period=period, joined_on=period.start_date, by=staff
        )
    assert "period" in error.value.message_dict


# --- Coordinators and committee representatives --------------------------------------------


def test_add_and_remove_coordinator(staff, corporation):
    user = make_user(Role.COORDINATOR, corporation.basin)
    add_coordinator(corporation=corporation, user=user, by=staff)
    assert list(user.coordinated_corporations.all()) == [corporation]
    remove_coordinator(corporation=corporation, user=user, by=staff)
    assert not user.coordinated_corporations.exists()


def test_coordinator_needs_the_role(staff, corporation):
    with pytest.raises(ValidationError, match="n'a pas le rôle « Coordinateur"):
        add_coordinator(
            corporation=corporation, user=make_user(Role.STAFF, corporation.basin), by=staff
        )
    assert not corporation.coordinators.exists()


def test_coordinators_are_named_by_the_operator(coordinator, corporation):
    with pytest.raises(PermissionDenied):
        add_coordinator(
            corporation=corporation,
            user=make_user(Role.COORDINATOR, corporation.basin),
            by=coordinator,
        )


def test_committee_representative(staff, corporation):
    member = make_user(Role.COMMITTEE_MEMBER, corporation.basin)
    add_committee_representative(corporation=corporation, user=member, by=staff)
    assert list(member.represented_corporations.all()) == [corporation]
    with pytest.raises(ValidationError, match="Membre du comité d'agrément"):
        add_committee_representative(
            corporation=corporation, user=make_user(Role.STAFF, corporation.basin), by=staff
        )


def test_coordinator_changes_are_in_the_audit_trail(staff, corporation):
    events = apps.get_model("grandes_entreprises", "CorporationCoordinatorEvent")
    user = make_user(Role.COORDINATOR, corporation.basin)
    add_coordinator(corporation=corporation, user=user, by=staff)
    remove_coordinator(corporation=corporation, user=user, by=staff)
    trail = events.objects.filter(user=user, corporation=corporation).order_by("pgh_id")
    assert list(trail.values_list("pgh_label", flat=True)) == ["add", "remove"]
    assert trail.first().pgh_context.metadata["user"] == staff.pk


# --- Daily rates ----------------------------------------------------------------------------


def test_rate_history(staff, basin):
    corporation = CorporationFactory(basin=basin)
    set_daily_rate(
        corporation=corporation,
        rate=Decimal("500"),
        valid_from=datetime.date(2005, 7, 1),
        by=staff,
    )
    set_daily_rate(
        corporation=corporation,
        rate=Decimal("550.50"),
        valid_from=datetime.date(2008, 7, 1),
        by=staff,
        comment="Renouvellement",
    )
    assert corporation.rate_on(datetime.date(2005, 6, 30)) is None
    assert corporation.rate_on(datetime.date(2005, 7, 1)) == Decimal("500")
    assert corporation.rate_on(datetime.date(2008, 6, 30)) == Decimal("500")
    assert corporation.rate_on(datetime.date(2008, 7, 1)) == Decimal("550.50")
    annotated = Corporation.objects.with_current_rate(datetime.date(2007, 1, 1)).get(
        pk=corporation.pk
    )
    assert annotated.daily_rate == Decimal("500")


@pytest.mark.parametrize("rate", ["0", "-100"])
def test_rate_positive(staff, corporation, rate):
    with pytest.raises(ValidationError) as error:
        set_daily_rate(
            corporation=corporation,
            rate=Decimal(rate),
            valid_from=datetime.date(2009, 1, 1),
            by=staff,
        )
    assert "rate" in error.value.message_dict


def test_one_rate_per_date(staff, corporation):
    with pytest.raises(ValidationError, match="déjà une valeur en vigueur à cette date"):
        set_daily_rate(
            corporation=corporation,
            rate=Decimal("900"),
            valid_from=datetime.date(2005, 7, 1),
            by=staff,
        )
    assert DailyRate.objects.filter(corporation=corporation).count() == 1


def test_coordinator_does_not_set_rates(coordinator, corporation):
    with pytest.raises(PermissionDenied):
        set_daily_rate(
            corporation=corporation,
            rate=Decimal("900"),
            valid_from=datetime.date(2009, 1, 1),
            by=coordinator,
        )


# --- Who sees what -------------------------------------------------------------------------


@pytest.fixture
def landscape(basin, other_basin, corporation, other_corporation):
    """Two corporations with a mission each in the basin, one corporation elsewhere."""
    far = CorporationFactory(basin=other_basin)
    return {
        "mine": SupportMissionFactory(corporation=corporation),
        "neighbour": SupportMissionFactory(corporation=other_corporation),
        "far": SupportMissionFactory(corporation=far),
        "far_corporation": far,
    }


def test_operators_see_their_basin(landscape, staff, manager, corporation, other_corporation):
    for user in (staff, manager):
        assert set(Corporation.objects.visible_to(user)) == {corporation, other_corporation}
        assert set(SupportMission.objects.visible_to(user)) == {
            landscape["mine"],
            landscape["neighbour"],
        }


def test_coordinator_sees_only_their_corporation(landscape, coordinator, corporation):
    assert list(Corporation.objects.visible_to(coordinator)) == [corporation]
    assert list(SupportMission.objects.visible_to(coordinator)) == [landscape["mine"]]


def test_coordinator_of_two_corporations(landscape, coordinator, other_corporation):
    other_corporation.coordinators.add(coordinator)
    assert SupportMission.objects.visible_to(coordinator).count() == 2


def test_coordinated_corporation_listed_once(landscape, coordinator, corporation, staff):
    # A corporation with several coordinators, seen by one who is also operator staff.
    corporation.coordinators.add(make_user(Role.COORDINATOR))
    staff.groups.add(*coordinator.groups.all())
    corporation.coordinators.add(staff)
    staff = type(staff).objects.get(pk=staff.pk)  # forget the cached roles
    assert Corporation.objects.visible_to(staff).filter(pk=corporation.pk).count() == 1


def test_admin_sees_everything(landscape):
    admin = make_user(Role.ADMIN)
    assert SupportMission.objects.visible_to(admin).count() == 3


@pytest.mark.parametrize(
    "role", [Role.STEERING, Role.FUNDER, Role.COMMITTEE_MEMBER, Role.COORDINATOR, None]
)
def test_others_see_nothing_for_now(landscape, basin, role):
    user = make_user(role, basin)
    assert not Corporation.objects.visible_to(user).exists()
    assert not SupportMission.objects.visible_to(user).exists()


def test_anonymous_sees_nothing(landscape):
    assert not Corporation.objects.visible_to(AnonymousUser()).exists()
    assert not SupportMission.objects.visible_to(AnonymousUser()).exists()


def test_visible_to_is_one_query(landscape, coordinator, django_assert_num_queries):
    coordinator = type(coordinator).objects.get(pk=coordinator.pk)
    coordinator.roles  # noqa: B018 - the roles are read once per request, as the middleware does
    with django_assert_num_queries(1):
        list(SupportMission.objects.visible_to(coordinator).with_related())
