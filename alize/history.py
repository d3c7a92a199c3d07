"""Reading the audit trail that django-pghistory's triggers write for every tracked model."""

import copy
import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.formats import date_format, number_format
from pghistory.models import Events

from alize.formatting import euros, integer

LABELS = {"insert": "Création", "update": "Modification", "delete": "Suppression"}
# Columns that say nothing to a reader of the trail (the version counts saves: see
# `alize.versioning`).
HIDDEN_COLUMNS = {"id", "version"}


@dataclass
class HistoryEntry:
    when: object
    action: str
    who: str
    changes: list[tuple[str, object, object]]
    # What the entry is about, when a panel mixes several objects (e.g. a funder's contributions).
    subject: str = ""


def history_for(obj, limit: int = 50) -> list[HistoryEntry]:
    """The newest changes of one object, with who made them and what changed.

    A fixed number of queries: the events, then at most one for the people who made them and
    one per kind of related object named in the changes.
    """
    events = Events.objects.tracks(obj).order_by("-pgh_created_at", "-pgh_id")[:limit]
    # A save that changed nothing a reader sees (only the version) is not an entry.
    return [
        entry
        for entry in _entries(list(events), type(obj))
        if entry.changes or entry.action != LABELS["update"]
    ]


def contribution_history_for(funder, limit: int = 50) -> list[HistoryEntry]:
    """The changes of a funder's contributions, deleted ones included, newest first."""
    from alize.models import Contribution, ProgrammePeriod

    events = list(
        Events.objects.across("alize.ContributionEvent")
        .references(funder)
        .order_by("-pgh_created_at", "-pgh_id")[:limit]
    )
    # Every event names its period, which the changes may not: fetch them all.
    always = {"period_id": ProgrammePeriod}

    def subject(data, names):
        period = names.get((ProgrammePeriod, data.get("period_id")), "période supprimée")
        return f"Contribution {period}"

    return _entries(
        events, Contribution, hidden=HIDDEN_COLUMNS | {"funder_id"}, subject=subject, always=always
    )


def _entries(events, model, hidden=HIDDEN_COLUMNS, subject=None, always=None) -> list[HistoryEntry]:
    fields = {f.attname: f for f in model._meta.concrete_fields}
    user_ids = {(event.pgh_context or {}).get("user") for event in events} - {None}
    users = (
        {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)} if user_ids else {}
    )

    raw_changes = []
    for event in events:
        if event.pgh_label == "insert":
            # A creation: what was entered, as a change from nothing.
            pairs = [
                (name, None, value)
                for name, value in (event.pgh_data or {}).items()
                if name not in hidden and value not in (None, "")
            ]
        else:
            pairs = [
                (name, before, after)
                for name, (before, after) in (event.pgh_diff or {}).items()
                if name not in hidden
            ]
        order = list(fields)
        pairs.sort(key=lambda p: order.index(p[0]) if p[0] in order else len(order))
        raw_changes.append(pairs)

    names = _related_names(fields, raw_changes, events, always or {})
    entries = []
    for event, pairs in zip(events, raw_changes, strict=True):
        user_id = (event.pgh_context or {}).get("user")
        who = users.get(user_id, "Système" if user_id is None else f"Utilisateur n° {user_id}")
        changes = []
        for name, before, after in pairs:
            model_field = fields.get(name)
            label = str(model_field.verbose_name) if model_field else name
            changes.append(
                (
                    label,
                    None if event.pgh_label == "insert" else _display(model_field, before, names),
                    _display(model_field, after, names),
                )
            )
        entries.append(
            HistoryEntry(
                when=event.pgh_created_at,
                action=LABELS.get(event.pgh_label, event.pgh_label),
                who=who,
                changes=changes,
                subject=subject(event.pgh_data or {}, names) if subject else "",
            )
        )
    return entries


def _related_names(fields, raw_changes, events, always) -> dict:
    """Names of the objects that foreign keys in the changes point to: one query per model."""
    wanted = defaultdict(set)
    for event in events:
        for name, related_model in always.items():
            wanted[related_model].add((event.pgh_data or {}).get(name))
    for pairs in raw_changes:
        for name, before, after in pairs:
            model_field = fields.get(name)
            if model_field is not None and model_field.is_relation:
                wanted[model_field.related_model].update({before, after} - {None})
    names = {}
    for related_model, ids in wanted.items():
        ids.discard(None)
        if not ids:
            continue
        for obj in related_model._base_manager.filter(pk__in=ids):
            names[(related_model, obj.pk)] = str(obj)
    return names


def _display(model_field, value, names) -> str:
    """A value of the trail (JSON: numbers, ISO dates, ids) in French, as the pages show it."""

    if value is None or value == "":
        return "—"
    if model_field is None:
        return str(value)
    if getattr(model_field, "generated", False):
        # A generated column (e.g. an amount computed by the database): read as its type,
        # under its own name (which says whether it is in euros).
        output_field = copy.copy(model_field.output_field)
        output_field.verbose_name = model_field.verbose_name
        model_field = output_field
    if model_field.is_relation:
        return names.get((model_field.related_model, value), f"n° {value} (supprimé)")
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    base_field = getattr(model_field, "base_field", None)
    if base_field is not None and base_field.choices and isinstance(value, list):
        labels = dict(base_field.flatchoices)
        return ", ".join(str(labels.get(item, item)) for item in value) or "—"
    internal_type = model_field.get_internal_type()
    try:
        if internal_type == "DecimalField":
            if "€" in str(model_field.verbose_name):
                return euros(Decimal(str(value)), model_field.decimal_places)
            return number_format(Decimal(str(value)), use_l10n=True)
        if internal_type == "DateTimeField":
            moment = timezone.localtime(datetime.datetime.fromisoformat(value))
            return date_format(moment, "SHORT_DATETIME_FORMAT")
        if internal_type in {"PositiveIntegerField", "IntegerField", "BigIntegerField"}:
            return integer(value)
        if internal_type == "DateField":
            return date_format(datetime.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        if internal_type == "BooleanField":
            return "oui" if value else "non"
    except (TypeError, ValueError):
        pass
    return str(value)


# Columns every save changes: they say nothing of what a colleague edited.
BOOKKEEPING_COLUMNS = {"updated_at", "state_changed_at"}


def changes_since(obj, version: int, *, also=()) -> list[HistoryEntry]:
    """What changed in `obj` after its `version` (oldest first): its own saves, and the rows
    of the event models `also` (app_label.ModelEvent) referencing it that the same saves
    wrote (same pghistory context: the same service call)."""
    events = list(
        Events.objects.tracks(obj)
        .filter(pgh_data__version__gt=version)
        .order_by("pgh_created_at", "pgh_id")
    )
    hidden = HIDDEN_COLUMNS | BOOKKEEPING_COLUMNS
    entries = [entry for entry in _entries(events, type(obj), hidden=hidden) if entry.changes]
    contexts = {event.pgh_context_id for event in events} - {None}
    for label in also:
        model = _tracked_model(label)
        found = list(
            Events.objects.across(label)
            .references(obj)
            .filter(pgh_label="insert", pgh_context_id__in=contexts)
            .order_by("pgh_created_at", "pgh_id")
        )
        entries += _entries(
            found,
            model,
            hidden=hidden | {f"{type(obj)._meta.model_name}_id"},
            subject=lambda data, names, model=model: str(model._meta.verbose_name).capitalize(),
        )
    return sorted(entries, key=lambda entry: entry.when)


def _tracked_model(event_label: str):
    from django.apps import apps

    return apps.get_model(event_label).pgh_tracked_model
