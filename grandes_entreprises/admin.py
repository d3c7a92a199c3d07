"""Technical administration of corporations, missions and revitalisation conventions.

The admin is a repair tool, not the workflow: a mission's status and its log, the days
logged, the copied SMIC and the amount due of a convention are read-only here. They
change only through `grandes_entreprises.services`.
"""

from django.contrib import admin

from alize.adminkit import HistoryInline, Inline, NoAddMixin, inlines_for
from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    CorporationContact,
    DailyRate,
    DayLog,
    Expert,
    Membership,
    MissionExpert,
    MissionResult,
    MissionTransition,
    RevitalisationConvention,
    SmicRate,
    SupportMission,
)


@admin.register(Corporation)
class CorporationAdmin(admin.ModelAdmin):
    list_display = ["group_name", "site_name", "sector", "headcount", "basin"]
    list_filter = ["basin"]
    search_fields = ["group_name", "site_name"]
    raw_id_fields = ["funder"]
    filter_horizontal = ["coordinators", "committee_representatives"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = inlines_for(DailyRate, CorporationContact, Expert, Membership)


class MissionExpertInline(Inline):
    model = MissionExpert
    raw_id_fields = ["expert"]


class MissionTransitionInline(HistoryInline):
    model = MissionTransition
    state_field = "status"


class MissionResultInline(Inline):
    model = MissionResult
    raw_id_fields = ["recorded_by"]


@admin.register(SupportMission)
class SupportMissionAdmin(admin.ModelAdmin):
    list_display = ["__str__", "corporation", "dossier", "status", "start_date", "end_date"]
    list_filter = ["status", "domain", "corporation__basin"]
    search_fields = ["corporation__group_name", "dossier__pme__name", "objective"]
    readonly_fields = ["status", "status_changed_at", "created_at", "updated_at"]
    list_select_related = ["corporation", "dossier__pme"]
    raw_id_fields = ["dossier", "corporation", "created_by"]
    inlines = [MissionExpertInline, MissionResultInline, MissionTransitionInline]


@admin.register(DayLog)
class DayLogAdmin(NoAddMixin, admin.ModelAdmin):
    """Days are logged through `log_days`, which checks the rules that span rows."""

    list_display = ["date", "days", "assignment", "logged_by", "logged_at"]
    list_filter = ["assignment__mission__corporation"]
    date_hierarchy = "date"
    list_select_related = ["assignment__expert", "assignment__mission", "logged_by"]
    readonly_fields = ["assignment", "date", "days", "logged_by", "logged_at"]


class ConventionPaymentInline(Inline):
    model = ConventionPayment
    raw_id_fields = ["recorded_by"]


@admin.register(RevitalisationConvention)
class RevitalisationConventionAdmin(NoAddMixin, admin.ModelAdmin):
    """The SMIC is copied by `create_convention`; the admin cannot do it."""

    list_display = [
        "reference",
        "corporation",
        "signature_date",
        "jobs_eliminated",
        "employees_reclassified",
        "multiple",
        "amount_due",
    ]
    search_fields = ["reference", "corporation__group_name"]
    readonly_fields = [
        "signature_date",
        "jobs_eliminated",
        "employees_reclassified",
        "multiple",
        "without_convention",
        "smic_monthly",
        "smic_valid_from",
        "amount_due",
        "created_by",
        "created_at",
    ]
    raw_id_fields = ["corporation"]
    inlines = [ConventionPaymentInline]


@admin.register(SmicRate)
class SmicRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "hourly_amount", "monthly_amount", "source"]
