from django.contrib import admin, messages

from alize.adminkit import NoAddMixin
from pilotage.models import ApiToken, Report, ReportSubscription


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["funder", "frequency", "active", "updated_at"]
    list_filter = ["frequency", "active", "funder__basin"]
    search_fields = ["funder__name"]


@admin.register(Report)
class ReportAdmin(NoAddMixin, admin.ModelAdmin):
    """Read-only: reports are made and sent by the tasks, never edited by hand."""

    list_display = ["__str__", "basin", "status", "attempts", "built_at", "sent_at"]
    list_filter = ["status", "basin"]
    search_fields = ["funder__name", "basin__name"]

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Adding a token shows its secret once, in a message; only its SHA-256 is kept."""

    list_display = ["name", "active", "created_at", "last_used_at"]
    readonly_fields = ["created_at", "last_used_at"]
    fields = ["name", "active", "created_at", "last_used_at"]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, secret = ApiToken.issue(name=obj.name)
        obj.pk, obj.token_hash, obj.created_at = token.pk, token.token_hash, token.created_at
        messages.warning(
            request,
            f"Jeton « {token.name} » : {secret} — copiez-le maintenant, il ne sera plus affiché.",
        )

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        count = queryset.update(active=False)
        messages.success(request, f"{count} jeton(s) révoqué(s).")
