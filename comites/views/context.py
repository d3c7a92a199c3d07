"""What the session page shows to one user, read in a fixed number of queries whatever the
number of members and dossiers: the page and each htmx fragment of an item build it here,
so that a fragment says exactly what the page says."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from comites import permissions
from comites.models import AgendaItem, CommitteeMembership, Decision, Recusal, Session, Vote
from comites.rules import Quorum, compute_quorum
from comites.views.common import flag, members_of
from comites.workflow import (
    TAKING_PART_STATUSES,
    AttendanceStatus,
    ItemStatus,
    MemberRole,
    SessionStatus,
)


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

    @property
    def proxy_legend(self) -> str:
        return f"Vote de {self.represented.person} (procuration)" if self.represented else ""


@dataclass
class SessionView:
    session: Session
    members: list[CommitteeMembership]
    mine: CommitteeMembership | None
    represented: CommitteeMembership | None
    rights: Rights
    items: list[ItemView]

    @property
    def voting_members(self):
        return [m for m in self.members if m.is_voting]

    @property
    def is_approval(self) -> bool:
        return self.session.committee.is_approval

    @property
    def session_quorum(self) -> Quorum:
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
        prepare=flag(permissions.can_prepare_session(user, session)),
        keep=flag(permissions.can_keep_session(user, session)),
        conduct=flag(permissions.can_conduct_votes(user, session)),
        decide=flag(permissions.can_record_decision(user, session)),
        sign=flag(permissions.can_sign_minutes(user, session)),
        amend=flag(permissions.can_amend_minutes(user, session)),
        # As `permissions.can_see_live_tally`, for all the items at once.
        live_tally=operator or role in (MemberRole.CHAIR, MemberRole.SECRETARY),
    )


def _why_not(member: CommitteeMembership) -> str:
    status = member.attendance_status
    if status == AttendanceStatus.REPRESENTED:
        return (
            "Vous avez donné procuration pour cette séance : c'est le détenteur de votre "
            "procuration qui vote pour vous."
        )
    if status not in TAKING_PART_STATUSES:
        return "Vous n'êtes pas noté(e) présent(e) ou à distance : vous ne pouvez pas voter."
    return ""


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
            ),
            recusals=recusals,
            decision=getattr(item, "decision", None),
        )
        if mine is not None and mine.is_voting:
            view.my_recusal = recused.get(mine.pk)
            view.my_vote = voted.get((item.pk, mine.pk))
            view.why_not = _why_not(mine)
            view.can_vote = (
                item.is_open and not view.my_recusal and not view.my_vote and not view.why_not
            )
            view.can_declare = (
                item.status != ItemStatus.CLOSED
                and session.status in (SessionStatus.CONVENED, SessionStatus.OPEN)
                and not view.my_recusal
                and not view.my_vote
            )
            if represented is not None:
                view.represented = represented
                view.represented_vote = voted.get((item.pk, represented.pk))
                view.represented_recusal = recused.get(represented.pk)
                view.can_vote_for_represented = (
                    item.is_open
                    and not view.my_recusal
                    and not view.represented_recusal
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
    )


def _in_room(member: CommitteeMembership, by_pk: dict) -> bool:
    if member.attendance_status == AttendanceStatus.PRESENT:
        return True
    if member.attendance_status == AttendanceStatus.REPRESENTED:
        holder = by_pk.get(member.attendance_proxy_holder)
        return holder is not None and holder.attendance_status == AttendanceStatus.PRESENT
    return False
