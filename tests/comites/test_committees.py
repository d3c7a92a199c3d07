"""Committees and mandates: one of each kind per basin, one chair at a time."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alize.models import Role
from comites import services
from comites.models import ONE_CHAIR_MESSAGE, OVERLAPPING_MANDATE_MESSAGE, CommitteeMembership
from comites.workflow import CommitteeKind, MemberRole
from tests.alize.factories import UserFactory
from tests.comites.factories import (
    AttendanceFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
)
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationFactory

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_manager_creates_one_committee_of_each_kind(basin, manager):
    approval = services.create_committee(basin=basin, kind=CommitteeKind.APPROVAL, by=manager)
    steering = services.create_committee(
        basin=basin, kind=CommitteeKind.STEERING, by=manager, chair_casting_vote=False
    )
    assert (approval.quorum_numerator, approval.quorum_denominator) == (1, 2)
    assert approval.chair_casting_vote and approval.notice_days == 5
    assert not steering.chair_casting_vote
    with pytest.raises(ValidationError) as refused:
        services.create_committee(basin=basin, kind=CommitteeKind.APPROVAL, by=manager)
    assert "Ce bassin a déjà un comité de cette nature." in refused.value.messages


def test_staff_and_other_basins_managers_do_not_create_committees(basin, other_basin, staff):
    with pytest.raises(PermissionDenied):
        services.create_committee(basin=basin, kind=CommitteeKind.APPROVAL, by=staff)
    with pytest.raises(PermissionDenied):
        services.create_committee(
            basin=basin, kind=CommitteeKind.APPROVAL, by=make_user(Role.MANAGER, other_basin)
        )


def test_quorum_rule_must_be_a_fraction(basin, manager):
    committee = CommitteeFactory(basin=basin)
    with pytest.raises(ValidationError) as refused:
        services.update_committee_rules(
            committee=committee, by=manager, quorum_numerator=3, quorum_denominator=2
        )
    assert "Le quorum est une fraction comprise entre 0 et 1." in refused.value.messages
    services.update_committee_rules(
        committee=committee, by=manager, quorum_numerator=2, quorum_denominator=3
    )
    committee.refresh_from_db()
    assert committee.quorum_numerator == 2


def test_one_chair_at_a_time(basin, manager):
    committee = CommitteeFactory(basin=basin)
    services.appoint_member(
        committee=committee,
        person=UserFactory(),
        role=MemberRole.CHAIR,
        organisation="Saint-Gobain",
        start_date=D(2005, 7, 1),
        end_date=D(2008, 6, 30),
        by=manager,
    )
    with pytest.raises(ValidationError) as refused:
        services.appoint_member(
            committee=committee,
            person=UserFactory(),
            role=MemberRole.CHAIR,
            organisation="Vallourec",
            start_date=D(2008, 6, 30),
            by=manager,
        )
    assert ONE_CHAIR_MESSAGE in refused.value.messages
    # The day after, the chair is free; members are not limited.
    services.appoint_member(
        committee=committee,
        person=UserFactory(),
        role=MemberRole.CHAIR,
        organisation="Vallourec",
        start_date=D(2008, 7, 1),
        by=manager,
    )
    for _ in range(2):
        services.appoint_member(
            committee=committee,
            person=UserFactory(),
            role=MemberRole.MEMBER,
            organisation="Toyota",
            start_date=D(2006, 1, 1),
            by=manager,
        )


def test_the_database_keeps_one_chair_at_a_time(basin):
    committee = CommitteeFactory(basin=basin)
    MembershipFactory(committee=committee, chair=True, start_date=D(2005, 7, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitteeMembership.objects.create(
            committee=committee,
            person=UserFactory(),
            organisation="Vallourec",
            role=MemberRole.CHAIR,
            start_date=D(2010, 1, 1),
        )


def test_the_chair_passes_from_saint_gobain_to_vallourec(basin, manager):
    committee = CommitteeFactory(basin=basin)
    saint_gobain = CorporationFactory(basin=basin, group_name="Saint-Gobain")
    vallourec = CorporationFactory(basin=basin, group_name="Vallourec")
    hr_director = UserFactory(first_name="Claire", last_name="Delattre")
    outgoing = MembershipFactory(committee=committee, chair=True, corporation=saint_gobain)
    # Vallourec's HR director sat as a member before taking the chair.
    MembershipFactory(committee=committee, person=hr_director, corporation=vallourec)

    chair = services.change_chair(
        committee=committee,
        person=hr_director,
        corporation=vallourec,
        start_date=D(2008, 7, 1),
        by=manager,
    )

    outgoing.refresh_from_db()
    assert outgoing.end_date == D(2008, 6, 30)
    assert chair.organisation == "Vallourec" and chair.end_date is None
    chairs = CommitteeMembership.objects.chairs().filter(committee=committee)
    assert chairs.active_on(D(2008, 6, 30)).get().corporation == saint_gobain
    assert chairs.active_on(D(2008, 7, 1)).get().person == hr_director
    assert committee.memberships.filter(person=hr_director).active_on(D(2008, 7, 1)).count() == 1


def test_a_member_seated_today_takes_the_chair_with_the_same_mandate(basin, manager):
    # An invitation gives a member's seat from today; the manager then hands them the chair.
    committee = CommitteeFactory(basin=basin)
    person = UserFactory()
    seat = MembershipFactory(
        committee=committee, person=person, organisation="Toyota", start_date=D(2026, 12, 3)
    )
    chair = services.change_chair(
        committee=committee, person=person, start_date=D(2026, 12, 3), by=manager
    )
    assert chair.pk == seat.pk
    assert (chair.role, chair.organisation, chair.end_date) == (MemberRole.CHAIR, "Toyota", None)
    assert committee.memberships.filter(person=person).count() == 1


def test_a_person_holds_one_mandate_at_a_time(basin, manager):
    committee = CommitteeFactory(basin=basin)
    person = UserFactory()
    MembershipFactory(committee=committee, person=person, start_date=D(2005, 7, 1))
    with pytest.raises(ValidationError) as refused:
        services.appoint_member(
            committee=committee,
            person=person,
            role=MemberRole.SECRETARY,
            organisation="CCI",
            start_date=D(2007, 1, 1),
            by=manager,
        )
    assert OVERLAPPING_MANDATE_MESSAGE in refused.value.messages


def test_the_corporation_of_a_member_is_of_the_committees_basin(basin, other_basin, manager):
    committee = CommitteeFactory(basin=basin)
    with pytest.raises(ValidationError) as refused:
        services.appoint_member(
            committee=committee,
            person=UserFactory(),
            role=MemberRole.MEMBER,
            corporation=CorporationFactory(basin=other_basin),
            start_date=D(2007, 1, 1),
            by=manager,
        )
    assert refused.value.message_dict["corporation"] == [
        "Cette entreprise appartient à un autre bassin que le comité."
    ]


def test_a_mandate_does_not_end_before_a_session_it_sat_in(basin, manager):
    committee = CommitteeFactory(basin=basin)
    member = MembershipFactory(committee=committee)
    session = SessionFactory(committee=committee, sitting=True)
    AttendanceFactory(session=session, membership=member)
    yesterday = session.day - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        services.end_mandate(membership=member, end_date=yesterday, by=manager)
    assert "a siégé à la séance du" in refused.value.messages[0]
    services.end_mandate(membership=member, end_date=session.day, by=manager)
    with pytest.raises(ValidationError):
        services.end_mandate(membership=member, end_date=D(2005, 1, 1), by=manager)
