"""What reversing a mistaken entry (a payment, a tranche) always does: check who asks and
why, lock the fund, the advance and the entry, refuse an entry already reversed, and mark
it reversed (who, when, why); the entry itself is never deleted."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from alize.formatting import french_date
from avances import permissions
from avances.models import Advance
from avances.services.common import lock_advance, require
from avances.services.fund import lock_fund


def lock_for_reversal(entry, *, reason: str, by, refusal: str, noun: str):
    """(the advance, the entry, the reason), locked in that order after the fund; refused
    (`refusal` as `PermissionDenied`) for anyone but the operator staff of the basin,
    without a reason, or when "`noun` a déjà été annulé"."""
    model = type(entry)
    basin_id = model.objects.values_list("advance__basin_id", flat=True).get(pk=entry.pk)
    require(permissions.can_manage_advances(by, basin_id), refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    lock_fund(basin_id)
    advance = lock_advance(Advance(pk=entry.advance_id))
    entry = (
        model.objects.select_for_update(of=("self",)).select_related("reversed_by").get(pk=entry.pk)
    )
    if entry.reversed_at is not None:
        raise ValidationError(
            f"{noun} a déjà été annulé le "
            f"{french_date(timezone.localdate(entry.reversed_at))} par "
            f"{entry.reversed_by} : « {entry.reversal_reason} »."
        )
    return advance, entry, reason


def mark_reversed(entry, *, reason: str, by) -> None:
    entry.reversed_at = timezone.now()
    entry.reversed_by = by
    entry.reversal_reason = reason
    entry.full_clean()
    entry.save(update_fields=["reversed_at", "reversed_by", "reversal_reason"])
