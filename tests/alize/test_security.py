"""What protects the app: login everywhere, the content security policy, login throttling,
secure cookies, security headers, and the French sign-in and password-reset pages."""

import json
import os
import re
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.urls import URLResolver, get_resolver, reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from pytest_django.asserts import assertRedirects

from tests.alize.factories import UserFactory

pytestmark = pytest.mark.django_db

BASE_DIR = Path(__file__).resolve().parents[2]
PASSWORD = "motdepasse-de-test"  # UserFactory's
# The only pages an anonymous visitor may open. Adding one here is a security decision.
PUBLIC_URL_NAMES = {
    "healthz",
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    # The accessibility statement (RGAA): the law wants it public.
    "accessibility",
}
# The indicators API: its clients present a token, not a session; without one, 401.
TOKEN_URL_NAMES = {"api:basins", "api:indicators"}
SAMPLE_ARGUMENTS = {
    "IntConverter": 1,
    "StringConverter": "x",
    "SlugConverter": "x",
    "PathConverter": "x",
    "UUIDConverter": "00000000-0000-0000-0000-000000000000",
}


def login_redirect(url: str) -> str:
    return f"{reverse('login')}?next={quote(url)}"


# --- Every page requires login --------------------------------------------------------------


def named_urls(patterns=None, namespace: str = "", converters: dict | None = None):
    """(name, sample URL) of every named route outside the admin site (which guards itself)."""
    patterns = get_resolver().url_patterns if patterns is None else patterns
    for entry in patterns:
        entry_converters = {**(converters or {}), **getattr(entry.pattern, "converters", {})}
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_urls(entry.url_patterns, prefix, entry_converters)
        elif entry.name:
            name = f"{namespace}{entry.name}"
            kwargs = {
                key: SAMPLE_ARGUMENTS[type(converter).__name__]
                for key, converter in entry_converters.items()
            }
            yield name, reverse(name, kwargs=kwargs)


@pytest.mark.parametrize("url_name", ["home", "alize:basin_list", "alize:period_list"])
def test_anonymous_visitor_is_sent_to_login(client, url_name):
    url = reverse(url_name)
    response = client.get(url)
    assertRedirects(response, login_redirect(url), fetch_redirect_response=False)


def test_every_page_but_the_public_ones_requires_login(client):
    urls = dict(named_urls())
    assert PUBLIC_URL_NAMES - urls.keys() == set(), "a public page listed here is gone"
    assert "alize:basin_detail" in urls
    for name, url in urls.items():
        if name in PUBLIC_URL_NAMES:
            continue
        response = client.get(url)
        if name in TOKEN_URL_NAMES:
            assert response.status_code == 401, name
            continue
        assert response.status_code == 302, name
        assert response.url == login_redirect(url), name


def test_healthz_is_public_and_reports_the_database(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    payload = response.json()
    assert payload["status"] == "ok"
    assert payload["database"] == "ok"
    # Eager tasks under the test settings; a real broker when CI sets CELERY_BROKER_URL.
    assert payload["broker"] in {"ok", "in-process"}


# --- Content security policy and headers ---------------------------------------------------


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def test_login_page_has_a_strict_content_security_policy(client):
    response = client.get(reverse("login"))
    assert "Content-Security-Policy-Report-Only" not in response.headers
    header = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in header
    assert "'unsafe-eval'" not in header
    directives = csp_directives(header)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["object-src"] == ["'none'"]


class InlineCodeFinder(HTMLParser):
    """Collect what the policy above would block: inline scripts, event handler attributes
    and style attributes."""

    def __init__(self):
        super().__init__()
        self.blocked = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and "src" not in attributes:
            self.blocked.append("<script> inline")
        for name in attributes:
            if name == "style" or name.startswith("on"):
                self.blocked.append(f"<{tag} {name}=…>")


def test_login_page_works_under_its_policy(client):
    finder = InlineCodeFinder()
    finder.feed(client.get(reverse("login")).content.decode())
    assert finder.blocked == []


@pytest.mark.parametrize("url_name", ["login", "healthz"])  # an HTML page, a JSON response
def test_security_headers(client, url_name):
    response = client.get(reverse(url_name))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


# --- Login throttling ------------------------------------------------------------------------


def post_login(client, email: str, password: str):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_login_with_the_right_password(client):
    user = UserFactory()
    response = post_login(client, user.email, PASSWORD)
    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(user.pk)


def test_wrong_password_is_refused_in_french(client):
    user = UserFactory()
    response = post_login(client, user.email, "mauvais-mot-de-passe")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "mot de passe" in response.content.decode()


def test_account_is_locked_after_repeated_failures(client):
    user = UserFactory()
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, user.email, "mauvais-mot-de-passe").status_code == 200
    # The failure that reaches the limit is answered with the lockout page already.
    assert post_login(client, user.email, "mauvais-mot-de-passe").status_code == 429

    response = post_login(client, user.email, PASSWORD)

    assert response.status_code == 429  # django-axes 8: Too Many Requests
    content = response.content.decode()
    assert "Connexion temporairement bloquée" in content
    assert 'lang="fr"' in content
    assert "_auth_user_id" not in client.session


def test_lockout_is_for_one_account_only(client):
    locked, other = UserFactory(), UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        post_login(client, locked.email, "mauvais-mot-de-passe")

    # Colleagues behind the same address keep their own count of failures.
    assert post_login(client, other.email, "mauvais-mot-de-passe").status_code == 200
    response = post_login(client, other.email, PASSWORD)

    assertRedirects(response, reverse("home"), fetch_redirect_response=False)
    assert client.session["_auth_user_id"] == str(other.pk)


def test_a_successful_login_clears_earlier_failures(client):
    user = UserFactory()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        post_login(client, user.email, "mauvais-mot-de-passe")
    assert post_login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert post_login(client, user.email, "mauvais-mot-de-passe").status_code == 200
    assert post_login(client, user.email, PASSWORD).status_code == 302


# --- Cookies under the production settings --------------------------------------------------


def test_cookies_are_secure_in_production():
    # The values are computed when the settings module is imported: read them in a fresh
    # process with production variables, not through override_settings.
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="alize.settings",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(45),
        DJANGO_ALLOWED_HOSTS="alize.example.fr",
        # Parsed, never connected to: only keeps the settings from starting an embedded server.
        DATABASE_URL=os.environ.get("DATABASE_URL")
        or "postgres://alize@127.0.0.1:5432/alize_cookie_check",
    )
    script = (
        "import json; from django.conf import settings; print(json.dumps({name: "
        "getattr(settings, name) for name in ('SESSION_COOKIE_SECURE', 'CSRF_COOKIE_SECURE', "
        "'SESSION_COOKIE_HTTPONLY', 'CSRF_COOKIE_HTTPONLY', 'SECURE_SSL_REDIRECT')}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout.strip().splitlines()[-1])
    assert values == {
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "SECURE_SSL_REDIRECT": True,
    }


def test_session_cookie_is_http_only(client):
    user = UserFactory()
    response = post_login(client, user.email, PASSWORD)
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


# --- French sign-in and password reset ------------------------------------------------------


def test_login_page_is_french(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    content = response.content.decode()
    assert '<html lang="fr"' in content
    assert "Connexion" in content
    assert "Adresse électronique" in content
    assert "Mot de passe oublié ?" in content


def test_password_reset_sends_a_working_link(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    user = UserFactory()
    # The message may leave once the request's transaction commits (on_commit, Celery).
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": user.email})
    assertRedirects(response, reverse("password_reset_done"), fetch_redirect_response=False)

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [user.email]
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    prefix = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "TOKEN"})
    prefix = prefix.removesuffix("TOKEN/")
    match = re.search(rf"http://testserver({re.escape(prefix)}[\w-]+/)", message.body)
    assert match, message.body
    assert "Bonjour" in message.body

    # The link leads to the form choosing the new password.
    response = client.get(match.group(1), follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert 'name="new_password1"' in content
    assert "n'est plus valable" not in content


def test_password_reset_for_an_unknown_address_sends_nothing(
    client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "inconnu@alize.test"})
    # Same answer as for a known address: the page does not tell who has an account.
    assertRedirects(response, reverse("password_reset_done"), fetch_redirect_response=False)
    assert mailoutbox == []


def test_password_reset_with_a_bad_token_is_explained_in_french(client):
    user = UserFactory()
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    url = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": "cq5-mauvais"})
    response = client.get(url, follow=True)
    assert response.status_code == 200
    content = response.content.decode()
    assert "n'est plus valable" in content
    assert 'name="new_password1"' not in content
