"""Following late advances: the dunning trail, collective proceedings, the write-off.

Reads: `avances.selectors` (the late-payments queue, a dunning letter). Writes: the
services below, under the same habits as the rest of `avances.services`.

Dunning: a reminder (relance) first, then a formal notice (mise en demeure) once at least
one reminder was sent; each letter gives the SME a time to pay (15 days after a reminder,
8 after a formal notice) and keeps the figures it was sent with.

Write-off: staff request it with a reason; an operator manager of the basin, other than
the requester, approves it (the principal outstanding is written off, the fund's ledger
notes it, payments are refused from then on) or refuses it.
"""

import datetime

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alize.formatting import euros, french_date
from alize.services.common import create_validated, lock_row, save_validated
from avances import permissions
from avances.models import (
    PAY_WITHIN_DAYS,
    Advance,
    CollectiveProceeding,
    DunningKind,
    DunningStep,
    MovementKind,
    ProceedingKind,
    WriteOff,
    WriteOffStatus,
)
from avances.models.common import ZERO
from avances.models.followup import CLAIM_DECLARATION_MONTHS
from avances.schedule import add_months
from avances.services.common import (
    advance_totals,
    lock_advance,
    not_in_future,
    refuse_written_off,
    require,
)
from avances.services.fund import lock_fund, record_movement
from avances.services.schedules import outstanding_instalments


def _require_operator(by, advance: Advance) -> None:
    require(
        permissions.can_manage_advances(by, advance.basin_id),
        "Seul le personnel de l'opérateur du bassin suit ses avances.",
    )


# --- Dunning ------------------------------------------------------------------------------


@transaction.atomic
def record_dunning_step(
    *, advance: Advance, kind: str, sent_on: datetime.date, by, comment: str = ""
) -> DunningStep:
    """Record a reminder or a formal notice sent to the SME about what is overdue on
    `sent_on`. Refused when nothing is overdue, and for a formal notice before any reminder."""
    _require_operator(by, advance)
    not_in_future(sent_on, "sent_on")
    if kind not in DunningKind.values:
        raise ValidationError({"kind": "Nature de relance inconnue."})
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        refuse_written_off(advance, "on ne la relance plus.")
        overdue = list(outstanding_instalments(advance, before=sent_on))
        if not overdue:
            raise ValidationError(
                f"L'avance {advance.reference} n'a aucune échéance impayée au "
                f"{french_date(sent_on)} : pas de relance."
            )
        if (
            kind == DunningKind.FORMAL_NOTICE
            and not advance.dunning_steps.filter(
                kind=DunningKind.REMINDER, sent_on__lte=sent_on
            ).exists()
        ):
            raise ValidationError(
                "Une mise en demeure suit une relance restée sans effet : envoyez d'abord "
                "une relance."
            )
        pme = advance.dossier.pme
        commune = pme.commune
        step = create_validated(
            DunningStep,
            advance=advance,
            kind=kind,
            sent_on=sent_on,
            pay_by=sent_on + datetime.timedelta(days=PAY_WITHIN_DAYS[DunningKind(kind)]),
            overdue_amount=sum((i.remaining for i in overdue), ZERO),
            oldest_due_date=overdue[0].due_date,
            days_late=(sent_on - overdue[0].due_date).days,
            recipient_name=pme.name,
            recipient_address=f"{pme.address}, {commune.postcode} {commune.name}",
            comment=comment,
            recorded_by=by,
        )
    return step


# --- Collective proceedings -------------------------------------------------------------------


@transaction.atomic
def open_proceeding(
    *,
    advance: Advance,
    kind: str,
    judgment_date: datetime.date,
    publication_date: datetime.date,
    by,
    court: str = "",
    representative: str = "",
) -> CollectiveProceeding:
    """Record a collective proceeding against the SME; the claim must be declared within
    two months of the publication (the deadline is computed, month ends handled)."""
    _require_operator(by, advance)
    not_in_future(judgment_date, "judgment_date")
    not_in_future(publication_date, "publication_date")
    if kind not in ProceedingKind.values:
        raise ValidationError({"kind": "Procédure inconnue."})
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        if publication_date < judgment_date:
            raise ValidationError(
                {"publication_date": "La publication suit le jugement d'ouverture."}
            )
        proceeding = create_validated(
            CollectiveProceeding,
            advance=advance,
            kind=kind,
            judgment_date=judgment_date,
            publication_date=publication_date,
            claim_deadline=add_months(publication_date, CLAIM_DECLARATION_MONTHS),
            court=court,
            representative=representative,
            recorded_by=by,
        )
    return proceeding


@transaction.atomic
def record_claim_declaration(
    *, proceeding: CollectiveProceeding, declared_on: datetime.date, by
) -> CollectiveProceeding:
    """Record that the claim was declared; its amount is the principal outstanding."""
    _require_operator(by, proceeding.advance)
    not_in_future(declared_on, "claim_declared_on")
    with pghistory.context(user=by.pk):
        advance = lock_advance(proceeding.advance)
        proceeding = CollectiveProceeding.objects.select_for_update().get(pk=proceeding.pk)
        if proceeding.claim_declared_on:
            raise ValidationError(
                f"La créance est déjà déclarée (le {french_date(proceeding.claim_declared_on)})."
            )
        if declared_on < proceeding.publication_date:
            raise ValidationError(
                {"claim_declared_on": "La déclaration suit la publication du jugement."}
            )
        disbursed, repaid = advance_totals(advance)
        if disbursed - repaid <= 0:
            raise ValidationError("L'entreprise ne doit plus rien sur cette avance.")
        save_validated(
            proceeding,
            claim_declared_on=declared_on,
            claim_amount=disbursed - repaid,
            update_fields=["claim_declared_on", "claim_amount"],
        )
    return proceeding


@transaction.atomic
def close_proceeding(
    *, proceeding: CollectiveProceeding, closed_on: datetime.date, by
) -> CollectiveProceeding:
    _require_operator(by, proceeding.advance)
    not_in_future(closed_on, "closed_on")
    with pghistory.context(user=by.pk):
        proceeding = CollectiveProceeding.objects.select_for_update().get(pk=proceeding.pk)
        if proceeding.closed_on:
            raise ValidationError("Cette procédure est déjà close.")
        if closed_on < proceeding.judgment_date:
            raise ValidationError({"closed_on": "La clôture suit le jugement d'ouverture."})
        proceeding.closed_on = closed_on
        proceeding.save(update_fields=["closed_on"])
    return proceeding


# --- Write-off ----------------------------------------------------------------------------


@transaction.atomic
def request_write_off(*, advance: Advance, reason: str, by) -> WriteOff:
    """Staff ask for the advance to be written off, saying why; a manager decides."""
    _require_operator(by, advance)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Indiquez le motif du passage en perte."})
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        refuse_written_off(advance, "rien n'est plus à passer en perte.")
        if advance.write_offs.filter(status=WriteOffStatus.REQUESTED).exists():
            raise ValidationError("Un passage en perte est déjà demandé pour cette avance.")
        disbursed, repaid = advance_totals(advance)
        if disbursed - repaid <= 0:
            raise ValidationError(
                "L'entreprise ne doit rien sur cette avance : il n'y a rien à passer en perte."
            )
        write_off = create_validated(WriteOff, advance=advance, reason=reason, requested_by=by)
    return write_off


def _lock_write_off(write_off: WriteOff, by) -> WriteOff:
    write_off = WriteOff.objects.select_related("advance").get(pk=write_off.pk)
    allowed, reason = permissions.can_decide_write_off(by, write_off)
    if not allowed:
        raise PermissionDenied(reason)
    lock_fund(write_off.advance.basin_id)
    lock_advance(write_off.advance)
    write_off = lock_row(WriteOff, write_off.pk, "advance")
    if write_off.status != WriteOffStatus.REQUESTED:
        raise ValidationError(
            f"Ce passage en perte est déjà « {write_off.get_status_display().lower()} »."
        )
    return write_off


def _decide(write_off: WriteOff, status: str, by, comment: str, **values) -> WriteOff:
    """Stamp the manager's decision on the write-off (who, when, why), validated, saved."""
    return save_validated(
        write_off,
        status=status,
        decided_by=by,
        decided_at=timezone.now(),
        decision_comment=comment,
        **values,
    )


@transaction.atomic
def approve_write_off(
    *, write_off: WriteOff, by, comment: str = "", on: datetime.date | None = None
) -> WriteOff:
    """An operator manager (not the requester) approves: the principal outstanding is
    written off on `on` (today by default), noted in the fund's ledger; what was not
    disbursed stops being committed."""
    on = on or timezone.localdate()
    not_in_future(on, "on")
    with pghistory.context(user=by.pk):
        write_off = _lock_write_off(write_off, by)
        advance = write_off.advance
        disbursed, repaid = advance_totals(advance)
        outstanding = disbursed - repaid
        if outstanding <= 0:
            raise ValidationError(
                "L'entreprise ne doit plus rien : il n'y a rien à passer en perte."
            )
        _decide(write_off, WriteOffStatus.APPROVED, by, comment, amount=outstanding)
        advance.written_off_on = on
        advance.save(update_fields=["written_off_on"])
        record_movement(
            basin_id=advance.basin_id,
            kind=MovementKind.WRITE_OFF,
            on=on,
            amount=ZERO,
            memo_amount=outstanding,
            label=(
                f"Passage en perte de l'avance {advance.reference} : {euros(outstanding, 2)} "
                "pour mémoire"
            ),
            by=by,
            advance=advance,
            write_off=write_off,
        )
    return write_off


@transaction.atomic
def reject_write_off(*, write_off: WriteOff, by, comment: str) -> WriteOff:
    """An operator manager (not the requester) refuses, saying why."""
    if not (comment or "").strip():
        raise ValidationError({"decision_comment": "Indiquez pourquoi vous refusez."})
    with pghistory.context(user=by.pk):
        write_off = _lock_write_off(write_off, by)
        _decide(write_off, WriteOffStatus.REJECTED, by, comment.strip())
    return write_off
