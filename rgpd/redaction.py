"""Redacting personal fields in the audit trail: the one exception to append-only.

The audit trail (docs/audit.md) keeps every version of every tracked row. When the GDPR
says a person's data must go (the retention period is over, or the person asked and no law
keeps it), the personal fields go from the trail too: the event rows of that person are
rewritten with neutral values, their seals and the links after them are computed again
(`alize.audit.reseal`), and a `Redaction` row says who did it, when, which rows and what
their digests were before. All of it in one transaction, so that `verify_audit_trail` stays
intact.

In production the app's role may not update event tables: everything here runs through the
owner's connection (`DATABASES["owner"]`, from `DATABASE_OWNER_URL`) when it is configured,
else through the default one (a one-role install: the demo, the tests).
"""

import pgtrigger
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

from alize import audit
from rgpd.models import Redaction


def write_alias() -> str:
    """The connection allowed to rewrite the audit trail."""
    return "owner" if "owner" in settings.DATABASES else DEFAULT_DB_ALIAS


def redact_events(model, obj_pks, neutral: dict, *, by, reason: str, subject: str, alias: str):
    """Rewrite with `neutral` the personal fields of the events of these rows of `model`
    (a tracked model), reseal them and log it. The `Redaction`, or None when no event held
    a personal value (a second run changes nothing). To be called inside a transaction on
    `alias`."""
    event_model = model.pgh_event_model
    names = {field.name for field in event_model._meta.concrete_fields}
    values = {field: value for field, value in neutral.items() if field in names}
    rows = event_model.objects.using(alias).filter(pgh_obj_id__in=list(obj_pks))
    ids = [
        row["pk"]
        for row in rows.values("pk", *values)
        if any(row[field] != value for field, value in values.items())
    ]
    if not ids:
        return None
    uri = f"{event_model._meta.label}:append_only"
    with pgtrigger.ignore(uri, databases=[alias]):
        event_model.objects.using(alias).filter(pk__in=ids).update(**values)
    sealing = audit.reseal(connections[alias], event_model, ids)
    return Redaction.objects.using(alias).create(
        by_id=getattr(by, "pk", None),
        reason=reason,
        subject=subject[:100],
        table_name=event_model._meta.db_table,
        row_pks=sorted(ids),
        fields=sorted(values),
        digests_before=sealing["digests_before"],
        head_before=sealing["head_before"],
        head_after=sealing["head_after"],
        resealed=sealing["resealed"],
    )
