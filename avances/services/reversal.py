"""What reversing a mistaken entry (a payment, a tranche) always does: check who asks and
why, lock the fund, the advance and the entry, refuse an entry already reversed, and mark
it reversed (who, when, why); the entry itself is never deleted."""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.utils import timezone

from alize.formatting import french_date
from alize.services.common import lock_row, save_validated
from avances import permissions
from avances.models import Advance, Disbursement, Payment
from avances.services.common import lock_advance, refuse_written_off, require
from avances.services.fund import lock_fund


class Words(NamedTuple):
    """How a refused reversal speaks of an entry of one kind."""

    refusal: str  # to anyone but the operator staff of the basin
    noun: str  # "… a déjà été annulé"
    written_off: str  # once the advance is written off


WORDS = {
    Payment: Words(
        refusal="Seul le personnel de l'opérateur du bassin annule un remboursement.",
        noun="Ce remboursement",
        written_off="ses remboursements ne s'annulent plus (la perte a été calculée avec eux).",
    ),
    Disbursement: Words(
        refusal="Seul le personnel de l'opérateur du bassin annule un versement.",
        noun="Ce versement",
        written_off="ses versements ne s'annulent plus.",
    ),
}


def lock_for_reversal(entry, *, reason: str, by):
    """(the advance, the entry, the reason), locked in that order after the fund; refused
    (`PermissionDenied`) for anyone but the operator staff of the basin, without a reason,
    for an entry already reversed, or on an advance written off (see `WORDS`)."""
    model = type(entry)
    words = WORDS[model]
    basin_id = model.objects.values_list("advance__basin_id", flat=True).get(pk=entry.pk)
    require(permissions.can_manage_advances(by, basin_id), words.refusal)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif de l'annulation."})
    lock_fund(basin_id)
    advance = lock_advance(Advance(pk=entry.advance_id))
    entry = lock_row(model, entry.pk, "reversed_by")
    if entry.reversed_at is not None:
        raise ValidationError(
            f"{words.noun} a déjà été annulé le "
            f"{french_date(timezone.localdate(entry.reversed_at))} par "
            f"{entry.reversed_by} : « {entry.reversal_reason} »."
        )
    refuse_written_off(advance, words.written_off)
    return advance, entry, reason


def mark_reversed(entry, *, reason: str, by) -> None:
    save_validated(
        entry,
        reversed_at=timezone.now(),
        reversed_by=by,
        reversal_reason=reason,
        update_fields=["reversed_at", "reversed_by", "reversal_reason"],
    )
