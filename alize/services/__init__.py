"""The writers of the programme referential: validate, then save, in one transaction."""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from alize.models import PERIOD_OVERLAP_MESSAGE, AdvanceCap, Basin, Contribution, ProgrammePeriod


@transaction.atomic
def save_referential(*, instance: models.Model) -> models.Model:
    """Validate every field and constraint of a referential object, then save it."""
    instance.full_clean()
    instance.save()
    return instance


@transaction.atomic
def save_period(*, period: ProgrammePeriod) -> ProgrammePeriod:
    """Create or change a programme period; a basin's periods never overlap.

    The basin is locked first, so two colleagues adding periods at once are checked one
    after the other (the database's trigger, the last guard, locks it too)."""
    if period.basin_id:
        Basin.objects.select_for_update().get(pk=period.basin_id)
    period.full_clean()
    try:
        with transaction.atomic():
            period.save()
    except IntegrityError as error:
        if PERIOD_OVERLAP_MESSAGE not in str(error):
            raise
        raise ValidationError({"start_date": PERIOD_OVERLAP_MESSAGE}) from error
    return period


@transaction.atomic
def set_advance_cap(
    *, basin: Basin, amount: Decimal, valid_from: datetime.date, comment: str = ""
) -> AdvanceCap:
    """Record a new cap for a basin from a date on; past caps are never rewritten."""
    Basin.objects.select_for_update().get(pk=basin.pk)
    cap = AdvanceCap(basin=basin, amount=amount, valid_from=valid_from, comment=comment)
    cap.full_clean()
    cap.save()
    return cap


@transaction.atomic
def create_basin(*, basin: Basin, cap_amount: Decimal, cap_valid_from: datetime.date) -> Basin:
    """A new basin with the advance cap it starts with, both or neither."""
    basin.full_clean()
    basin.save()
    set_advance_cap(basin=basin, amount=cap_amount, valid_from=cap_valid_from)
    return basin


@transaction.atomic
def save_contribution(*, contribution: Contribution) -> Contribution:
    """Save a funder's contribution to a period (Contribution.clean keeps it in one basin)."""
    contribution.full_clean()
    contribution.save()
    return contribution
