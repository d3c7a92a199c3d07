"""The indicators API for the national Alizé structure (read-only, token-authenticated)."""

import functools

from django.http import JsonResponse
from django.urls import path

from pilotage.api import api


def french_405(view):
    """django-ninja answers a method it does not serve with English text: here, French JSON
    (as every other error of the API), its `Allow` header kept."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code != 405:
            return response
        allowed = response.get("Allow", "")
        french = JsonResponse(
            {"detail": f"Méthode {request.method} non permise ici (permises : {allowed})."},
            status=405,
        )
        french["Allow"] = allowed
        return french

    return wrapped


api_patterns, api_app_name, api_namespace = api.urls
# The data answer a bearer token, not a session: the site-wide sign-in requirement would
# send a token's client to the login page. The schema and its docs page stay for signed-in
# users.
TOKEN_VIEWS = {"indicators", "basins"}
for pattern in api_patterns:
    pattern.callback = french_405(pattern.callback)
    if getattr(pattern, "name", None) in TOKEN_VIEWS:
        pattern.callback.login_required = False

urlpatterns = [path("v1/", (api_patterns, api_app_name, api_namespace))]
