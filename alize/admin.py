from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from alize.adminkit import ReadOnlyAdmin, inlines_for
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Delivery,
    Epci,
    Funder,
    ProgrammePeriod,
    User,
)

admin.site.site_header = "Administration d'Alizé"
admin.site.site_title = "Alizé"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "organisation", "is_active"]
    list_filter = ["groups", "basins", "is_active"]
    search_fields = ["email", "first_name", "last_name", "organisation"]
    filter_horizontal = ["groups", "basins", "user_permissions"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Identité", {"fields": ["first_name", "last_name", "organisation"]}),
        ("Rôles et périmètre", {"fields": ["groups", "basins", "funder"]}),
        (
            "Droits techniques",
            {"fields": ["is_active", "is_staff", "is_superuser", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "first_name", "last_name", "password1", "password2"],
            },
        ),
    ]


@admin.register(Basin)
class BasinAdmin(admin.ModelAdmin):
    list_display = ["name", "operator_name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = inlines_for(AdvanceCap)


@admin.register(ProgrammePeriod)
class ProgrammePeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "basin", "start_date", "end_date", "target_jobs"]
    list_filter = ["basin"]


@admin.register(Epci)
class EpciAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "siren", "population", "basin"]
    list_filter = ["basin", "kind"]
    search_fields = ["name", "siren"]
    inlines = inlines_for(Commune)


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["name", "insee_code", "postcode", "epci"]
    search_fields = ["name", "insee_code", "postcode"]
    list_filter = ["epci"]


@admin.register(Funder)
class FunderAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "basin"]
    list_filter = ["basin", "kind"]
    search_fields = ["name"]
    inlines = inlines_for(Contribution)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """The outbox: what left, when, and what awaits verification (only services write it)."""

    list_display = ["kind", "key", "recipient", "state", "attempts", "claimed_at", "handed_off_at"]
    list_filter = ["kind", "state"]
    search_fields = ["recipient", "key", "message_id", "subject"]
