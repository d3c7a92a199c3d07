"""Technical administration of SMEs and dossiers.

The admin is a repair tool, not the workflow: a dossier's state, its dates and its log
are read-only here and change only through `pme.services.transition_dossier`.
"""

from django.contrib import admin

from alize.adminkit import HistoryInline, ReadOnlyAdmin, inlines_for
from pme.models import Dossier, DossierTransition, Hire, Pme, PmeContact


@admin.register(Pme)
class PmeAdmin(admin.ModelAdmin):
    list_display = ["name", "siret", "naf_code", "sector", "headcount", "size_band", "commune"]
    list_filter = ["sector", "size_band", "legal_form", "commune__epci__basin"]
    search_fields = ["name", "siret", "commune__name"]
    readonly_fields = ["siren", "sector", "size_band", "created_at", "updated_at"]
    list_select_related = ["commune"]
    autocomplete_fields = ["commune"]
    inlines = inlines_for(PmeContact)


class DossierTransitionInline(HistoryInline):
    model = DossierTransition


@admin.register(Dossier)
class DossierAdmin(admin.ModelAdmin):
    list_display = ["__str__", "state", "state_changed_at", "jobs_planned", "staff_member"]
    list_filter = ["state", "kind", "orientation_source", "pme__commune__epci__basin"]
    search_fields = ["pme__name", "pme__siret"]
    readonly_fields = ["state", "state_changed_at", "decision_date", "created_at", "updated_at"]
    list_select_related = ["pme", "staff_member"]
    raw_id_fields = ["pme", "staff_member", "oriented_by_epci"]
    inlines = [*inlines_for(Hire), DossierTransitionInline]


@admin.register(DossierTransition)
class DossierTransitionAdmin(ReadOnlyAdmin):
    list_display = ["dossier", "from_state", "to_state", "by", "at"]
    list_filter = ["to_state"]
    list_select_related = ["dossier__pme", "by"]
