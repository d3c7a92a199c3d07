"""Shared bases for the technical admin of every app.

The admin is a repair tool, not the workflow: rows written only by the services (logs,
money, votes) are shown read-only through these bases, so each app's admin.py declares
what to show, never again how to forbid editing it.
"""

from django.contrib import admin


class NoAddMixin:
    """Rows are created by a service that checks rules spanning rows, never by hand."""

    def has_add_permission(self, request, obj=None):
        return False


class ReadOnlyMixin(NoAddMixin):
    """Nothing may be added, changed or deleted."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """A model only the services write (the database usually refuses the rest)."""


class Inline(admin.TabularInline):
    """An editable tabular inline without blank extra rows."""

    extra = 0


class ReadOnlyInline(ReadOnlyMixin, Inline):
    """A read-only tabular inline: every listed field is shown, none is editable."""

    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields or super().get_readonly_fields(request, obj)


class HistoryInline(ReadOnlyInline):
    """The transition log of a workflow object, oldest first, read-only."""

    state_field = "state"
    extra_fields = ("comment",)

    def get_fields(self, request, obj=None):
        return [
            "at",
            f"from_{self.state_field}",
            f"to_{self.state_field}",
            "by",
            *self.extra_fields,
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


def inlines_for(*models, base=Inline):
    """Inlines for models that need nothing but their model: `inlines = inlines_for(A, B)`."""
    return [type(f"{model.__name__}Inline", (base,), {"model": model}) for model in models]
