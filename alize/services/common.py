"""What every writer shares: a row is validated in full before it is saved, and read again
under a lock before it is changed.

`full_clean()` checks every field and every constraint the database would check, and
raises a French `ValidationError` by field; the service lets it through to the form. The
database's constraints and triggers stay the last guard: `refusals` turns the error of one
of them (two colleagues saving at the same moment, which `full_clean` could not see) into
the same French message.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)


def save_validated(
    obj: M,
    /,
    *,
    update_fields: Iterable[str] | None = None,
    refusals: Mapping[str, Any] | None = None,
    **changes: Any,
) -> M:
    """Set `changes` on the object, validate it in full, then save it (only
    `update_fields`, when given); the object.

    `refusals`: a database error whose text names one of its keys (a constraint's name,
    a trigger's message) is raised as a `ValidationError` of the key's value (a message,
    or messages by field); the save is then made in a savepoint, so that the caller's
    transaction goes on. Any other database error is raised as it is.
    """
    for name, value in changes.items():
        setattr(obj, name, value)
    obj.full_clean()
    if not refusals:
        obj.save(update_fields=update_fields)
        return obj
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError as error:
        refusal = next((value for key, value in refusals.items() if key in str(error)), None)
        if refusal is None:
            raise
        raise ValidationError(refusal) from error
    return obj


def create_validated(
    model: type[M], /, *, refusals: Mapping[str, Any] | None = None, **values: Any
) -> M:
    """A new row of `model` with these values, validated in full, then saved (see
    `save_validated` for `refusals`)."""
    return save_validated(model(**values), refusals=refusals)


def lock_row(model: type[M], pk: Any, *related: str) -> M:
    """The row `pk` of `model` read again under a lock on that row alone: the `related`
    rows it is read with are joined, not locked (the caller locks what it changes)."""
    rows = model.objects.select_for_update(of=("self",))
    if related:
        rows = rows.select_related(*related)
    return rows.get(pk=pk)
