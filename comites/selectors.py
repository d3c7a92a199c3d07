"""The reads of a session: its page (`session_view`, what one user sees and may do) and
its minutes (`minutes_data`, what the procès-verbal says), built on the same members and
attendance (`members_of`), each in a fixed number of queries whatever the number of
members and dossiers.

Templates never compare states: the read model says which actions are open (`Actions`,
`ItemView`) and how each member attends (`attendance_text`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Prefetch, Subquery

from comites import permissions
from comites.models import (
    AgendaItem,
    Amendment,
    Attendance,
    CommitteeMembership,
    Decision,
    Recusal,
    Session,
    Vote,
)
from comites.rules import Quorum, Tally, compute_quorum
from comites.workflow import (
    FINISHED_STATUSES,
    MINUTES_STATUSES,
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
    SessionStatus,
)


def members_of(session: Session) -> list[CommitteeMembership]:
    """The mandates in force on the session's day, with their attendance (one query)."""
    attendance = Attendance.objects.filter(session=session, membership=OuterRef("pk"))
    return list(
        CommitteeMembership.objects.active_on(session.day)
        .filter(committee_id=session.committee_id)
        .select_related("person", "corporation")
        .annotate(
            attendance_status=Subquery(attendance.values("status")[:1]),
            attendance_proxy_holder=Subquery(attendance.values("proxy_holder_id")[:1]),
        )
        .order_by("role", "person__last_name", "person__first_name", "pk")
    )


# --- The session page ------------------------------------------------------------------


@dataclass
class Rights:
    """What this user may do in this session (the predicates of `comites.permissions`)."""

    prepare: bool
    keep: bool
    conduct: bool
    decide: bool
    sign: bool
    amend: bool
    live_tally: bool


@dataclass
class ItemView:
    item: AgendaItem
    quorum: Quorum
    recusals: list[Recusal]
    decision: Decision | None
    my_recusal: Recusal | None = None
    my_vote: Vote | None = None
    can_vote: bool = False
    why_not: str = ""
    represented: CommitteeMembership | None = None
    represented_vote: Vote | None = None
    represented_recusal: Recusal | None = None
    can_vote_for_represented: bool = False
    can_declare: bool = False
    room_members: list[CommitteeMembership] = field(default_factory=list)
    # The buttons and links of the item's card.
    edit_corporations: bool = False
    record_decision: bool = False
    open_vote: bool = False
    close_vote: bool = False
    reorder: bool = False
    awaiting_vote: bool = False

    @property
    def proxy_legend(self) -> str:
        return f"Vote de {self.represented.person} (procuration)" if self.represented else ""


@dataclass
class Actions:
    """The buttons and links of the session's page and minutes, for this user now."""

    transitions: list
    attendance: bool
    minutes: bool
    minutes_pdf: bool
    add_dossier: bool


@dataclass
class SessionView:
    session: Session
    members: list[CommitteeMembership]
    mine: CommitteeMembership | None
    represented: CommitteeMembership | None
    rights: Rights
    items: list[ItemView]
    actions: Actions

    @property
    def voting_members(self):
        return [m for m in self.members if m.is_voting]

    @property
    def is_approval(self) -> bool:
        return self.session.committee.is_approval

    @property
    def session_quorum(self) -> Quorum | None:
        """The attendance's quorum; a written consultation counts its voters item by item."""
        if self.session.is_written:
            return None
        return compute_quorum(
            {m.pk: m.attendance_status for m in self.voting_members},
            numerator=self.session.quorum_numerator,
            denominator=self.session.quorum_denominator,
        )

    def item(self, pk: int) -> ItemView | None:
        return next((view for view in self.items if view.item.pk == pk), None)


def rights_of(user, session: Session, mine: CommitteeMembership | None) -> Rights:
    operator = permissions.is_operator_of_basin(user, session.committee.basin_id)
    role = mine.role if mine else None
    return Rights(
        prepare=permissions.granted(permissions.can_prepare_session(user, session)),
        keep=permissions.granted(permissions.can_keep_session(user, session)),
        conduct=permissions.granted(permissions.can_conduct_votes(user, session)),
        decide=permissions.granted(permissions.can_record_decision(user, session)),
        sign=permissions.granted(permissions.can_sign_minutes(user, session)),
        amend=permissions.granted(permissions.can_amend_minutes(user, session)),
        # As `permissions.can_see_live_tally`, for all the items at once.
        live_tally=operator or role in (MemberRole.CHAIR, MemberRole.SECRETARY),
    )


def session_actions(session: Session, rights: Rights) -> Actions:
    """The session's moves (its kind's workflow, each for who `rights` says may make it) and
    the page's other links."""
    status = session.status

    def by_rights(_user, _session, move) -> tuple[bool, str]:
        (actor,) = move.actors  # "prepare", "keep" or "sign", as the rights name them
        return getattr(rights, actor), ""

    return Actions(
        transitions=session.workflow.available(None, session, by_rights),
        attendance=rights.keep and session.is_sitting and not session.is_written,
        minutes=status in MINUTES_STATUSES,
        minutes_pdf=status in FINISHED_STATUSES,
        add_dossier=(
            rights.prepare and status == SessionStatus.DRAFT and session.committee.is_approval
        ),
    )


def _item_actions(view: ItemView, session: Session, rights: Rights) -> None:
    item, sitting_open = view.item, session.status == SessionStatus.OPEN
    pending = item.status == ItemStatus.PENDING
    view.edit_corporations = rights.prepare and pending and session.status not in FINISHED_STATUSES
    view.record_decision = (
        item.is_closed
        and rights.decide
        and not session.is_signed
        # A written consultation whose voters fall short of the quorum decides nothing.
        and (view.quorum.reached or not session.is_written)
    )
    view.open_vote = rights.conduct and sitting_open and pending
    # A written consultation opens and closes its votes all together, with itself.
    view.open_vote = view.open_vote and not session.is_written
    view.close_vote = rights.conduct and sitting_open and item.is_open and not session.is_written
    view.reorder = rights.prepare and session.status == SessionStatus.DRAFT
    view.awaiting_vote = sitting_open and pending


ATTENDANCE_TEXT = {
    AttendanceStatus.PRESENT: "présent(e)",
    AttendanceStatus.REMOTE: "à distance",
    AttendanceStatus.REPRESENTED: "représenté(e)",
    AttendanceStatus.ABSENT: "absent(e)",
}


def attendance_text(member: CommitteeMembership, by_pk: dict) -> str:
    """How a member attends, in the page's words: « représenté(e) par … »."""
    text = ATTENDANCE_TEXT.get(member.attendance_status, "présence non notée")
    holder = by_pk.get(member.attendance_proxy_holder)
    if member.attendance_status == AttendanceStatus.REPRESENTED and holder is not None:
        text = f"{text} par {holder.person}"
    return text


def session_view(user, session: Session) -> SessionView:
    members = members_of(session)
    mine = next((m for m in members if m.person_id == user.pk), None)
    represented = None
    if mine is not None:
        represented = next((m for m in members if m.attendance_proxy_holder == mine.pk), None)
    rights = rights_of(user, session, mine)
    items = list(
        AgendaItem.objects.filter(session=session)
        .with_tally()
        .select_related("dossier__pme__commune", "decision")
        .prefetch_related(
            Prefetch(
                "recusals",
                queryset=Recusal.objects.select_related("membership__person").order_by("pk"),
            ),
            "proposed_corporations",
        )
        .order_by("order")
    )
    statuses = {m.pk: m.attendance_status for m in members if m.is_voting}
    by_pk = {m.pk: m for m in members}
    for member in members:
        member.attendance_text = attendance_text(member, by_pk)
    # Who has voted on what: one query for the whole agenda.
    voted: dict[tuple[int, int], Vote] = {}
    if items and session.status == SessionStatus.OPEN:
        voted = {
            (vote.item_id, vote.member_id): vote
            for vote in Vote.objects.filter(item__session=session)
        }
    views = []
    for item in items:
        item.session = session
        recusals = list(item.recusals.all())
        recused = {r.membership_id: r for r in recusals}
        view = ItemView(
            item=item,
            quorum=compute_quorum(
                statuses,
                numerator=session.quorum_numerator,
                denominator=session.quorum_denominator,
                recused=recused,
                votes_cast=item.tally.cast if session.is_written else None,
            ),
            recusals=recusals,
            decision=getattr(item, "decision", None),
        )
        _item_actions(view, session, rights)
        if mine is not None and mine.is_voting:
            view.my_recusal = recused.get(mine.pk)
            view.my_vote = voted.get((item.pk, mine.pk))
            view.can_vote, view.why_not = permissions.can_vote(
                mine,
                item,
                attendance=mine.attendance_status,
                recused=view.my_recusal is not None,
                voted=view.my_vote is not None,
            )
            view.can_declare = (
                item.status != ItemStatus.CLOSED
                and session.is_sitting
                and not view.my_recusal
                and not view.my_vote
            )
            if represented is not None:
                view.represented = represented
                view.represented_vote = voted.get((item.pk, represented.pk))
                view.represented_recusal = recused.get(represented.pk)
                view.can_vote_for_represented = (
                    not permissions.vote_refusal(
                        represented, item, recused=view.represented_recusal is not None
                    )
                    and not view.my_recusal
                    and not view.represented_vote
                )
        if mine is not None and mine.role == MemberRole.SECRETARY and item.is_open:
            view.room_members = [
                m
                for m in members
                if m.is_voting
                and m.pk not in recused
                and (item.pk, m.pk) not in voted
                and _in_room(m, by_pk)
            ]
        views.append(view)
    return SessionView(
        session=session,
        members=members,
        mine=mine,
        represented=represented,
        rights=rights,
        items=views,
        actions=session_actions(session, rights),
    )


def _in_room(member: CommitteeMembership, by_pk: dict) -> bool:
    if member.attendance_status == AttendanceStatus.PRESENT:
        return True
    if member.attendance_status == AttendanceStatus.REPRESENTED:
        holder = by_pk.get(member.attendance_proxy_holder)
        return holder is not None and holder.attendance_status == AttendanceStatus.PRESENT
    return False


# --- The minutes ----------------------------------------------------------------------


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
    is_written: bool
    starts_at: datetime.datetime
    closes_at: datetime.datetime | None
    opened_at: datetime.datetime | None
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
    memberships = members_of(session)
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
                    statuses,
                    recused=[r.membership_id for r in recusals],
                    votes_cast=item.tally.cast if session.is_written else None,
                    **rules,
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
        is_written=session.is_written,
        starts_at=session.starts_at,
        closes_at=session.closes_at,
        opened_at=session.opened_at,
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


@dataclass
class MinutesView:
    """The minutes' page: what they say, and what this user may do with them now."""

    minutes: Minutes
    can_sign: bool
    can_amend: bool
    pdf: bool


def minutes_view(user, session: Session) -> MinutesView:
    return MinutesView(
        minutes=minutes_data(session),
        can_sign=permissions.granted(permissions.can_sign_minutes(user, session))
        and session.status == SessionStatus.CLOSED,
        can_amend=permissions.granted(permissions.can_amend_minutes(user, session))
        and session.is_signed,
        pdf=session.status in FINISHED_STATUSES,
    )
