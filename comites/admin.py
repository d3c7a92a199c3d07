"""Technical administration of committees and sessions.

The admin is a repair tool, not the workflow: a committee's rules and its members' mandates
may be corrected here (the database still keeps one chair at a time), but sessions,
attendance, votes, recusals, decisions and amendments are read-only. They change only
through `comites.services`, which apply the rules that span rows.
"""

from django.contrib import admin

from alize.adminkit import HistoryInline, Inline, ReadOnlyAdmin, ReadOnlyInline
from comites.models import (
    AgendaItem,
    Amendment,
    Attendance,
    Committee,
    CommitteeMembership,
    Decision,
    Recusal,
    Session,
    SessionTransition,
    Vote,
)


class MembershipInline(Inline):
    model = CommitteeMembership
    raw_id_fields = ["person", "corporation"]
    fields = ["person", "organisation", "corporation", "role", "start_date", "end_date"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "basin", "kind", "chair_casting_vote", "notice_days"]
    list_filter = ["kind", "basin"]
    list_select_related = ["basin"]
    inlines = [MembershipInline]


class AttendanceInline(ReadOnlyInline):
    model = Attendance
    fields = ["membership", "status", "proxy_holder", "recorded_by", "recorded_at"]


class AgendaItemInline(ReadOnlyInline):
    model = AgendaItem
    fields = ["order", "dossier", "status", "opened_at", "closed_at"]


class SessionTransitionInline(HistoryInline):
    model = SessionTransition


class AmendmentInline(ReadOnlyInline):
    model = Amendment
    fields = ["at", "by", "item", "text"]


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "starts_at", "status", "convened_at"]
    list_filter = ["status", "committee__kind", "committee__basin"]
    list_select_related = ["committee__basin"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, AgendaItemInline, SessionTransitionInline, AmendmentInline]


class VoteInline(ReadOnlyInline):
    model = Vote
    fk_name = "item"
    fields = ["member", "choice", "cast_by", "capacity", "at"]


class RecusalInline(ReadOnlyInline):
    model = Recusal
    fields = ["membership", "reason", "details", "recorded_by", "recorded_at"]


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "session", "status"]
    list_filter = ["status"]
    list_select_related = ["session__committee__basin", "dossier__pme"]
    search_fields = ["dossier__pme__name"]
    inlines = [RecusalInline, VoteInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["item", "outcome", "decision_date", "advance_granted", "cap_copied"]
    list_filter = ["outcome"]
    list_select_related = ["item__dossier__pme", "item__session__committee__basin"]
    search_fields = ["item__dossier__pme__name"]
