"""The committee creation screen: an operator manager sets up a committee of their basin
from the committees list, then appoints its members and chair on its page."""

import datetime

import pytest
from django.urls import reverse

from alize.models import Role
from comites.models import Committee, CommitteeMembership
from comites.workflow import CommitteeKind, MemberRole
from tests.alize.factories import UserFactory
from tests.comites.factories import CommitteeFactory
from tests.comites.test_views import login, text
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

CREATE = reverse("comites:committee_create")


def form_data(basin, **changes):
    return {
        "basin": basin.pk,
        "kind": CommitteeKind.APPROVAL,
        "name": "Comité d'agrément du Valenciennois",
        "quorum_numerator": "2",
        "quorum_denominator": "3",
        "chair_casting_vote": "on",
        "notice_days": "7",
        **changes,
    }


def test_a_manager_creates_a_committee_then_appoints_its_chair_and_members(client, basin, manager):
    login(client, manager)
    listing = client.get(reverse("comites:committee_list")).content.decode()
    assert f'href="{CREATE}"' in listing

    response = client.post(CREATE, form_data(basin))

    committee = Committee.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("comites:committee_detail", args=[committee.pk])
    assert (committee.basin, committee.kind, committee.name) == (
        basin,
        CommitteeKind.APPROVAL,
        "Comité d'agrément du Valenciennois",
    )
    assert (committee.quorum_numerator, committee.quorum_denominator) == (2, 3)
    assert committee.chair_casting_vote and committee.notice_days == 7

    # Then the existing screens: a chair and a member.
    chair, member = UserFactory(), UserFactory()
    for person, role in ((chair, MemberRole.CHAIR), (member, MemberRole.MEMBER)):
        response = client.post(
            reverse("comites:member_appoint", args=[committee.pk]),
            {
                "person": person.pk,
                "role": role,
                "organisation": "Sous-préfecture",
                "start_date": f"{datetime.date.today():%Y-%m-%d}",
            },
        )
        assert response.status_code == 302, text(response)
    assert set(CommitteeMembership.objects.values_list("person", "role")) == {
        (chair.pk, MemberRole.CHAIR),
        (member.pk, MemberRole.MEMBER),
    }


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"quorum_numerator": "3", "quorum_denominator": "2"}, "Le quorum est une fraction"),
        ({"notice_days": "90"}, "Le délai de convocation tient en 60 jours au plus."),
        ({"kind": "autre"}, "Sélectionnez un choix valide"),
    ],
)
def test_bad_rules_are_refused_in_french(client, basin, manager, changes, message):
    response = login(client, manager).post(CREATE, form_data(basin, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert not Committee.objects.exists()


def test_a_second_committee_of_the_same_kind_is_refused(client, basin, manager):
    CommitteeFactory(basin=basin, kind=CommitteeKind.APPROVAL)
    response = login(client, manager).post(CREATE, form_data(basin))
    assert response.status_code == 200
    assert "Ce bassin a déjà un comité de cette nature." in text(response)
    assert Committee.objects.count() == 1


def test_another_basins_manager_cannot_create_one_here(client, basin, other_basin):
    other_manager = make_user(Role.MANAGER, other_basin)
    login(client, other_manager)
    page = text(client.get(CREATE))
    assert other_basin.name in page and basin.name not in page

    response = client.post(CREATE, form_data(basin))

    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text(response)
    assert not Committee.objects.exists()


@pytest.mark.parametrize("role", [Role.STAFF, Role.ADMIN, Role.COMMITTEE_MEMBER])
def test_only_managers_open_the_screen(client, basin, role):
    user = make_user(role, basin)
    login(client, user)
    assert client.get(CREATE).status_code == 404
    assert client.post(CREATE, form_data(basin)).status_code == 404
    listing = client.get(reverse("comites:committee_list"))
    assert CREATE not in listing.content.decode()
    assert not Committee.objects.exists()
