"""Headers and sessions: no page is cached, browser features are switched off, sessions end
when idle, with the browser for operators, and when an account is closed or its password
changes; the accessibility statement is public and linked from every page."""

import time

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alize.middleware import SIGNED_IN_AT, last_seen_key
from alize.models import Role
from tests.alize.headers import assert_security_headers
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-de-test"  # UserFactory's
NEW_PASSWORD = "un-nouveau-mot-de-passe-solide"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def is_signed_out(client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response.url.startswith(reverse("login"))


# --- Headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url_name", ["login", "healthz", "password_reset", "accessibility"])
def test_public_responses_carry_the_headers(client, url_name):
    assert_security_headers(client.get(reverse(url_name)), url_name)


def test_signed_in_pages_and_exports_are_never_stored(basin):
    client = signed_in(make_user(Role.STAFF, basin))
    for url_name in ("home", "pme:pme_list", "pme:pme_export_csv", "pme:dossier_export_xlsx"):
        response = client.get(reverse(url_name))
        assert response.status_code == 200, url_name
        assert_security_headers(response, url_name)


def test_the_permissions_policy_switches_off_unused_features(client):
    policy = client.get(reverse("login"))["Permissions-Policy"]
    assert "camera=()" in policy and "geolocation=()" in policy
    assert "publickey-credentials-get=(self)" in policy


# --- Sessions --------------------------------------------------------------------------------


def idle_for(client, seconds: int) -> None:
    key = last_seen_key(client.session.session_key)
    assert cache.get(key) is not None
    cache.set(key, int(time.time()) - seconds)


def signed_in_for(client, seconds: int) -> None:
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - seconds
    session.save()


def test_an_idle_session_is_signed_out_with_a_french_message(basin):
    client = signed_in(make_user(Role.STAFF, basin))
    assert settings.SESSION_IDLE_TIMEOUT == 30 * 60
    idle_for(client, 29 * 60)
    assert client.get(reverse("home")).status_code == 200
    idle_for(client, 31 * 60)

    response = client.get(reverse("pme:pme_list"), follow=True)

    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "après 30 minutes d&#x27;inactivité" in response.content.decode()
    assert is_signed_out(client)


def test_activity_keeps_a_session_open_but_not_past_its_lifetime(basin):
    client = signed_in(make_user(Role.FUNDER, basin))
    idle_for(client, 20 * 60)
    assert client.get(reverse("home")).status_code == 200
    # The request moved the last activity forward.
    assert int(time.time()) - cache.get(last_seen_key(client.session.session_key)) < 60
    signed_in_for(client, settings.SESSION_COOKIE_AGE + 60)
    assert is_signed_out(client)


def test_tracking_activity_writes_nothing_to_the_database(basin):
    client = signed_in(make_user(Role.STAFF, basin))
    idle_for(client, 25 * 60)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    sessions = [q["sql"] for q in queries if "django_session" in q["sql"]]
    writes = [sql for sql in sessions if not sql.startswith("SELECT")]
    assert writes == []
    assert int(time.time()) - cache.get(last_seen_key(client.session.session_key)) < 60


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER, Role.ADMIN])
def test_operators_sessions_end_with_the_browser(client, basin, role):
    user = make_user(role, basin)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_other_roles_keep_their_session_cookie_for_its_lifetime(client, basin):
    user = make_user(Role.FUNDER, basin)
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_deactivating_an_account_anywhere_ends_its_sessions(basin):
    user = make_user(Role.STAFF, basin)
    theirs = signed_in(user)
    user.refresh_from_db()
    # As the admin site does: the flag, then save.
    user.is_active = False
    user.save()
    user.is_active = True
    user.save()
    assert is_signed_out(theirs)


def test_changing_ones_password_ends_the_other_sessions_only(basin):
    user = make_user(Role.STAFF, basin)
    other_browser = signed_in(user)
    this_browser = signed_in(user)

    response = this_browser.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    assert response.status_code == 302
    assert this_browser.get(reverse("home")).status_code == 200
    assert is_signed_out(other_browser)


def test_a_password_set_by_someone_else_ends_every_session(basin):
    user = make_user(Role.STAFF, basin)
    theirs = signed_in(user)
    user.refresh_from_db()
    user.set_password(NEW_PASSWORD)
    user.save()
    assert is_signed_out(theirs)


def test_a_role_change_leaves_the_sessions_open(basin):
    user = make_user(Role.STAFF, basin)
    theirs = signed_in(user)
    user.refresh_from_db()
    user.groups.add(Group.objects.get(name=Role.MANAGER))
    user.first_name = "Renommée"
    user.save()
    assert theirs.get(reverse("home")).status_code == 200


# --- Accessibility ---------------------------------------------------------------------------


def test_the_accessibility_statement_is_public_and_in_every_footer(client, basin):
    response = client.get(reverse("accessibility"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "Déclaration d'accessibilité" in content
    assert "RGAA" in content and "partiellement conforme" in content
    assert "Aucun audit complet n'a encore été réalisé" in content
    assert settings.ACCESSIBILITY_CONTACT_EMAIL in content
    assert "Défenseur des droits" in content
    link = f'href="{reverse("accessibility")}"'
    assert link in client.get(reverse("login")).content.decode()
    assert link in signed_in(make_user(Role.STAFF, basin)).get(reverse("home")).content.decode()
