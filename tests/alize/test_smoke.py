import pytest
from django.urls import reverse

from alize.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_home_lists_their_basin(staff_client, basin):
    response = staff_client.get(reverse("home"))
    assert response.status_code == 200
    assert basin.name in response.content.decode()


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        (Role.STAFF, "Référentiel", "Vos rapports"),
        (Role.MANAGER, "Référentiel", "Vos rapports"),
        (Role.COMMITTEE_MEMBER, "Comité d'agrément", "Référentiel"),
        (Role.STEERING, "Comité de pilotage", "Référentiel"),
        (Role.FUNDER, "Vos rapports", "Référentiel"),
        (Role.ADMIN, "Administration", "Vos rapports"),
    ],
)
def test_home_page_shows_each_role_what_it_needs(client, basin, role, shown, hidden):
    client.force_login(make_user(role, basin))
    main = client.get(reverse("home")).content.decode().split('<main id="contenu"')[1]
    assert shown in main
    assert hidden not in main
