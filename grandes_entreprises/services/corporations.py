"""Writers of corporations, their contacts, experts, memberships, coordinators,
committee representatives and daily rates."""

import datetime
from decimal import Decimal
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction

from alize.models import ProgrammePeriod, Role, User
from alize.services.common import create_validated, lock_row, save_validated
from alize.versioning import check_version
from grandes_entreprises import permissions
from grandes_entreprises.models import (
    Corporation,
    CorporationContact,
    DailyRate,
    Expert,
    Membership,
)
from grandes_entreprises.services._common import (
    CONTACT_FIELDS,
    CORPORATION_FIELDS,
    EXPERT_FIELDS,
    _check_fields,
    _lock_corporation,
    _require,
    _require_manager,
)

SITE_UNIQUE = next(
    constraint
    for constraint in Corporation._meta.constraints
    if constraint.name == "corporation_site_unique_per_basin"
)


@transaction.atomic
def create_corporation(*, by: User, data: dict[str, Any]) -> Corporation:
    """Register a corporation (one local site of a group) in one of the user's basins."""
    _check_fields(data, CORPORATION_FIELDS, "corporation")
    corporation = Corporation(**data)
    _require(
        corporation.basin_id is not None
        and permissions.is_operator_of_basin(by, corporation.basin_id),
        "Seul le personnel de l'opérateur du bassin enregistre une grande entreprise.",
    )
    with pghistory.context(user=by.pk):
        return _save_site(corporation)


def _save_site(corporation: Corporation, **changes: Any) -> Corporation:
    """Validate and save, turning the race of two colleagues registering the same site at
    the same moment (full_clean saw neither) into the constraint's French message."""
    return save_validated(
        corporation, refusals={SITE_UNIQUE.name: SITE_UNIQUE.violation_error_message}, **changes
    )


@transaction.atomic
def update_corporation(
    *, corporation: Corporation, by: User, data: dict[str, Any], version: int | None = None
) -> Corporation:
    """Change a corporation's record. Saved from an older `version` than the record's (a
    colleague saved it since the form was drawn): `EditConflict`, nothing saved."""
    _check_fields(data, CORPORATION_FIELDS - {"basin"}, "corporation")
    with pghistory.context(user=by.pk):
        corporation = _lock_corporation(corporation)
        _require_manager(by, corporation)
        check_version(corporation, version)
        _save_site(corporation, **data)
    return corporation


def _add_to_corporation(
    model, *, corporation: Corporation, by: User, data: dict[str, Any], lock: bool = False
):
    """Validate and save one row attached to a corporation its manager adds; with `lock`,
    after locking the corporation (its memberships and dated rates queue up there)."""
    _require_manager(by, corporation)
    with pghistory.context(user=by.pk):
        if lock:
            _lock_corporation(corporation)
        return create_validated(model, corporation=corporation, **data)


@transaction.atomic
def add_contact(*, corporation: Corporation, by: User, data: dict[str, Any]) -> CorporationContact:
    _check_fields(data, CONTACT_FIELDS, "contact")
    return _add_to_corporation(CorporationContact, corporation=corporation, by=by, data=data)


@transaction.atomic
def update_contact(
    *, contact: CorporationContact, by: User, data: dict[str, Any]
) -> CorporationContact:
    """Change a contact of a corporation (its basin's operators only). A phone number typed
    again replaces the old entry kept "à vérifier"."""
    _check_fields(data, CONTACT_FIELDS, "contact")
    if "phone" in data:
        data = {**data, "phone_to_check": ""}
    return _edit_record(CorporationContact, contact, by=by, data=data)


@transaction.atomic
def remove_contact(*, contact: CorporationContact, by: User) -> None:
    """Delete a contact: the deletion stays in the audit trail, with who made it."""
    with pghistory.context(user=by.pk):
        contact = _lock_contact(contact)
        _require_manager(by, contact.corporation)
        contact.delete()


def _lock_record(model, record):
    """A row that hangs off a corporation, locked, with its corporation."""
    return lock_row(model, record.pk, "corporation")


def _lock_contact(contact: CorporationContact) -> CorporationContact:
    return _lock_record(CorporationContact, contact)


def _edit_record(model, record, *, by: User, data: dict[str, Any]):
    """Change a row of a corporation's record (its basin's operators only), under a lock."""
    with pghistory.context(user=by.pk):
        record = _lock_record(model, record)
        _require_manager(by, record.corporation)
        return save_validated(record, **data)


@transaction.atomic
def add_expert(*, corporation: Corporation, by: User, data: dict[str, Any]) -> Expert:
    _check_fields(data, EXPERT_FIELDS, "expert")
    return _add_to_corporation(Expert, corporation=corporation, by=by, data=data)


@transaction.atomic
def update_expert(*, expert: Expert, by: User, data: dict[str, Any]) -> Expert:
    _check_fields(data, EXPERT_FIELDS, "expert")
    return _edit_record(Expert, expert, by=by, data=data)


@transaction.atomic
def record_membership(
    *,
    corporation: Corporation,
    period: ProgrammePeriod,
    joined_on: datetime.date,
    by: User,
    left_on: datetime.date | None = None,
) -> Membership:
    """Record that a corporation joined a programme period (and left it, when it did).

    Recording it again for the same period updates the dates.
    """
    _require_manager(by, corporation)
    with pghistory.context(user=by.pk):
        _lock_corporation(corporation)
        membership = Membership.objects.filter(corporation=corporation, period=period).first()
        if membership is None:
            membership = Membership(corporation=corporation, period=period)
        return save_validated(membership, joined_on=joined_on, left_on=left_on)


@transaction.atomic
def add_membership(
    *,
    corporation: Corporation,
    period: ProgrammePeriod,
    joined_on: datetime.date,
    by: User,
    left_on: datetime.date | None = None,
) -> Membership:
    """A corporation joins a programme period of its basin (the operator's screen).

    Unlike `record_membership`, a second participation in the same period is refused
    (French message) rather than rewritten: the page says what is already recorded.
    """
    data = {"period": period, "joined_on": joined_on, "left_on": left_on}
    return _add_to_corporation(Membership, corporation=corporation, by=by, data=data, lock=True)


@transaction.atomic
def end_membership(*, membership: Membership, left_on: datetime.date, by: User) -> Membership:
    """A corporation leaves the programme period on `left_on` (within the period, not
    before it joined); a membership already ended may have its date corrected."""
    with pghistory.context(user=by.pk):
        membership = lock_row(Membership, membership.pk, "corporation", "period")
        _require_manager(by, membership.corporation)
        return save_validated(membership, left_on=left_on)


def _name_holder(*, corporation: Corporation, user: User, by: User, role: Role, field: str) -> None:
    """Link a user holding `role` to the corporation through the many-to-many `field`."""
    _require_manager(by, corporation)
    if not user.has_role(role):
        raise ValidationError({field: f"{user} n'a pas le rôle « {role.label} »."})
    # A person of another basin would read this basin's corporation through the link.
    if not user.works_in(corporation.basin_id):
        raise ValidationError({field: f"{user} ne travaille pas dans le bassin de l'entreprise."})
    if not user.is_active:
        raise ValidationError({field: f"Le compte de {user} est désactivé."})
    with pghistory.context(user=by.pk):
        getattr(corporation, field).add(user)


@transaction.atomic
def add_coordinator(*, corporation: Corporation, user: User, by: User) -> None:
    """Name a user coordinator of a corporation: they then see its missions and log days.

    The user must hold the coordinator role; the link lives on the corporation's side.
    """
    _name_holder(
        corporation=corporation, user=user, by=by, role=Role.COORDINATOR, field="coordinators"
    )


def _remove_holder(*, corporation: Corporation, user: User, by: User, field: str) -> None:
    """Unlink a user from the corporation's many-to-many `field`."""
    _require_manager(by, corporation)
    with pghistory.context(user=by.pk):
        getattr(corporation, field).remove(user)


@transaction.atomic
def remove_coordinator(*, corporation: Corporation, user: User, by: User) -> None:
    _remove_holder(corporation=corporation, user=user, by=by, field="coordinators")


@transaction.atomic
def add_committee_representative(*, corporation: Corporation, user: User, by: User) -> None:
    """Name a user who sits on the approval committee for this corporation."""
    _name_holder(
        corporation=corporation,
        user=user,
        by=by,
        role=Role.COMMITTEE_MEMBER,
        field="committee_representatives",
    )


@transaction.atomic
def remove_committee_representative(*, corporation: Corporation, user: User, by: User) -> None:
    _remove_holder(corporation=corporation, user=user, by=by, field="committee_representatives")


@transaction.atomic
def set_daily_rate(
    *,
    corporation: Corporation,
    rate: Decimal,
    valid_from: datetime.date,
    by: User,
    comment: str = "",
) -> DailyRate:
    """Record the value of an expert day for a corporation from a date on.

    Past rates are never rewritten: a new rate is a new row. A rate dated in the past
    revalues the days logged from that date on (the value is computed, never stored).
    """
    data = {"rate": rate, "valid_from": valid_from, "comment": comment}
    return _add_to_corporation(DailyRate, corporation=corporation, by=by, data=data, lock=True)
