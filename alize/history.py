"""Reading the audit trail that django-pghistory's triggers write for every tracked model."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from pghistory.models import Events

LABELS = {"insert": "Création", "update": "Modification", "delete": "Suppression"}


@dataclass
class HistoryEntry:
    when: object
    action: str
    who: str
    changes: list[tuple[str, object, object]]


def history_for(obj, limit: int = 50) -> list[HistoryEntry]:
    """The newest changes of one object, with who made them and what changed (two queries)."""
    events = list(Events.objects.tracks(obj).order_by("-pgh_created_at")[:limit])
    user_ids = {(event.pgh_context or {}).get("user") for event in events if event.pgh_context} - {
        None
    }
    users = (
        {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    )
    fields = {f.attname: f for f in obj._meta.concrete_fields}
    entries = []
    for event in events:
        context = event.pgh_context or {}
        user_id = context.get("user")
        who = users.get(user_id, "Système" if user_id is None else f"Utilisateur n° {user_id}")
        changes = []
        for attname, (before, after) in sorted((event.pgh_diff or {}).items()):
            field = fields.get(attname)
            label = str(field.verbose_name) if field else attname
            changes.append((label, before, after))
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                action=LABELS.get(event.pgh_label, event.pgh_label),
                who=who,
                changes=changes,
            )
        )
    return entries
