"""A basin's terms for its advances: the default duration, grace and frequency offered to
each new advance, and the reference rate that prices them (gross grant equivalent)."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied
from django.db import transaction

from alize.models import Basin
from alize.services.common import create_validated, save_validated
from avances import permissions
from avances.models import BasinAdvanceSettings, ReferenceRate
from avances.services.fund import lock_fund

MANAGERS_ONLY = "Seul(e) un(e) responsable de l'opérateur du bassin fixe ses conditions d'avance."
ADMINISTRATORS_ONLY = "Seul(e) un(e) administrateur(trice) fixe le taux national."


@transaction.atomic
def set_default_terms(
    *, basin: Basin, duration_months: int, grace_months: int, frequency: str, by
) -> BasinAdvanceSettings:
    """Change the terms new advances of the basin start from; advances already granted
    keep theirs."""
    if not permissions.can_set_terms(by, basin.pk):
        raise PermissionDenied(MANAGERS_ONLY)
    with pghistory.context(user=by.pk):
        return save_validated(
            lock_fund(basin.pk),
            default_duration_months=duration_months,
            default_grace_months=grace_months,
            default_frequency=frequency,
        )


@transaction.atomic
def add_reference_rate(
    *,
    basin: Basin | None,
    valid_from: datetime.date,
    annual_rate_percent: Decimal,
    by,
    source: str = "",
) -> ReferenceRate:
    """A rate in force from `valid_from` on, for one basin or (basin None) for all; the
    advances decided before keep the rate they copied."""
    if basin is None:
        if not permissions.can_set_national_rate(by):
            raise PermissionDenied(ADMINISTRATORS_ONLY)
    elif not permissions.can_set_terms(by, basin.pk):
        raise PermissionDenied(MANAGERS_ONLY)
    with pghistory.context(user=by.pk):
        rate = create_validated(
            ReferenceRate,
            basin=basin,
            valid_from=valid_from,
            annual_rate_percent=annual_rate_percent,
            source=source,
        )
    return rate
