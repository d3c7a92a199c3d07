"""No silent overwrite: optimistic locking of the records two colleagues may edit at once
(an SME, a dossier, an advance's terms, a corporation).

- `Versioned`: the model's `version` column, incremented by every save (the services save
  under the row's lock, so two saves never give the same number).
- `VersionedFormMixin`: the edit form carries the version it was drawn from (a hidden
  field).
- `check_version(obj, expected)`: the service, once it holds the row's lock, refuses a save
  made from an older version with `EditConflict`, which says what changed meanwhile, who
  changed it and when (read from the audit trail, `alize.history`).
- The form views (`alize.views.base.ReferentialFormView`) answer a conflict with the
  conflict page: the changes made meanwhile, what the user had typed (nothing is lost),
  and the form drawn again from the record as it is now, to redo the edit.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

FIELD = "version"
CONFLICT_MESSAGE = (
    "Cette fiche a été modifiée par quelqu'un d'autre depuis que vous l'avez ouverte : rien n'a "
    "été enregistré. Reprenez votre modification sur la fiche à jour."
)


class Versioned(models.Model):
    """A record edited through forms: its version goes up by one at every save."""

    version = models.PositiveIntegerField("version", default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version += 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, FIELD}
        super().save(*args, **kwargs)


class EditConflict(ValidationError):
    """A save made from an older version of the record: nothing is saved. `changes` are the
    entries of the audit trail since that version (`alize.history.HistoryEntry`)."""

    def __init__(self, *, obj, expected: int, changes):
        super().__init__(CONFLICT_MESSAGE, code="edit_conflict")
        self.obj, self.expected, self.changes = obj, expected, changes


def check_version(obj: Versioned, expected: int | None, *, also=()) -> None:
    """Refuse to save `obj` (already locked by the caller) if it changed since version
    `expected`; None (a script, a service called without a form) skips the check. `also`
    names event models (app_label.ModelEvent) whose rows referencing `obj` belong to its
    changes (an advance's new schedules)."""
    if expected is None or obj.version == expected:
        return
    # Imported here: this module is imported while the models load, before pghistory's.
    from alize.history import changes_since

    raise EditConflict(obj=obj, expected=expected, changes=changes_since(obj, expected, also=also))


class VersionedFormMixin:
    """The edit form carries the version of the record it shows (for a plain form, pass
    `version=`)."""

    def __init__(self, *args, version: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        instance = getattr(self, "instance", None)
        if version is None and instance is not None and instance.pk:
            version = instance.version
        self.fields[FIELD] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, initial=version, min_value=0
        )

    def expected_version(self) -> int | None:
        return self.cleaned_data.get(FIELD)

    def typed_values(self) -> list[tuple[str, str]]:
        """What the user typed, field by field, to show on the conflict page."""
        values = []
        for name, field in self.fields.items():
            if name == FIELD or isinstance(field.widget, forms.HiddenInput):
                continue
            value = self.cleaned_data.get(name) if hasattr(self, "cleaned_data") else None
            if value is None or value == "":
                shown = "—"
            elif isinstance(value, bool):
                shown = "oui" if value else "non"
            elif getattr(field, "choices", None) and not isinstance(field, forms.ModelChoiceField):
                labels = {str(key): label for key, label in field.choices}
                items = value if isinstance(value, list | tuple) else [value]
                shown = ", ".join(str(labels.get(str(item), item)) for item in items)
            elif isinstance(value, models.QuerySet | list | tuple):
                shown = ", ".join(str(item) for item in value) or "—"
            else:
                shown = str(value)
            values.append((str(field.label or name), shown))
        return values
