from django.contrib import admin, messages

from alize.adminkit import NoAddMixin
from pilotage import token_pages
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
    """Adding or rotating a token shows its secret once, on a page of its own that no cache
    keeps (`pilotage.token_pages`); only its SHA-256 is kept."""

    list_display = ["name", "active", "created_at", "expires_at", "rotated_at", "last_used_at"]
    readonly_fields = ["created_at", "rotated_at", "last_used_at"]
    fields = ["name", "active", "expires_at", "created_at", "rotated_at", "last_used_at"]
    actions = ["rotate", "revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token, secret = ApiToken.issue(name=obj.name, expires_at=obj.expires_at)
        obj.pk, obj.token_hash, obj.created_at = token.pk, token.token_hash, token.created_at
        request.api_token_secrets = [(token, secret)]

    def response_add(self, request, obj, post_url_continue=None):
        return token_pages.secrets_page(request, self, request.api_token_secrets)

    @admin.action(description="Renouveler les jetons sélectionnés (nouveau secret)")
    def rotate(self, request, queryset):
        rotated = [(token, token.rotate()) for token in queryset.filter(active=True)]
        if not rotated:
            messages.warning(request, "Un jeton révoqué ne se renouvelle pas : créez-en un autre.")
            return None
        return token_pages.secrets_page(request, self, rotated)

    @admin.action(description="Révoquer les jetons sélectionnés")
    def revoke(self, request, queryset):
        count = queryset.update(active=False)
        messages.success(request, f"{count} jeton(s) révoqué(s).")
