"""The indicators API's tokens: they expire, rotate, are rate-limited; their secret is shown
once on a page no cache keeps; the API's docs are for the operators only."""

import datetime
import io
import re

import pytest
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from alize.models import Role
from pilotage.models import ApiToken, hash_token
from tests.alize.headers import cache_directives
from tests.conftest import make_user
from tests.pilotage.test_reports import make_programme

pytestmark = pytest.mark.django_db

BASINS = "/api/v1/basins/"


def get(client, secret, url=BASINS):
    return client.get(url, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def admin_client(client):
    client.force_login(make_user(Role.ADMIN))
    return client


# --- Expiry ----------------------------------------------------------------------------------


@override_settings(API_TOKEN_LIFETIME_DAYS=90)
def test_a_token_expires_after_the_configured_lifetime():
    token, _ = ApiToken.issue(name="Alizé national")
    lifetime = token.expires_at - timezone.now()
    assert datetime.timedelta(days=89) < lifetime <= datetime.timedelta(days=90)


def test_a_token_works_until_it_expires_then_gets_a_french_401(client):
    token, secret = ApiToken.issue(name="Alizé national")
    assert get(client, secret).status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.make_aware(datetime.datetime(2026, 3, 1, 12))
    )

    response = get(client, secret)

    assert response.status_code == 401
    assert response.json() == {
        "detail": "Jeton d'accès expiré depuis le 01/03/2026 : demandez à l'administrateur "
        "d'Alizé de le renouveler."
    }
    assert response["WWW-Authenticate"].startswith('Bearer error="invalid_token"')


# --- Rotation --------------------------------------------------------------------------------


def test_rotation_gives_a_new_secret_and_refuses_the_old_one(client):
    token, old = ApiToken.issue(name="Alizé national")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now())

    new = token.rotate()

    assert new != old
    token.refresh_from_db()
    assert token.token_hash == hash_token(new)
    assert token.rotated_at is not None and not token.is_expired
    assert get(client, new).status_code == 200
    response = get(client, old)
    assert response.status_code == 401
    assert response.json() == {"detail": "Jeton d'accès absent ou invalide."}


def test_the_command_rotates_a_token_and_prints_the_new_secret_once(client):
    _, old = ApiToken.issue(name="Alizé national")
    out = io.StringIO()
    call_command("rotate_api_token", "Alizé national", stdout=out)
    new = out.getvalue().strip().splitlines()[-1]
    assert get(client, new).status_code == 200
    assert get(client, old).status_code == 401


# --- Rate limit ------------------------------------------------------------------------------


@override_settings(API_RATE_LIMIT="3/m")
def test_each_token_has_its_own_rate_limit_answered_in_french(client):
    make_programme(smes=1)
    _, first = ApiToken.issue(name="Alizé national")
    _, second = ApiToken.issue(name="Observatoire")
    assert [get(client, first).status_code for _ in range(3)] == [200, 200, 200]

    response = get(client, first)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Trop de requêtes pour ce jeton (limite : 3/m)")
    assert 1 <= int(response["Retry-After"]) <= 60
    # Another token keeps its budget.
    assert get(client, second).status_code == 200


# --- The secret, shown once on a page no cache keeps -------------------------------------


def secret_on(response) -> str:
    match = re.search(r'<code class="api-token-secret">([\w-]+)</code>', response.content.decode())
    assert match, response.content.decode()[:2000]
    return match.group(1)


def test_the_admin_shows_a_new_tokens_secret_once_on_an_uncached_page(admin_client, client):
    response = admin_client.post(
        reverse("admin:pilotage_apitoken_add"),
        {
            "name": "Alizé national",
            "active": "on",
            "expires_at_0": "04/12/2027",
            "expires_at_1": "12:00:00",
        },
    )

    assert response.status_code == 200
    secret = secret_on(response)
    assert {"no-store", "private"} <= cache_directives(response)
    assert list(get_messages(response.wsgi_request)) == []
    token = ApiToken.objects.get(name="Alizé national")
    assert token.token_hash == hash_token(secret)
    assert token.expires_at.date() == datetime.date(2027, 12, 4)
    # Nowhere else: not on the list, not on the token's page.
    assert (
        secret
        not in admin_client.get(reverse("admin:pilotage_apitoken_changelist")).content.decode()
    )
    change = reverse("admin:pilotage_apitoken_change", args=[token.pk])
    assert secret not in admin_client.get(change).content.decode()


def test_the_admin_rotates_tokens_and_shows_the_new_secrets_once(admin_client, client):
    token, old = ApiToken.issue(name="Alizé national")
    revoked, _ = ApiToken.issue(name="Ancien client")
    revoked.active = False
    revoked.save()

    response = admin_client.post(
        reverse("admin:pilotage_apitoken_changelist"),
        {"action": "rotate", "_selected_action": [token.pk, revoked.pk]},
    )

    assert response.status_code == 200
    assert {"no-store", "private"} <= cache_directives(response)
    new = secret_on(response)
    assert "Ancien client" not in response.content.decode()
    assert get(client, new).status_code == 200
    assert get(client, old).status_code == 401


# --- The documentation: operators only ----------------------------------------------------


@pytest.mark.parametrize(
    ("role", "status"),
    [
        (Role.STAFF, 200),
        (Role.MANAGER, 200),
        (Role.ADMIN, 200),
        (Role.FUNDER, 404),
        (Role.STEERING, 404),
        (Role.COMMITTEE_MEMBER, 404),
        (Role.COORDINATOR, 404),
    ],
)
def test_the_api_docs_are_for_the_operators_only(client, basin, role, status):
    client.force_login(make_user(role, basin))
    for url in ("/api/v1/openapi.json", "/api/v1/docs/"):
        assert client.get(url).status_code == status, url
