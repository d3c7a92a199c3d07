"""The writers of committees, sessions, attendance, agendas, votes, decisions and minutes.

Each service takes keyword arguments only, checks who acts (`PermissionDenied`, French),
locks what it reads (`select_for_update`), validates (`full_clean()`, then the rules that
span rows), then saves, inside one transaction and a pghistory context naming the user.
A refused action raises a French `ValidationError` or `PermissionDenied`; nothing is
half-saved. The database repeats the rules it can say (constraints and triggers).
"""

from comites.services._common import item_quorum, voting_statuses
from comites.services.agenda import (
    add_agenda_item,
    move_agenda_item,
    remove_agenda_item,
    set_proposed_corporations,
    sync_automatic_recusals,
)
from comites.services.committees import (
    appoint_member,
    change_chair,
    create_committee,
    end_mandate,
    update_committee_rules,
)
from comites.services.sessions import (
    PAST_SESSION_MESSAGE,
    amend_minutes,
    close_session,
    convene_session,
    create_session,
    launch_consultation,
    open_session,
    record_attendance,
    sign_off,
    transition_session,
)
from comites.services.voting import (
    CLOSED_VOTE_MESSAGE,
    ONLY_FOR_ONESELF,
    cast_vote,
    close_item,
    declare_interest,
    open_item,
    record_decision,
    tally,
)

__all__ = [
    "CLOSED_VOTE_MESSAGE",
    "ONLY_FOR_ONESELF",
    "PAST_SESSION_MESSAGE",
    "add_agenda_item",
    "amend_minutes",
    "appoint_member",
    "cast_vote",
    "change_chair",
    "close_item",
    "close_session",
    "convene_session",
    "create_committee",
    "create_session",
    "declare_interest",
    "end_mandate",
    "item_quorum",
    "launch_consultation",
    "move_agenda_item",
    "open_item",
    "open_session",
    "record_attendance",
    "record_decision",
    "remove_agenda_item",
    "set_proposed_corporations",
    "sign_off",
    "sync_automatic_recusals",
    "tally",
    "transition_session",
    "update_committee_rules",
    "voting_statuses",
]
