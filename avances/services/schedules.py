"""Schedules: a new version for a tranche or a rescheduling, and the rescheduling itself."""

import datetime
from decimal import Decimal

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from alize.formatting import french_date
from alize.models import Basin
from alize.services.common import create_validated
from alize.versioning import check_version
from avances import permissions
from avances.models import (
    Advance,
    Frequency,
    Instalment,
    Schedule,
    ScheduleKind,
)
from avances.schedule import plan_schedule
from avances.services.common import (
    active_schedule,
    advance_totals,
    check_terms,
    lock_advance,
    not_in_future,
    refuse_written_off,
    require,
)
from avances.services.fund import fund_settings


def new_schedule(
    *,
    advance: Advance,
    kind: str,
    starts_on: datetime.date,
    principal: Decimal,
    duration_months: int,
    grace_months: int,
    frequency: str,
    by,
    reason: str = "",
) -> Schedule:
    """Replace the active schedule (kept, inactive) by a new version for `principal`, its
    due dates moved to business days by the basin's rule (`Basin.due_date_rule`)."""
    current = active_schedule(advance)
    if current is not None:
        current.is_active = False
        current.save(update_fields=["is_active"])
    last_version = Schedule.objects.filter(advance=advance).aggregate(v=Max("version"))["v"]
    schedule = create_validated(
        Schedule,
        advance=advance,
        version=(last_version or 0) + 1,
        kind=kind,
        starts_on=starts_on,
        principal=principal,
        duration_months=duration_months,
        grace_months=grace_months,
        frequency=frequency,
        reason=reason,
        created_by=by,
        replaces=current,
    )
    basin = Basin.objects.only("due_date_rule", "departement").get(pk=advance.basin_id)
    Instalment.objects.bulk_create(
        Instalment(
            schedule=schedule,
            number=planned.number,
            due_date=planned.due_date,
            amount=planned.amount,
        )
        for planned in plan_schedule(
            principal=principal,
            anchor=starts_on,
            duration_months=duration_months,
            grace_months=grace_months,
            period_months=Frequency(frequency).months,
            due_date_rule=basin.due_date_rule,
            departement=basin.departement,
        )
    )
    return schedule


# --- Rescheduling -------------------------------------------------------------------------


@transaction.atomic
def reschedule_advance(
    *,
    advance: Advance,
    from_date: datetime.date,
    duration_months: int,
    grace_months: int,
    frequency: str | None = None,
    reason: str,
    by,
    version: int | None = None,
) -> Schedule:
    """Spread the principal outstanding again, from `from_date`, on new terms.

    The new schedule counts its instalments from `from_date` like a first disbursement
    (the duration includes the new grace period); the unpaid instalments due before are
    folded into it. The previous schedule stays, inactive, with its payments. `from_date`
    is not before the last payment, disbursement or schedule start, nor in the future.

    `version`: the advance's, as the form showed it; if its terms changed since (a
    colleague rescheduled it), `EditConflict` says how and nothing is saved.
    """
    allowed, refusal = permissions.can_reschedule(by, advance.basin_id)
    require(allowed, refusal)
    if not (reason or "").strip():
        raise ValidationError({"reason": "Indiquez le motif du rééchelonnement."})
    not_in_future(from_date, "from_date")
    with pghistory.context(user=by.pk):
        advance = lock_advance(advance)
        check_version(advance, version, also=("avances.ScheduleEvent",))
        refuse_written_off(advance, "elle ne se rééchelonne plus.")
        current = active_schedule(advance)
        if current is None:
            raise ValidationError(
                "Cette avance n'est pas encore versée : rien n'est à rééchelonner."
            )
        disbursed, repaid = advance_totals(advance)
        outstanding = disbursed - repaid
        if outstanding <= 0:
            raise ValidationError("Cette avance est entièrement remboursée.")
        frequency = frequency or current.frequency
        check_terms(duration_months, grace_months, frequency)
        last_payment = advance.payments.not_reversed().aggregate(d=Max("paid_on"))["d"]
        last_disbursement = advance.disbursements.not_reversed().aggregate(d=Max("disbursed_on"))[
            "d"
        ]
        earliest = max(d for d in (current.starts_on, last_payment, last_disbursement) if d)
        if from_date < earliest:
            raise ValidationError(
                {
                    "from_date": (
                        "Un rééchelonnement part au plus tôt du dernier versement, paiement ou "
                        f"échéancier ({french_date(earliest)})."
                    )
                }
            )
        advance.save(update_fields=["version"])  # its terms change: a new version
        return new_schedule(
            advance=advance,
            kind=ScheduleKind.RESCHEDULING,
            starts_on=from_date,
            principal=outstanding,
            duration_months=duration_months,
            grace_months=grace_months,
            frequency=frequency,
            by=by,
            reason=reason.strip(),
        )


def default_terms(basin_id: int) -> dict:
    """The basin's default terms, for a form's initial values."""
    settings = fund_settings(basin_id)
    return {
        "duration_months": settings.default_duration_months,
        "grace_months": settings.default_grace_months,
        "frequency": settings.default_frequency,
    }


def outstanding_instalments(advance: Advance, *, before: datetime.date):
    """The active schedule's instalments due before `before` and not fully paid."""
    return (
        Instalment.objects.filter(schedule__advance=advance, schedule__is_active=True)
        .filter(due_date__lt=before)
        .unpaid()
        .order_by("due_date", "number")
    )
