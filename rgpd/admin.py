from django.contrib import admin

from alize.adminkit import ReadOnlyAdmin
from rgpd.models import Redaction


@admin.register(Redaction)
class RedactionAdmin(ReadOnlyAdmin):
    """The redactions of the audit trail: written by `rgpd.redaction` only, never changed."""

    list_display = ["at", "by", "reason", "subject", "table_name", "resealed"]
    list_filter = ["reason", "table_name"]
