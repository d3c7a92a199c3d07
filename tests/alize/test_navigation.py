"""No page of a non-administrator links to the Django admin; a manager's home page leads to
their own screens (users, referential) instead."""

import re

import pytest
from django.urls import reverse

from alize.models import Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

ADMIN_LINK = re.compile(r'href="/admin/')


def links(html: str) -> set[str]:
    return set(re.findall(r'href="([^"#]+)"', html))


@pytest.mark.parametrize("role", [role for role in Role.values if role != Role.ADMIN])
def test_no_admin_link_for_other_roles(client, basin, role):
    client.force_login(make_user(role, basin))
    for url in (reverse("home"), reverse("password_change")):
        html = client.get(url).content.decode()
        assert not ADMIN_LINK.search(html), f"{role} voit un lien vers l'administration ({url})"


def test_the_administrator_keeps_the_admin_link(client):
    client.force_login(make_user(Role.ADMIN))
    html = client.get(reverse("home")).content.decode()
    assert ADMIN_LINK.search(html)
    assert reverse("alize:user_list") in links(html)


def test_the_managers_home_links_to_their_screens(client, basin):
    client.force_login(make_user(Role.MANAGER, basin))
    found = links(client.get(reverse("home")).content.decode())
    assert {
        reverse("alize:user_list"),
        reverse("alize:basin_list"),
        reverse("alize:epci_list"),
        reverse("alize:commune_list"),
    } <= found


def test_staff_do_not_get_the_users_link(client, basin):
    client.force_login(make_user(Role.STAFF, basin))
    assert reverse("alize:user_list") not in links(client.get(reverse("home")).content.decode())
