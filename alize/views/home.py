"""The home page and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.db.models import Count
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.generic import TemplateView

from alize.models import Basin, ProgrammePeriod, Role

# --- Home and health -----------------------------------------------------------------


class HomeView(TemplateView):
    template_name = "alize/home.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        basins = list(
            Basin.objects.visible_to(user).annotate(
                period_count=Count("periods", distinct=True),
                epci_count=Count("epcis", distinct=True),
            )
        )
        context.update(
            basins=basins,
            role_labels=user.role_labels,
            is_operator=user.is_operator,
            is_manager=user.has_role(Role.MANAGER, Role.ADMIN),
            is_committee_member=user.has_role(Role.COMMITTEE_MEMBER),
            is_steering=user.has_role(Role.STEERING),
            is_funder=user.has_role(Role.FUNDER),
            is_admin=user.has_role(Role.ADMIN),
            current_periods=ProgrammePeriod.objects.visible_to(user)
            .select_related("basin")
            .order_by("-start_date")[:4],
        )
        return context


@login_not_required
@never_cache
def healthz(request):
    """Database and broker status, for load balancers and docker compose."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"erreur : {exc.__class__.__name__}"
    checks["broker"] = _broker_status()
    healthy = all(value in {"ok", "in-process"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "erreur", **checks}, status=200 if healthy else 503
    )


def _broker_status() -> str:
    from django.conf import settings

    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from alize.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return "ok"
    except Exception as exc:
        return f"erreur : {exc.__class__.__name__}"
