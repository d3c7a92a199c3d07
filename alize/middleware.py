"""The app's own middleware: requests refused before the database, the headers of every
response, and the sessions' timeouts.

Requests whose text no field could hold: refused before anything reads the database.

PostgreSQL stores no NUL character in a text column (the query fails, a server error), and
no other control character belongs in what a person types: they come from a hostile
client, a broken copy-paste or a file opened as text. `ControlCharactersMiddleware` reads
the address, the query string and the form fields (their names too), and answers 400 with
a French page when one of them holds a control character other than a tab, a line feed or
a carriage return (the ones a text area sends).

Why a middleware rather than a base form: many views read the query string (searches,
filters, the SIRET look-up) or the database (sessions, the sign-in throttle, an SME found
by its SIRET) before any form is validated, and forms do not share one base class; here
every request is checked once, before the session, the user or a view touch the database.
Forms keep their own French messages for everything else (lengths, formats, ranges).
"""

import re
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.core.cache import cache
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

# Unicode's control characters (Cc) less tab, line feed and carriage return.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

REFUSED_MESSAGE = (
    "Votre saisie contient un caractère de contrôle invisible (par exemple un caractère nul), "
    "qu'aucun champ n'accepte : il vient souvent d'un copier-coller depuis un autre logiciel. "
    "Retirez-le, puis envoyez de nouveau le formulaire."
)


API_PREFIX = "/api/"


def has_control_characters(text: str) -> bool:
    return CONTROL_CHARACTERS.search(text) is not None


def _texts(request):
    yield request.path_info
    for data in (request.GET, request.POST):
        for key, values in data.lists():
            yield key
            yield from values
    # Django drops the non-printable characters of an uploaded file's name itself.
    yield from request.FILES


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any(has_control_characters(text) for text in _texts(request)):
            if request.path_info.startswith(API_PREFIX):
                # The API's clients read JSON: its schema documents this 400.
                return JsonResponse({"detail": REFUSED_MESSAGE}, status=400)
            return HttpResponseBadRequest(
                render_to_string("input_refused.html", {"message": REFUSED_MESSAGE})
            )
        return self.get_response(request)


# --- Headers every response of the app carries ----------------------------------------------


class SecurityHeadersMiddleware:
    """`Cache-Control: private, no-store` on every response the app itself makes (pages,
    exports, documents, the API's data: what a signed-in person reads stays out of shared
    and browser caches), and the `Permissions-Policy` of `settings.PERMISSIONS_POLICY`.

    Placed after WhiteNoise, which answers static files (versioned, cacheable) before it."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.permissions_policy = ", ".join(
            f"{feature}=({' '.join(allowed)})"
            for feature, allowed in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        response.headers.setdefault("Permissions-Policy", self.permissions_policy)
        return response


# --- Sessions: an idle timeout and an absolute lifetime -------------------------------------

SIGNED_IN_AT = "alize_signed_in_at"
IDLE_MESSAGE = (
    "Votre session a été fermée après {minutes} minutes d'inactivité : reconnectez-vous pour "
    "continuer."
)


def last_seen_key(session_key: str) -> str:
    return f"alize:session-last-seen:{session_key}"


def mark_seen(request, now: int) -> None:
    """The session's last request, kept in the shared cache rather than in the session: no
    database write per request (and none inside a view's counted queries)."""
    cache.set(last_seen_key(request.session.session_key), now, timeout=settings.SESSION_COOKIE_AGE)


def last_seen(request) -> int | None:
    return cache.get(last_seen_key(request.session.session_key))


def start_session_clock(request, now: float | None = None) -> None:
    """Stamp a new sign-in (the `user_logged_in` signal, see `alize.sessions`)."""
    now = int(time.time() if now is None else now)
    request.session[SIGNED_IN_AT] = now
    mark_seen(request, now)


class SessionTimeoutMiddleware:
    """Sign out a session idle for `SESSION_IDLE_TIMEOUT` seconds, or open for longer than
    `SESSION_COOKIE_AGE` since its sign-in, whatever its cookie says; the next page then
    asks for the sign-in as any anonymous request does.

    The last activity lives in the cache (`CACHE_URL`, shared by the web workers): should it
    be lost (a cache restart), the session counts as active from then on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            self.check(request)
        return self.get_response(request)

    def check(self, request) -> None:
        now = int(time.time())
        seen = last_seen(request)
        signed_in_at = request.session.get(SIGNED_IN_AT)
        idle = seen is not None and now - seen > settings.SESSION_IDLE_TIMEOUT
        too_old = signed_in_at is not None and now - signed_in_at > settings.SESSION_COOKIE_AGE
        if idle or too_old:
            logout(request)
            if idle:
                minutes = settings.SESSION_IDLE_TIMEOUT // 60
                messages.info(request, IDLE_MESSAGE.format(minutes=minutes))
            return
        if signed_in_at is None:  # a session opened before this rule
            request.session[SIGNED_IN_AT] = now
        mark_seen(request, now)
