import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_home_lists_their_basin(staff_client, basin):
    response = staff_client.get(reverse("home"))
    assert response.status_code == 200
    assert basin.name in response.content.decode()
