"""The writers of the programme referential: validate, then save, in one transaction."""

import datetime
from decimal import Decimal

from django.db import models, transaction

from alize.models import PERIOD_OVERLAP_MESSAGE, AdvanceCap, Basin, Contribution, ProgrammePeriod
from alize.services.common import create_validated, save_validated


@transaction.atomic
def save_referential(*, instance: models.Model) -> models.Model:
    """Validate every field and constraint of a referential object, then save it."""
    return save_validated(instance)


@transaction.atomic
def save_period(*, period: ProgrammePeriod) -> ProgrammePeriod:
    """Create or change a programme period; a basin's periods never overlap.

    The basin is locked first, so two colleagues adding periods at once are checked one
    after the other (the database's trigger, the last guard, locks it too)."""
    if period.basin_id:
        Basin.objects.select_for_update().get(pk=period.basin_id)
    return save_validated(
        period, refusals={PERIOD_OVERLAP_MESSAGE: {"start_date": PERIOD_OVERLAP_MESSAGE}}
    )


@transaction.atomic
def set_advance_cap(
    *, basin: Basin, amount: Decimal, valid_from: datetime.date, comment: str = ""
) -> AdvanceCap:
    """Record a new cap for a basin from a date on; past caps are never rewritten."""
    Basin.objects.select_for_update().get(pk=basin.pk)
    return create_validated(
        AdvanceCap, basin=basin, amount=amount, valid_from=valid_from, comment=comment
    )


@transaction.atomic
def create_basin(*, basin: Basin, cap_amount: Decimal, cap_valid_from: datetime.date) -> Basin:
    """A new basin with the advance cap it starts with, both or neither."""
    save_validated(basin)
    set_advance_cap(basin=basin, amount=cap_amount, valid_from=cap_valid_from)
    return basin


@transaction.atomic
def save_contribution(*, contribution: Contribution) -> Contribution:
    """Save a funder's contribution to a period (Contribution.clean keeps it in one basin)."""
    return save_validated(contribution)
