"""The votes of the approval committee and its decisions: opening a vote (quorum),
recusals, casting a vote, closing it, the tally and the decision that moves the dossier."""

from collections.abc import Iterable
from decimal import Decimal

import pghistory
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from alize.models import User
from alize.services.common import create_validated
from avances.services import lock_fund
from avances.services.grant import grant_advance
from comites import permissions, tasks
from comites.models import (
    ONE_VOTE_MESSAGE,
    AgendaItem,
    Attendance,
    CommitteeMembership,
    Decision,
    Recusal,
    Vote,
)
from comites.rules import Tally
from comites.services._common import (
    day,
    item_quorum,
    lock_item,
    lock_session,
    mandate_in_session,
    money,
    refuse,
    require,
)
from comites.services.agenda import sync_automatic_recusals
from comites.services.sessions import stamp_vote
from comites.workflow import (
    AttendanceStatus,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
    SessionStatus,
    VoteCapacity,
    VoteChoice,
)
from grandes_entreprises.models import Corporation
from pme.services.decisions import decide_dossier

ONLY_FOR_ONESELF = (
    "Vous ne votez que pour vous-même et pour le membre dont vous détenez la procuration."
)
CLOSED_VOTE_MESSAGE = permissions.CLOSED_VOTE_MESSAGE
NO_QUORUM_OF_VOTERS = (
    "Le quorum n'est pas atteint : {summary}. La consultation écrite ne décide pas de ce "
    "dossier ; inscrivez-le à une séance."
)
WRITTEN_VOTES_CLOSE_TOGETHER = (
    "Les votes d'une consultation écrite se closent tous ensemble, avec la consultation."
)


# --- Quorum and tally ----------------------------------------------------------------


def tally(item: AgendaItem) -> Tally:
    """For, against and abstentions on one item, counted by the database (one query)."""
    return AgendaItem.objects.with_tally().select_related("session").get(pk=item.pk).tally


# --- Opening and closing a vote --------------------------------------------------------


@transaction.atomic
def open_item(*, item: AgendaItem, by: User) -> AgendaItem:
    """Open the vote on a dossier, if the quorum is reached.

    Quorum: the members present, remote or represented, recused ones left out, are at
    least the session's fraction (½ by default) of the members in office, recused ones
    left out. A second convocation sits without quorum. One vote is open at a time.
    """
    with pghistory.context(user=by.pk):
        session = lock_session(item.session)
        require(permissions.can_conduct_votes(by, session))
        item = lock_item(item)
        if session.is_written:
            refuse("Les votes d'une consultation écrite s'ouvrent tous à son lancement.")
        if session.status != SessionStatus.OPEN:
            refuse("La séance n'est pas ouverte : aucun vote ne peut s'ouvrir.")
        if item.status != ItemStatus.PENDING:
            refuse(
                CLOSED_VOTE_MESSAGE
                if item.status == ItemStatus.CLOSED
                else "Le vote sur ce dossier est déjà ouvert."
            )
        other = session.items.filter(status=ItemStatus.OPEN).first()
        if other is not None:
            refuse(f"Le vote sur le point n° {other.order} est encore ouvert : closez-le d'abord.")
        sync_automatic_recusals(item, by=by)
        quorum = item_quorum(item)
        if not quorum.reached and not session.is_second_convocation:
            refuse(
                f"Le quorum n'est pas atteint : {quorum.summary}. Le vote ne peut pas "
                "s'ouvrir ; le dossier pourra être examiné en seconde convocation, sans "
                "condition de quorum."
            )
        stamp_vote(item, ItemStatus.OPEN, by=by, at=timezone.now())
    return item


@transaction.atomic
def close_item(*, item: AgendaItem, by: User) -> AgendaItem:
    """Close the vote on a dossier: from now on its votes never change.

    The item is locked: of two clicks at once, the second finds it closed and is refused.
    """
    with pghistory.context(user=by.pk):
        item = lock_item(item)
        require(permissions.can_conduct_votes(by, item.session))
        if item.status != ItemStatus.OPEN:
            refuse(
                "Le vote sur ce dossier est déjà clos."
                if item.status == ItemStatus.CLOSED
                else "Le vote sur ce dossier n'est pas ouvert."
            )
        if item.session.is_written:
            refuse(WRITTEN_VOTES_CLOSE_TOGETHER)
        stamp_vote(item, ItemStatus.CLOSED, by=by, at=timezone.now())
    return item


# --- Recusals and votes --------------------------------------------------------------


@transaction.atomic
def declare_interest(
    *, item: AgendaItem, membership: CommitteeMembership, details: str, by: User
) -> Recusal:
    """A member declares an interest in a dossier and withdraws from its vote (déport).

    Declared by the member himself, or recorded by the chair or the secretary; before
    the member has voted on it, and before the vote closes.
    """
    with pghistory.context(user=by.pk):
        item = lock_item(item)
        session = item.session
        membership = CommitteeMembership.objects.select_related("person").get(pk=membership.pk)
        if membership.person_id != by.pk:
            require(
                permissions.can_conduct_votes(by, session),
                "Seuls le membre concerné, la présidence et le secrétariat déclarent un intérêt.",
            )
        mandate_in_session(session, membership, field="membership")
        if not membership.is_voting:
            refuse("Seuls les membres votants se déportent.", "membership")
        if item.status == ItemStatus.CLOSED:
            refuse(CLOSED_VOTE_MESSAGE)
        if Vote.objects.filter(item=item, member=membership).exists():
            refuse(f"{membership.person} a déjà voté sur ce dossier : le vote ne se reprend pas.")
        if Recusal.objects.filter(item=item, membership=membership).exists():
            refuse(f"{membership.person} est déjà déporté(e) sur ce dossier.")
        recusal = create_validated(
            Recusal,
            item=item,
            membership=membership,
            reason=RecusalReason.DECLARED_INTEREST,
            details=details.strip(),
            recorded_by=by,
        )
    return recusal


def _capacity(
    item: AgendaItem,
    acting: CommitteeMembership,
    member: CommitteeMembership,
    member_status: str | None,
    proxy_holder_id: int | None,
) -> str:
    """In what capacity `acting` may cast another `member`'s vote, or a French refusal."""
    session = item.session
    holder_recused = (
        member_status == AttendanceStatus.REPRESENTED
        and Recusal.objects.filter(item=item, membership_id=proxy_holder_id).exists()
    )
    if acting.role == MemberRole.SECRETARY:
        in_room = member_status == AttendanceStatus.PRESENT
        if member_status == AttendanceStatus.REPRESENTED:
            holder_status = (
                Attendance.objects.filter(session=session, membership_id=proxy_holder_id)
                .values_list("status", flat=True)
                .first()
            )
            in_room = holder_status == AttendanceStatus.PRESENT
        if not in_room:
            refuse(
                f"{member.person} n'est pas dans la salle : le secrétariat n'enregistre que les "
                "votes exprimés en séance."
            )
        if holder_recused:
            refuse(
                "Le détenteur de cette procuration est déporté sur ce dossier : il ne vote "
                "pas, même par procuration."
            )
        return VoteCapacity.SECRETARY
    if member_status == AttendanceStatus.REPRESENTED and proxy_holder_id == acting.pk:
        if holder_recused:
            refuse("Vous êtes déporté(e) sur ce dossier : vous ne votez pas, même par procuration.")
        return VoteCapacity.PROXY
    raise PermissionDenied(ONLY_FOR_ONESELF)


@transaction.atomic
def cast_vote(*, item: AgendaItem, member: CommitteeMembership, choice: str, by: User) -> Vote:
    """Record `member`'s vote on an open item: for, against or abstain.

    `by` votes for himself, for the member whose proxy he holds, or, as the committee's
    secretary, records the vote of a member in the room. Refused (in French): a vote on an
    item not open or closed, a second vote, a vote for someone else without proxy, by a
    person who does not sit on this committee (another basin's member), or by a recused
    member. The item is locked, so a vote cannot slip past its closing; the unique
    constraint keeps one vote per member and item whatever happens.
    """
    with pghistory.context(user=by.pk):
        item = lock_item(item)
        session = item.session
        acting = permissions.mandate_of(by, session.committee_id, session.day)
        if acting is None:
            raise PermissionDenied(
                "Vous ne siégez pas à ce comité : vous ne pouvez pas voter sur ce dossier."
            )
        member = CommitteeMembership.objects.select_related("person").get(pk=member.pk)
        if member.committee_id != session.committee_id or not member.is_active_on(session.day):
            raise PermissionDenied(ONLY_FOR_ONESELF)
        # A written consultation has no attendance: each member votes for themselves.
        member_status, proxy_holder_id = Attendance.objects.filter(
            session=session, membership=member
        ).values_list("status", "proxy_holder_id").first() or (None, None)
        recused = Recusal.objects.filter(item=item, membership=member).exists()
        voted = Vote.objects.filter(item=item, member=member).exists()
        if acting.pk == member.pk:
            allowed, reason = permissions.can_vote(
                member, item, attendance=member_status, recused=recused, voted=voted
            )
            if not allowed:
                refuse(reason)
            capacity = VoteCapacity.IN_PERSON
        else:
            reason = permissions.vote_refusal(member, item, recused=recused)
            if reason:
                refuse(reason)
            capacity = _capacity(item, acting, member, member_status, proxy_holder_id)
            if voted:
                refuse(ONE_VOTE_MESSAGE)
        return create_validated(
            Vote,
            item=item,
            member=member,
            choice=VoteChoice(choice),
            cast_by=acting,
            capacity=capacity,
            at=timezone.now(),
            refusals={"vote_one_per_member_and_item": ONE_VOTE_MESSAGE},
        )


# --- Decisions -----------------------------------------------------------------------


def _check_plan(item: AgendaItem, corporations: list[Corporation], domains: list[str]) -> None:
    if not corporations:
        refuse("Un agrément nomme la ou les grandes entreprises qui accompagnent.", "corporations")
    proposed = set(item.proposed_corporations.values_list("pk", flat=True))
    unproposed = [c for c in corporations if c.pk not in proposed]
    if unproposed:
        # Its representatives were not recused from this vote: it cannot be chosen now.
        refuse(
            f"{unproposed[0]} n'était pas proposée pour ce dossier avant le vote.",
            "corporations",
        )
    if not domains:
        refuse("Un agrément dit dans quels domaines la PME est accompagnée.", "domains")


def _check_advance(item: AgendaItem, advance: Decimal) -> Decimal | None:
    """The basin's cap in force on the session's day, once the advance is checked
    against it and against the amount requested."""
    session, dossier = item.session, item.dossier
    if advance > dossier.advance_requested:
        refuse(
            f"L'avance accordée ({money(advance)}) dépasse l'avance demandée "
            f"({money(dossier.advance_requested)}).",
            "advance_granted",
        )
    return session.committee.basin.check_advance_cap(advance, session.day, field="advance_granted")


def _hand_over_to_avances(decision: Decision, *, by: User) -> None:
    """Create the repayable advance an approval grants, in `record_decision`'s transaction.

    `avances.services.grant.grant_advance` checks again what it owns (the fund's available
    balance, the cap, the SME's de minimis position: an SME without a de minimis
    declaration is refused, staff record it first) and creates the `Advance`. A refusal
    is raised on the decision's `advance_granted` field and rolls the decision back with
    it: no approval is recorded with an advance that could not be granted.
    """
    try:
        grant_advance(decision=decision, by=by)
    except ValidationError as refusal:
        raise ValidationError({"advance_granted": refusal.messages}) from refusal


@transaction.atomic
def record_decision(
    *,
    item: AgendaItem,
    outcome: str,
    by: User,
    corporations: Iterable[Corporation] = (),
    domains: Iterable[str] = (),
    advance_granted: Decimal = Decimal("0.00"),
    missing: str = "",
    reason: str = "",
) -> Decision:
    """Record the committee's decision on a dossier whose vote is closed, and move the
    dossier (approved, deferred or rejected) through `pme.services.decisions.decide_dossier`, in the
    same transaction: both happen, or neither. This is the only way a dossier is decided.

    The decision follows the vote: a proposal adopted is approved; one not adopted is
    deferred (saying what is missing) or rejected (with the reason). An approval names the
    support plan (corporations among those proposed, domains) and the advance granted,
    no more than requested and no more than the basin's cap in force on the session's
    day, which is copied onto the decision.

    An approval granting an advance creates it (`avances.services.grant.grant_advance`, which
    takes the decision as its authority) in the same transaction; the
    basin's fund is locked first (fund, then item and dossier: the order every advance
    service follows). Once
    committed, the decision letter is emailed to the SME (`comites.tasks.send_decision`).
    """
    outcome = DecisionOutcome(outcome)
    advance = Decimal(advance_granted or 0).quantize(Decimal("0.01"))
    with pghistory.context(user=by.pk):
        if outcome == DecisionOutcome.APPROVED and advance > 0:
            basin_id = AgendaItem.objects.values_list(
                "dossier__pme__commune__epci__basin_id", flat=True
            ).get(pk=item.pk)
            lock_fund(basin_id)
        item = lock_item(item)
        session = item.session
        require(permissions.can_record_decision(by, session))
        if session.status == SessionStatus.SIGNED:
            refuse("Le procès-verbal est signé : une correction se fait par avenant.")
        if item.status != ItemStatus.CLOSED:
            refuse("Le vote sur ce dossier n'est pas clos : la décision suit le vote.")
        if Decision.objects.filter(item=item).exists():
            refuse("La décision sur ce dossier est déjà enregistrée.")
        if session.is_written:
            quorum = item_quorum(item)
            if not quorum.reached:
                refuse(NO_QUORUM_OF_VOTERS.format(summary=quorum.summary))
        result = tally(item)
        if result.adopted and outcome != DecisionOutcome.APPROVED:
            refuse(
                f"Le comité a adopté ce dossier ({result.summary}) : la décision est un agrément.",
                "outcome",
            )
        if not result.adopted and outcome == DecisionOutcome.APPROVED:
            refuse(
                f"Le vote n'a pas adopté ce dossier ({result.summary}) : il ne peut être "
                "qu'ajourné ou refusé.",
                "outcome",
            )
        corporations, domains = list(corporations), list(domains)
        cap = None
        if outcome == DecisionOutcome.APPROVED:
            _check_plan(item, corporations, domains)
            cap = _check_advance(item, advance)
        elif corporations or domains or advance:
            refuse("Un ajournement ou un refus n'accorde ni accompagnement ni avance.")
        decision = create_validated(
            Decision,
            item=item,
            outcome=outcome,
            decision_date=session.day,
            domains=domains,
            advance_granted=advance,
            advance_requested=item.dossier.advance_requested,
            cap_copied=cap,
            missing=missing.strip(),
            reason=reason.strip(),
            recorded_by=by,
            recorded_at=timezone.now(),
        )
        decision.corporations.set(corporations)
        comment = f"Séance du {day(session.day)} : {result.summary}."
        if decision.missing:
            comment += f" Éléments manquants : {decision.missing}"
        if decision.reason:
            comment += f" Motif : {decision.reason}"
        decide_dossier(decision=decision, by=by, comment=comment)
        if outcome == DecisionOutcome.APPROVED and advance > 0:
            _hand_over_to_avances(decision, by=by)
    transaction.on_commit(lambda: tasks.send_decision.delay(decision.pk), robust=True)
    return decision
