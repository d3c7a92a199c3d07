"""Technical administration of committees and sessions.

The admin is a repair tool, not the workflow: a committee's rules and its members' mandates
may be corrected here (the database still keeps one chair at a time), but sessions,
attendance, votes, recusals, decisions and amendments are read-only. They change only
through `comites.services`, which apply the rules that span rows.
"""

from django.contrib import admin

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


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class MembershipInline(admin.TabularInline):
    model = CommitteeMembership
    extra = 0
    raw_id_fields = ["person", "corporation"]
    fields = ["person", "organisation", "corporation", "role", "start_date", "end_date"]


@admin.register(Committee)
class CommitteeAdmin(admin.ModelAdmin):
    list_display = ["__str__", "basin", "kind", "chair_casting_vote", "notice_days"]
    list_filter = ["kind", "basin"]
    list_select_related = ["basin"]
    inlines = [MembershipInline]


class AttendanceInline(ReadOnlyMixin, admin.TabularInline):
    model = Attendance
    extra = 0
    fields = ["membership", "status", "proxy_holder", "recorded_by", "recorded_at"]
    readonly_fields = fields


class AgendaItemInline(ReadOnlyMixin, admin.TabularInline):
    model = AgendaItem
    extra = 0
    fields = ["order", "dossier", "status", "opened_at", "closed_at"]
    readonly_fields = fields


class SessionTransitionInline(ReadOnlyMixin, admin.TabularInline):
    model = SessionTransition
    extra = 0
    fields = ["at", "from_state", "to_state", "by", "comment"]
    readonly_fields = fields


class AmendmentInline(ReadOnlyMixin, admin.TabularInline):
    model = Amendment
    extra = 0
    fields = ["at", "by", "item", "text"]
    readonly_fields = fields


@admin.register(Session)
class SessionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "starts_at", "status", "convened_at"]
    list_filter = ["status", "committee__kind", "committee__basin"]
    list_select_related = ["committee__basin"]
    date_hierarchy = "starts_at"
    inlines = [AttendanceInline, AgendaItemInline, SessionTransitionInline, AmendmentInline]


class VoteInline(ReadOnlyMixin, admin.TabularInline):
    model = Vote
    fk_name = "item"
    extra = 0
    fields = ["member", "choice", "cast_by", "capacity", "at"]
    readonly_fields = fields


class RecusalInline(ReadOnlyMixin, admin.TabularInline):
    model = Recusal
    extra = 0
    fields = ["membership", "reason", "details", "recorded_by", "recorded_at"]
    readonly_fields = fields


@admin.register(AgendaItem)
class AgendaItemAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["__str__", "session", "status"]
    list_filter = ["status"]
    list_select_related = ["session__committee__basin", "dossier__pme"]
    search_fields = ["dossier__pme__name"]
    inlines = [RecusalInline, VoteInline]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["item", "outcome", "decision_date", "advance_granted", "cap_copied"]
    list_filter = ["outcome"]
    list_select_related = ["item__dossier__pme", "item__session__committee__basin"]
    search_fields = ["item__dossier__pme__name"]
