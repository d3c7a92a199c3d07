"""What every grandes_entreprises writer shares: field whitelists, refusals, French texts."""

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied

from grandes_entreprises import permissions
from grandes_entreprises.models import Corporation

CORPORATION_FIELDS = frozenset(
    {"group_name", "site_name", "siret", "sector", "headcount", "basin", "funder"}
)
CONTACT_FIELDS = frozenset({"name", "role", "email", "phone"})
EXPERT_FIELDS = frozenset({"name", "job_title", "domains", "email", "is_active"})


def _check_fields(data: dict[str, Any], allowed: frozenset[str], what: str) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise TypeError(f"Unexpected {what} fields: {', '.join(sorted(unknown))}")


def _require(allowed: bool, reason: str = "") -> None:
    if not allowed:
        raise PermissionDenied(reason or "Vous n'avez pas le droit de faire cette action.")


def _require_manager(by, corporation: Corporation) -> None:
    """Refuse, unless `by` manages the corporation (the operator's staff of its basin)."""
    _require(permissions.can_manage_corporation(by, corporation), permissions.NOT_YOUR_BASIN)


def _days(value: Decimal) -> str:
    """1.5 → « 1,5 jour », 2 → « 2 jours » (French: singular below 2)."""
    text = f"{value.normalize():f}".replace(".", ",")
    return f"{text} jour" if value < 2 else f"{text} jours"


def _date(day: datetime.date) -> str:
    return f"{day:%d/%m/%Y}"


def _lock_corporation(corporation: Corporation) -> Corporation:
    return Corporation.objects.select_for_update().get(pk=corporation.pk)
