"""Technical administration of advances.

The admin is a repair and reading tool, not the workflow: money, schedules, payments and
the ledger are written only by the services (the database refuses to change or delete
them), so they are read-only here. Settings and reference rates are edited here until
they have their screens.
"""

from django.contrib import admin

from alize.adminkit import ReadOnlyAdmin, ReadOnlyInline
from avances.models import (
    Advance,
    Allocation,
    BasinAdvanceSettings,
    CollectiveProceeding,
    DeMinimisAid,
    DeMinimisDeclaration,
    Disbursement,
    DunningStep,
    FundMovement,
    Instalment,
    Payment,
    ReferenceRate,
    Schedule,
    WriteOff,
)


@admin.register(BasinAdvanceSettings)
class BasinAdvanceSettingsAdmin(admin.ModelAdmin):
    list_display = ["basin", "default_duration_months", "default_grace_months", "default_frequency"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceRate)
class ReferenceRateAdmin(admin.ModelAdmin):
    list_display = ["valid_from", "annual_rate_percent", "basin", "source"]
    list_filter = ["basin"]


class DisbursementInline(ReadOnlyInline):
    model = Disbursement
    fields = ["disbursed_on", "amount", "recorded_by", "recorded_at", "reversed_at"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["paid_on", "amount", "means", "reference", "recorded_by", "reversed_at"]


class ScheduleInline(ReadOnlyInline):
    model = Schedule
    fields = ["version", "kind", "starts_on", "principal", "is_active", "reason"]
    show_change_link = True


@admin.register(Advance)
class AdvanceAdmin(ReadOnlyAdmin):
    list_display = ["reference", "dossier", "basin", "amount", "decision_date", "written_off_on"]
    list_filter = ["basin", "frequency"]
    search_fields = ["reference", "dossier__pme__name", "dossier__pme__siret"]
    list_select_related = ["dossier__pme", "basin"]
    inlines = [DisbursementInline, ScheduleInline, PaymentInline]


class InstalmentInline(ReadOnlyInline):
    model = Instalment
    fields = ["number", "due_date", "amount"]


@admin.register(Schedule)
class ScheduleAdmin(ReadOnlyAdmin):
    list_display = ["advance", "version", "kind", "starts_on", "principal", "is_active"]
    inlines = [InstalmentInline]


class AllocationInline(ReadOnlyInline):
    model = Allocation
    fk_name = "payment"
    fields = ["instalment", "amount", "undone_by"]


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    list_display = ["advance", "paid_on", "amount", "means", "reference", "reversed_at"]
    search_fields = ["advance__reference", "reference"]
    inlines = [AllocationInline]


@admin.register(FundMovement)
class FundMovementAdmin(ReadOnlyAdmin):
    list_display = ["basin", "on", "kind", "amount", "memo_amount", "label"]
    list_filter = ["basin", "kind"]


@admin.register(DunningStep)
class DunningStepAdmin(ReadOnlyAdmin):
    list_display = ["advance", "kind", "sent_on", "overdue_amount", "days_late"]


@admin.register(CollectiveProceeding)
class CollectiveProceedingAdmin(ReadOnlyAdmin):
    list_display = ["advance", "kind", "publication_date", "claim_deadline", "claim_declared_on"]


@admin.register(WriteOff)
class WriteOffAdmin(ReadOnlyAdmin):
    list_display = ["advance", "status", "requested_by", "decided_by", "amount"]


class DeMinimisAidInline(ReadOnlyInline):
    model = DeMinimisAid
    fields = ["grantor", "granted_on", "amount", "description"]


@admin.register(DeMinimisDeclaration)
class DeMinimisDeclarationAdmin(ReadOnlyAdmin):
    list_display = ["pme", "declared_on", "signatory"]
    inlines = [DeMinimisAidInline]
