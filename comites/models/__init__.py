"""Approval and steering committees: members, sessions, attendance, agenda, votes, decisions.

Writes go through `comites.services`; the querysets here are the reads. The rules of
décret 2006-672 (quorum, majority, notice) are pure functions in `comites.rules`; the
statuses and the moves of a session are data in `comites.workflow`.
"""

from alize.modelkit import track_links
from comites.models.agenda import (
    ONE_VOTE_MESSAGE,
    AgendaItem,
    AgendaItemQuerySet,
    Decision,
    Recusal,
    Vote,
    visible_dossiers,
)
from comites.models.committees import (
    ONE_CHAIR_MESSAGE,
    OVERLAPPING_MANDATE_MESSAGE,
    Committee,
    CommitteeMembership,
    CommitteeQuerySet,
    MembershipQuerySet,
)
from comites.models.sessions import (
    ONE_PROXY_MESSAGE,
    PROXY_HOLDER_TAKES_PART_MESSAGE,
    Amendment,
    Attendance,
    Session,
    SessionQuerySet,
    SessionTransition,
)

__all__ = [
    "ONE_CHAIR_MESSAGE",
    "ONE_PROXY_MESSAGE",
    "ONE_VOTE_MESSAGE",
    "OVERLAPPING_MANDATE_MESSAGE",
    "PROXY_HOLDER_TAKES_PART_MESSAGE",
    "AgendaItem",
    "AgendaItemQuerySet",
    "Amendment",
    "Attendance",
    "Committee",
    "CommitteeMembership",
    "CommitteeQuerySet",
    "Decision",
    "MembershipQuerySet",
    "Recusal",
    "Session",
    "SessionQuerySet",
    "SessionTransition",
    "Vote",
    "visible_dossiers",
]

# Which corporations are proposed for a dossier decides who is recused, and which support
# a decision grants is the decision itself: their changes belong in the audit trail too.
track_links(
    "comites",
    (AgendaItem.proposed_corporations.through, "AgendaItemCorporationEvent"),
    (Decision.corporations.through, "DecisionCorporationEvent"),
)
