"""The indicators API for the national Alizé structure (read-only, token-authenticated)."""

from django.urls import path

from pilotage.api import api

api_patterns, api_app_name, api_namespace = api.urls
# The data answer a bearer token, not a session: the site-wide sign-in requirement would
# send a token's client to the login page. The schema and its docs page stay for signed-in
# users.
TOKEN_VIEWS = {"indicators", "basins"}
for pattern in api_patterns:
    if getattr(pattern, "name", None) in TOKEN_VIEWS:
        pattern.callback.login_required = False

urlpatterns = [path("v1/", (api_patterns, api_app_name, api_namespace))]
