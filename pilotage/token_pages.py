"""The page that shows an API token's secret, once: after its creation or its rotation in
the admin site. The secret is in that response only (never in a message, the session or
the database), and the response is marked for no cache to keep."""

from django.template.response import TemplateResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


def secrets_page(request, model_admin, tokens) -> TemplateResponse:
    """`tokens`: (token, secret) pairs just issued or rotated."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": model_admin.model._meta,
        "title": "Secret du jeton d'API" if len(tokens) == 1 else "Secrets des jetons d'API",
        "tokens": tokens,
    }
    response = TemplateResponse(request, "admin/pilotage/apitoken/secret.html", context)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True, no_store=True)
    return response
