"""Everything the minutes (procès-verbal) of a session say, read in a fixed number of queries.

`minutes_data(session)` is what the minutes PDF and the session page will render: the
attendance and proxies, the quorum, each dossier's decision with its tally and recusals,
a late convocation, the signature and the amendments. Seven queries, whatever the number
of members and dossiers.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery

from comites.models import (
    AgendaItem,
    Amendment,
    Attendance,
    CommitteeMembership,
    Recusal,
    Session,
)
from comites.rules import Quorum, Tally, compute_quorum
from comites.workflow import (
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
)


@dataclass(frozen=True)
class MemberLine:
    membership_id: int
    name: str
    organisation: str
    role: str
    role_label: str
    is_voting: bool
    status: str
    status_label: str
    proxy_holder: str | None


@dataclass(frozen=True)
class RecusalLine:
    name: str
    organisation: str
    automatic: bool
    reason_label: str
    details: str


@dataclass(frozen=True)
class DecisionLine:
    outcome: str
    outcome_label: str
    decision_date: datetime.date
    corporations: list[str]
    domains: list[str]
    advance_granted: Decimal
    advance_requested: Decimal
    cap_copied: Decimal | None
    missing: str
    reason: str

    @property
    def is_approved(self) -> bool:
        return self.outcome == DecisionOutcome.APPROVED


@dataclass(frozen=True)
class ItemLine:
    order: int
    item_id: int
    dossier_id: int
    pme_name: str
    status: str
    status_label: str
    proposed_corporations: list[str]
    recusals: list[RecusalLine]
    quorum: Quorum
    tally: Tally | None
    decision: DecisionLine | None

    @property
    def examined(self) -> bool:
        return self.status == ItemStatus.CLOSED


@dataclass(frozen=True)
class AmendmentLine:
    at: datetime.datetime
    by: str
    text: str
    item_order: int | None


@dataclass(frozen=True)
class Minutes:
    session: Session
    committee_name: str
    basin_name: str
    is_steering: bool
    starts_at: datetime.datetime
    place: str
    video_link: str
    agenda_notes: str
    status_label: str
    is_second_convocation: bool
    first_convocation_day: datetime.date | None
    convened_at: datetime.datetime | None
    notice_days_required: int
    notice_days_given: int | None
    late_convocation: bool
    chair: str | None
    members: list[MemberLine]
    quorum: Quorum
    proxies: list[tuple[str, str]]
    items: list[ItemLine]
    amendments: list[AmendmentLine]
    signed_at: datetime.datetime | None
    signed_by: str | None

    @property
    def voting_members(self) -> list[MemberLine]:
        return [m for m in self.members if m.is_voting]

    def count(self, status: str) -> int:
        return sum(1 for m in self.voting_members if m.status == status)


def _members(session: Session) -> list[CommitteeMembership]:
    attendance = Attendance.objects.filter(session=session, membership=OuterRef("pk"))
    return list(
        CommitteeMembership.objects.active_on(session.day)
        .filter(committee_id=session.committee_id)
        .select_related("person")
        .annotate(
            attendance_status=Subquery(attendance.values("status")[:1]),
            attendance_proxy_holder=Subquery(attendance.values("proxy_holder_id")[:1]),
        )
        .order_by("role", "person__last_name", "person__first_name", "pk")
    )


def _decision_line(item: AgendaItem) -> DecisionLine | None:
    decision = getattr(item, "decision", None)
    if decision is None:
        return None
    return DecisionLine(
        outcome=decision.outcome,
        outcome_label=decision.get_outcome_display(),
        decision_date=decision.decision_date,
        corporations=[str(c) for c in decision.corporations.all()],
        domains=decision.domains_labels,
        advance_granted=decision.advance_granted,
        advance_requested=decision.advance_requested,
        cap_copied=decision.cap_copied,
        missing=decision.missing,
        reason=decision.reason,
    )


def minutes_data(session: Session) -> Minutes:
    """The content of a session's minutes, from the recorded data (seven queries)."""
    session = Session.objects.select_related(
        "committee__basin", "first_convocation", "signed_by"
    ).get(pk=session.pk)
    memberships = _members(session)
    names = {m.pk: str(m.person) for m in memberships}
    members = [
        MemberLine(
            membership_id=m.pk,
            name=names[m.pk],
            organisation=m.organisation,
            role=m.role,
            role_label=m.get_role_display(),
            is_voting=m.is_voting,
            status=m.attendance_status or AttendanceStatus.ABSENT,
            status_label=AttendanceStatus(m.attendance_status or AttendanceStatus.ABSENT).label,
            proxy_holder=names.get(m.attendance_proxy_holder),
        )
        for m in memberships
    ]
    statuses = {m.pk: m.attendance_status for m in memberships if m.is_voting}
    rules = {"numerator": session.quorum_numerator, "denominator": session.quorum_denominator}

    items = (
        AgendaItem.objects.filter(session=session)
        .with_tally()
        .select_related("dossier__pme", "decision")
        .prefetch_related(
            Prefetch("recusals", queryset=Recusal.objects.select_related("membership__person")),
            "proposed_corporations",
            "decision__corporations",
        )
        .order_by("order")
    )
    item_lines = []
    for item in items:
        item.session = session  # the tally reads the session's casting-vote rule
        recusals = list(item.recusals.all())
        item_lines.append(
            ItemLine(
                order=item.order,
                item_id=item.pk,
                dossier_id=item.dossier_id,
                pme_name=item.dossier.pme.name,
                status=item.status,
                status_label=item.get_status_display(),
                proposed_corporations=[str(c) for c in item.proposed_corporations.all()],
                recusals=[
                    RecusalLine(
                        name=str(r.membership.person),
                        organisation=r.membership.organisation,
                        automatic=r.reason == RecusalReason.PROPOSED_CORPORATION,
                        reason_label=r.get_reason_display(),
                        details=r.details,
                    )
                    for r in recusals
                ],
                quorum=compute_quorum(
                    statuses, recused=[r.membership_id for r in recusals], **rules
                ),
                tally=item.tally if item.status == ItemStatus.CLOSED else None,
                decision=_decision_line(item),
            )
        )

    amendments = [
        AmendmentLine(
            at=a.at,
            by=str(a.by),
            text=a.text,
            item_order=a.item.order if a.item_id else None,
        )
        for a in Amendment.objects.filter(session=session).select_related("by", "item")
    ]
    chair = next((m.name for m in members if m.role == MemberRole.CHAIR), None)
    committee = session.committee
    return Minutes(
        session=session,
        committee_name=str(committee),
        basin_name=committee.basin.name,
        is_steering=committee.kind == CommitteeKind.STEERING,
        starts_at=session.starts_at,
        place=session.place,
        video_link=session.video_link,
        agenda_notes=session.agenda_notes,
        status_label=session.get_status_display(),
        is_second_convocation=session.is_second_convocation,
        first_convocation_day=(
            session.first_convocation.day if session.first_convocation_id else None
        ),
        convened_at=session.convened_at,
        notice_days_required=session.notice_days,
        notice_days_given=session.notice_given_days,
        late_convocation=session.is_late_convocation,
        chair=chair,
        members=members,
        quorum=compute_quorum(statuses, **rules),
        proxies=[(m.name, m.proxy_holder) for m in members if m.proxy_holder],
        items=item_lines,
        amendments=amendments,
        signed_at=session.signed_at,
        signed_by=str(session.signed_by) if session.signed_by_id else None,
    )
