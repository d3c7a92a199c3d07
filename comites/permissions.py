"""Who may do what with committees, sessions, votes and minutes.

Predicates answer for one user and one object; those that can refuse for several reasons
return `(allowed, reason)` so that a service or a view can say why, in French. Seeing is
`Session.objects.visible_to(user)` (and `AgendaItem`, `visible_dossiers`): a view fetches
through them and answers 404 otherwise.

Three kinds of people act:
- the operator's staff and managers of the basin prepare sessions (agenda, convocation,
  attendance); a manager sets up the committees, their rules and members;
- the committee's secretary (a mandate with that role) keeps the session: attendance,
  votes recorded in the room, the decisions;
- the chair conducts the votes and signs the minutes. Members vote.
"""

import datetime

from django.utils import timezone

from alize.models import Role
from comites.models import ONE_VOTE_MESSAGE, CommitteeMembership, Session
from comites.workflow import (
    KEEPS,
    PREPARES,
    SIGNS,
    TAKING_PART_STATUSES,
    AttendanceStatus,
    ItemStatus,
    MemberRole,
)

NOT_YOUR_COMMITTEE = "Vous ne siégez pas à ce comité."


def granted(answer: tuple[bool, str] | bool) -> bool:
    """A predicate's yes or no, whether it gives its reason or not."""
    return answer[0] if isinstance(answer, tuple) else answer


def is_operator_of_basin(user, basin_id: int, *roles: str) -> bool:
    """Operator staff or manager (or only `roles`) working in this basin."""
    roles = roles or (Role.STAFF, Role.MANAGER)
    if not (user.is_authenticated and user.has_role(*roles)):
        return False
    if not hasattr(user, "_basin_ids_cache"):
        user._basin_ids_cache = frozenset(user.basins.values_list("pk", flat=True))
    return basin_id in user._basin_ids_cache


def mandate_of(user, committee_id: int, day: datetime.date) -> CommitteeMembership | None:
    """The user's mandate on this committee in force on `day`, if any (one at most)."""
    if not user.is_authenticated:
        return None
    return (
        CommitteeMembership.objects.active_on(day)
        .filter(committee_id=committee_id, person=user)
        .select_related("person", "corporation")
        .first()
    )


def has_role_in_session(user, session: Session, *roles: str) -> bool:
    mandate = mandate_of(user, session.committee_id, session.day)
    return mandate is not None and mandate.role in roles


def can_manage_committee(user, committee) -> bool:
    """Creating a committee, its rules and its members: a manager of the operator."""
    return is_operator_of_basin(user, committee.basin_id, Role.MANAGER)


def can_prepare_session(user, session) -> tuple[bool, str]:
    """A session's date, place, agenda and convocation: the operator of the basin, or the
    committee's secretary."""
    if is_operator_of_basin(user, session.committee.basin_id):
        return True, ""
    if has_role_in_session(user, session, MemberRole.SECRETARY):
        return True, ""
    return False, "Seuls l'opérateur du bassin et le secrétariat du comité préparent les séances."


def can_keep_session(user, session) -> tuple[bool, str]:
    """Attendance and the opening and closing of the session: the operator, the secretary
    or the chair."""
    if is_operator_of_basin(user, session.committee.basin_id):
        return True, ""
    if has_role_in_session(user, session, MemberRole.SECRETARY, MemberRole.CHAIR):
        return True, ""
    return False, "Seuls la présidence, le secrétariat et l'opérateur tiennent la séance."


def can_conduct_votes(user, session) -> tuple[bool, str]:
    """Opening and closing each vote: the chair, or the secretary on his behalf."""
    if has_role_in_session(user, session, MemberRole.CHAIR, MemberRole.SECRETARY):
        return True, ""
    return False, "Seuls la présidence et le secrétariat du comité ouvrent et closent un vote."


def can_record_decision(user, session) -> tuple[bool, str]:
    """The decision after a vote: the chair, the secretary, or a manager of the operator.

    Moving the dossier also goes through `pme.services.transition_dossier`, which today
    asks for the operator manager's role (see `pme.workflow.COMMITTEE_DECISION_ROLES`).
    """
    if is_operator_of_basin(user, session.committee.basin_id, Role.MANAGER):
        return True, ""
    if has_role_in_session(user, session, MemberRole.CHAIR, MemberRole.SECRETARY):
        return True, ""
    return False, "Seuls la présidence et le secrétariat du comité enregistrent ses décisions."


def can_sign_minutes(user, session) -> tuple[bool, str]:
    if has_role_in_session(user, session, MemberRole.CHAIR):
        return True, ""
    return False, "Seul(e) le ou la président(e) du comité signe le procès-verbal."


def can_amend_minutes(user, session) -> tuple[bool, str]:
    allowed, _ = can_keep_session(user, session)
    if allowed:
        return True, ""
    return False, "Seuls la présidence, le secrétariat et l'opérateur corrigent un procès-verbal."


def can_move_session(user, session, transition) -> tuple[bool, str]:
    """A move of `SESSION_WORKFLOW`, by who its `actors` name: the permission the services
    check and the session page asks for its buttons."""
    (actor,) = transition.actors
    return SESSION_MOVERS[actor](user, session)


SESSION_MOVERS = {PREPARES: can_prepare_session, KEEPS: can_keep_session, SIGNS: can_sign_minutes}


def can_see_live_tally(user, item) -> bool:
    """The running tally of an open vote: the chair, the secretary and the operator; members
    see the result once the vote is closed."""
    session = item.session
    if item.is_closed:
        return Session.objects.visible_to(user).filter(pk=session.pk).exists()
    return is_operator_of_basin(user, session.committee.basin_id) or has_role_in_session(
        user, session, MemberRole.CHAIR, MemberRole.SECRETARY
    )


CLOSED_VOTE_MESSAGE = "Le vote sur ce dossier est clos : il ne change plus."
GAVE_PROXY_MESSAGE = (
    "Vous avez donné procuration pour cette séance : c'est le détenteur de votre "
    "procuration qui vote pour vous."
)
# A member without an attendance is absent.
NOT_TAKING_PART_MESSAGE = "Vous êtes noté(e) absent(e) de cette séance : vous ne pouvez pas voter."


def vote_refusal(member: CommitteeMembership, item, *, recused: bool) -> str:
    """Why nobody may cast this member's vote on this item now ("" when someone may): the
    rules of every vote, in person, by proxy or recorded by the secretary."""
    if not member.is_voting:
        return "Le secrétariat du comité ne vote pas."
    if item.status == ItemStatus.CLOSED:
        return CLOSED_VOTE_MESSAGE
    if item.status != ItemStatus.OPEN:
        return "Le vote sur ce dossier n'est pas encore ouvert."
    session = item.session
    if session.is_written and timezone.now() >= session.closes_at:
        closes_at = timezone.localtime(session.closes_at)
        return (
            f"La consultation écrite a pris fin le {closes_at:%d/%m/%Y à %Hh%M} : "
            "les votes ne sont plus reçus."
        )
    if recused:
        return (
            f"{member.person} est déporté(e) sur ce dossier : il ou elle ne prend pas part au vote."
        )
    return ""


def can_vote(
    member: CommitteeMembership, item, *, attendance: str | None, recused: bool, voted: bool
) -> tuple[bool, str]:
    """May this member cast their own vote on this item now, and if not, why.

    The facts (their attendance, whether they are recused, whether they have voted) are
    read by the caller: the voting service on the locked rows, the session page from its
    read model. Votes by proxy and those the secretary records add their own rules to
    `vote_refusal` (`comites.services.voting`).
    """
    reason = vote_refusal(member, item, recused=recused)
    if item.session.is_written:
        # No attendance in a written consultation: every member in office votes.
        attendance = AttendanceStatus.PRESENT
    if not reason and attendance == AttendanceStatus.REPRESENTED:
        reason = GAVE_PROXY_MESSAGE
    elif not reason and attendance not in TAKING_PART_STATUSES:
        reason = NOT_TAKING_PART_MESSAGE
    elif not reason and voted:
        reason = ONE_VOTE_MESSAGE
    return not reason, reason
