"""Throttles: the sign-in lockout counts an address whatever its case or spaces, and
password reset is limited per address and per client without telling who has an account."""

import pytest
from django.conf import settings
from django.test import override_settings
from django.urls import reverse
from pytest_django.asserts import assertRedirects

from alize.auth_forms import axes_username, normalise_username
from alize.throttle import Rate
from tests.alize.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "motdepasse-de-test"  # UserFactory's
WRONG = "mauvais-mot-de-passe"


def post_login(client, email: str, password: str, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def variants(email: str) -> list[str]:
    return [
        email,
        email.upper(),
        email.capitalize(),
        f"  {email}  ",
        f" {email.upper()}",
        f"{email.swapcase()}\t",
    ]


def test_an_address_is_normalised_before_it_is_counted():
    assert normalise_username("  LockA@Alize.DEMO ") == "locka@alize.demo"
    assert axes_username(None, {"username": " LOCKA@ALIZE.DEMO"}) == "locka@alize.demo"
    assert normalise_username(None) == ""


def test_sign_in_with_another_case_or_spaces_works(client):
    user = UserFactory(email="locka@alize.demo")
    response = post_login(client, "  LOCKA@Alize.Demo ", PASSWORD)
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)


@pytest.mark.parametrize("guess_as", ["locka@alize.demo", "LOCKA@ALIZE.DEMO", " LockA@alize.demo"])
def test_once_locked_every_variant_of_the_address_is_refused(client, guess_as):
    UserFactory(email="locka@alize.demo")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, guess_as, WRONG)

    for variant in variants("locka@alize.demo"):
        # The right password too: the account is locked, whatever the address looks like.
        response = post_login(client, variant, PASSWORD)
        assert response.status_code == 429, repr(variant)
        assert "Connexion temporairement bloquée" in response.content.decode()
        assert "_auth_user_id" not in client.session


def test_failures_under_different_cases_share_one_budget(client):
    UserFactory(email="locka@alize.demo")
    emails = variants("locka@alize.demo")
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, emails[attempt % len(emails)], WRONG).status_code == 200
    # The fifth failure, under yet another spelling, reaches the limit.
    assert post_login(client, "LOCKA@alize.DEMO", WRONG).status_code == 429
    assert post_login(client, "locka@alize.demo", PASSWORD).status_code == 429


# --- Password reset --------------------------------------------------------------------------


def request_reset(client, email: str, ip: str = "192.0.2.10"):
    return client.post(reverse("password_reset"), {"email": email}, REMOTE_ADDR=ip)


@pytest.fixture
def send(django_capture_on_commit_callbacks):
    """Run the message's on-commit sending as the request's transaction commits."""

    def post(client, email, ip="192.0.2.10"):
        with django_capture_on_commit_callbacks(execute=True):
            return request_reset(client, email, ip)

    return post


def test_rates_are_read_from_the_settings():
    assert Rate.parse(settings.PASSWORD_RESET_RATE_PER_ADDRESS) == Rate(3, 3600)
    assert Rate.parse(settings.PASSWORD_RESET_RATE_PER_CLIENT) == Rate(10, 3600)
    assert Rate.parse("120/m") == Rate(120, 60)


def test_password_reset_sends_no_message_past_the_limit_for_an_address(client, mailoutbox, send):
    user = UserFactory(email="reset@alize.demo")
    answers = []
    # Other clients, other spellings: the address is counted once normalised.
    spellings = ["reset@alize.demo", "RESET@alize.demo", " Reset@Alize.Demo"] * 2
    for number, spelling in enumerate(spellings):
        response = send(client, spelling, ip=f"198.51.100.{number + 1}")
        answers.append((response.status_code, response.url))
    assert len(mailoutbox) == 3
    assert {message.to[0] for message in mailoutbox} == {user.email}
    # The same answer every time: nothing tells that the limit was reached.
    assert set(answers) == {(302, reverse("password_reset_done"))}


def test_password_reset_is_limited_per_client_across_addresses(client, mailoutbox, send):
    users = [UserFactory() for _ in range(12)]
    for user in users:
        response = send(client, user.email)
        assertRedirects(response, reverse("password_reset_done"), fetch_redirect_response=False)
    assert len(mailoutbox) == 10
    # Another client is not held back by the first one.
    send(client, users[-1].email, ip="203.0.113.7")
    assert len(mailoutbox) == 11


def test_unknown_addresses_count_and_answer_the_same(client, mailoutbox, send):
    known = UserFactory(email="connu@alize.demo")
    for _ in range(3):
        unknown = send(client, "inconnu@alize.demo")
    assert mailoutbox == []
    known_response = send(client, known.email)
    assert (unknown.status_code, unknown.url) == (known_response.status_code, known_response.url)
    done = client.get(reverse("password_reset_done")).content.decode()
    assert "Si un compte existe pour cette adresse" in done


@override_settings(PASSWORD_RESET_RATE_PER_ADDRESS="1/h")
def test_the_limits_are_settings(client, mailoutbox, send):
    user = UserFactory()
    send(client, user.email)
    send(client, user.email)
    assert len(mailoutbox) == 1


def test_the_admin_sign_in_counts_under_the_same_normalised_address(client):
    """The admin site's form keeps the address as typed: django-axes normalises it itself."""
    UserFactory(email="locka@alize.demo", is_staff=True)
    spellings = variants("locka@alize.demo")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            reverse("admin:login"),
            {"username": spellings[attempt % len(spellings)], "password": WRONG},
        )
    assert post_login(client, "LOCKA@ALIZE.DEMO", PASSWORD).status_code == 429
    response = client.post(
        reverse("admin:login"), {"username": "Locka@Alize.Demo", "password": PASSWORD}
    )
    assert response.status_code == 429
