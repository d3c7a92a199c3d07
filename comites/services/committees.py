"""Setting up committees: their rules and their members' mandates."""

import datetime
from typing import Any

import pghistory
from django.db import transaction

from alize.models import Basin, User
from alize.services.common import lock_row, save_validated
from comites import permissions
from comites.models import (
    ONE_CHAIR_MESSAGE,
    OVERLAPPING_MANDATE_MESSAGE,
    Attendance,
    Committee,
    CommitteeMembership,
)
from comites.services._common import check_fields, day, refuse, require
from comites.workflow import MemberRole
from grandes_entreprises.models import Corporation

RULE_FIELDS = frozenset(
    {"name", "quorum_numerator", "quorum_denominator", "chair_casting_vote", "notice_days"}
)
MANAGERS_ONLY = "Seul(e) un(e) responsable de l'opérateur du bassin constitue ses comités."


def _lock_committee(committee: Committee) -> Committee:
    """The committee's row, locked: mandate changes of one committee queue up here."""
    return lock_row(Committee, committee.pk, "basin")


@transaction.atomic
def create_committee(*, basin: Basin, kind: str, by: User, **rules: Any) -> Committee:
    """Create a basin's approval or steering committee (one of each per basin)."""
    check_fields(rules, RULE_FIELDS, "committee")
    committee = Committee(basin=basin, kind=kind, **rules)
    require(permissions.can_manage_committee(by, committee), MANAGERS_ONLY)
    with pghistory.context(user=by.pk):
        # Two managers at once: the unique constraint keeps one, the other is told why.
        return save_validated(
            committee,
            refusals={
                "committee_one_of_each_kind_per_basin": {
                    "kind": "Ce bassin a déjà un comité de cette nature."
                }
            },
        )


@transaction.atomic
def update_committee_rules(*, committee: Committee, by: User, **rules: Any) -> Committee:
    """Change a committee's name or rules. Sessions already convened keep the rules they
    were convened under; drafts take the new ones at their convocation."""
    check_fields(rules, RULE_FIELDS, "committee")
    with pghistory.context(user=by.pk):
        committee = _lock_committee(committee)
        require(permissions.can_manage_committee(by, committee), MANAGERS_ONLY)
        return save_validated(committee, **rules)


def _save_mandate(membership: CommitteeMembership) -> CommitteeMembership:
    # The database trigger on mandates checks overlaps (after locking the committee)
    # and says which rule was broken: turn it into the French form error.
    return save_validated(
        membership,
        refusals={
            message: {"start_date": message}
            for message in (ONE_CHAIR_MESSAGE, OVERLAPPING_MANDATE_MESSAGE)
        },
    )


@transaction.atomic
def appoint_member(
    *,
    committee: Committee,
    person: User,
    role: str,
    start_date: datetime.date,
    by: User,
    organisation: str = "",
    corporation: Corporation | None = None,
    end_date: datetime.date | None = None,
) -> CommitteeMembership:
    """Give a person a mandate on a committee (chair, member or secretary).

    The committee is locked: of two chairs appointed at once for overlapping periods, the
    second is refused. The organisation defaults to the corporation's group name.
    """
    with pghistory.context(user=by.pk):
        committee = _lock_committee(committee)
        require(permissions.can_manage_committee(by, committee), MANAGERS_ONLY)
        membership = CommitteeMembership(
            committee=committee,
            person=person,
            role=role,
            organisation=organisation or (corporation.group_name if corporation else ""),
            corporation=corporation,
            start_date=start_date,
            end_date=end_date,
        )
        return _save_mandate(membership)


def _end(membership: CommitteeMembership, end_date: datetime.date) -> CommitteeMembership:
    if end_date < membership.start_date:
        refuse(
            f"Le mandat a commencé le {day(membership.start_date)} : il ne peut finir avant.",
            "end_date",
        )
    later = (
        Attendance.objects.filter(membership=membership, session__starts_at__date__gt=end_date)
        .select_related("session")
        .order_by("session__starts_at")
        .first()
    )
    if later:
        refuse(
            f"{membership.person} a siégé à la séance du {day(later.session.day)} : "
            "son mandat ne peut finir avant.",
            "end_date",
        )
    membership.end_date = end_date
    return _save_mandate(membership)


@transaction.atomic
def end_mandate(
    *, membership: CommitteeMembership, end_date: datetime.date, by: User
) -> CommitteeMembership:
    """End a mandate on `end_date` (its last day), if no later session counted on it."""
    with pghistory.context(user=by.pk):
        committee = _lock_committee(membership.committee)
        require(permissions.can_manage_committee(by, committee), MANAGERS_ONLY)
        membership = CommitteeMembership.objects.select_related("person").get(pk=membership.pk)
        return _end(membership, end_date)


@transaction.atomic
def change_chair(
    *,
    committee: Committee,
    person: User,
    start_date: datetime.date,
    by: User,
    organisation: str = "",
    corporation: Corporation | None = None,
) -> CommitteeMembership:
    """Hand the chair to a new person from `start_date`: the chair in office steps down
    the day before (Saint-Gobain until 30 June 2008, Vallourec from 1 July)."""
    with pghistory.context(user=by.pk):
        committee = _lock_committee(committee)
        require(permissions.can_manage_committee(by, committee), MANAGERS_ONLY)
        outgoing = (
            CommitteeMembership.objects.chairs()
            .active_on(start_date)
            .filter(committee=committee)
            .select_related("person")
            .first()
        )
        if outgoing is not None:
            if outgoing.start_date >= start_date:
                refuse(
                    f"{outgoing.person} préside depuis le {day(outgoing.start_date)} : la "
                    "nouvelle présidence commence après.",
                    "start_date",
                )
            _end(outgoing, start_date - datetime.timedelta(days=1))
        # A member who becomes chair ends his member's mandate the day before.
        current = (
            CommitteeMembership.objects.active_on(start_date)
            .filter(committee=committee, person=person)
            .exclude(pk=getattr(outgoing, "pk", None))
            .first()
        )
        if current is not None and current.start_date < start_date:
            _end(current, start_date - datetime.timedelta(days=1))
        elif current is not None and not current.attendances.exists():
            # A member seated that very day (an invitation gives a member's seat) takes the
            # chair with the same mandate.
            current.role = MemberRole.CHAIR
            current.organisation = organisation or (
                corporation.group_name if corporation else current.organisation
            )
            current.corporation = corporation or current.corporation
            return _save_mandate(current)
        membership = CommitteeMembership(
            committee=committee,
            person=person,
            role=MemberRole.CHAIR,
            organisation=organisation or (corporation.group_name if corporation else ""),
            corporation=corporation,
            start_date=start_date,
        )
        return _save_mandate(membership)
