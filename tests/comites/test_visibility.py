"""Who sees which sessions and dossiers: members their committee's sessions from the
convocation on, operators their basin's, others nothing."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from alize.models import Role
from comites import services
from comites.models import AgendaItem, Committee, Session, visible_dossiers
from tests.comites.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
    in_days,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(board, other_basin):
    """A draft and a convened session of the approval committee, a convened session of
    the basin's steering committee and one of another basin, each with a dossier."""
    draft = SessionFactory(committee=board.committee, starts_at=in_days(30))
    convened = SessionFactory(committee=board.committee, convened=True)
    steering = SessionFactory(
        committee=CommitteeFactory(basin=board.basin, steering=True), convened=True
    )
    elsewhere = SessionFactory(committee=CommitteeFactory(basin=other_basin), convened=True)
    items = {
        name: AgendaItemFactory(session=session)
        for name, session in {
            "draft": draft,
            "convened": convened,
            "elsewhere": elsewhere,
        }.items()
    }
    return {
        "draft": draft,
        "convened": convened,
        "sitting": board.session,
        "steering": steering,
        "elsewhere": elsewhere,
        "items": items,
    }


def visible(user) -> set[int]:
    return set(Session.objects.visible_to(user).values_list("pk", flat=True))


def test_a_member_sees_his_committees_sessions_from_the_convocation_on(board, scene):
    member = board.members[1].person
    assert visible(member) == {scene["convened"].pk, scene["sitting"].pk}
    dossiers = set(visible_dossiers(member).values_list("pk", flat=True))
    assert dossiers == {scene["items"]["convened"].dossier_id}
    assert set(AgendaItem.objects.visible_to(member)) == {scene["items"]["convened"]}
    assert set(Committee.objects.visible_to(member)) == {board.committee}


def test_the_dossier_becomes_visible_at_the_convocation(board, scene, staff):
    member = board.members[1].person
    draft_dossier = scene["items"]["draft"].dossier_id
    assert draft_dossier not in set(visible_dossiers(member).values_list("pk", flat=True))
    services.convene_session(session=scene["draft"], by=staff)
    assert draft_dossier in set(visible_dossiers(member).values_list("pk", flat=True))


def test_a_mandate_covers_the_sessions_of_its_time(board, scene):
    former = MembershipFactory(
        committee=board.committee,
        start_date=datetime.date(2005, 7, 1),
        end_date=datetime.date(2008, 6, 30),
    )
    assert visible(former.person) == set()


def test_a_steering_member_sees_the_steering_sessions_only(board, scene):
    sub_prefect = MembershipFactory(committee=scene["steering"].committee, chair=True)
    assert visible(sub_prefect.person) == {scene["steering"].pk}
    assert not visible_dossiers(sub_prefect.person).exists()


def test_operators_see_all_their_basins_sessions(board, scene, staff):
    assert visible(staff) == {
        scene[name].pk for name in ("draft", "convened", "sitting", "steering")
    }
    assert set(visible_dossiers(staff).values_list("pk", flat=True)) == {
        scene["items"][name].dossier_id for name in ("draft", "convened")
    }


def test_others_see_nothing(board, scene, other_basin):
    for user in (
        AnonymousUser(),
        make_user(None),
        make_user(Role.STEERING, board.basin),  # the role alone is no mandate
        make_user(Role.COMMITTEE_MEMBER, board.basin),
        make_user(Role.FUNDER, board.basin),
        make_user(Role.STAFF, other_basin),
    ):
        assert visible(user) <= {scene["elsewhere"].pk}, user
        assert scene["convened"].pk not in visible(user)
    assert visible(make_user(Role.STAFF, other_basin)) == {scene["elsewhere"].pk}
    assert not visible_dossiers(AnonymousUser()).exists()


def test_administrators_see_everything(board, scene):
    assert visible(make_user(Role.ADMIN)) == set(Session.objects.values_list("pk", flat=True))
