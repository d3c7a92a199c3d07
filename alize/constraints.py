"""Database constraints that recur across the apps' models, and the one place that derives
a model's date checks from its fields.

`alize.modelkit` gives the shapes (`check`, `unique`, `years_check`); the helpers here name
the rules that come back in every app: an amount is positive, a number lies in a range, a
date a user types lies in sane years.
"""

import re

from django.db import models
from django.db.models import Q

from alize.modelkit import YearRange, check, years_check


def positive(field: str, name: str, message: str) -> models.CheckConstraint:
    """The value of `field` is strictly positive (an amount, a rate, a count)."""
    return check(Q(**{f"{field}__gt": 0}), name, message)


def in_range(
    field: str, low, high, name: str, message: str, *, optional: bool = False
) -> models.CheckConstraint:
    """The value of `field` lies from `low` to `high`, both included (or is empty, with
    `optional`): the database's side of `alize.modelkit.between`."""
    bounds = Q(**{f"{field}__gte": low, f"{field}__lte": high})
    if optional:
        bounds = Q(**{f"{field}__isnull": True}) | bounds
    return check(bounds, name, message)


def _table_prefix(model) -> str:
    """How the constraints of a model begin: its class name in snake case (DayLog: day_log)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", model.__name__).lower()


def sane_years_checked(model):
    """Class decorator: for each date (or date and time) field of `model` whose validators
    bound its years (`alize.modelkit.sane_years`), the database refuses the same years, by a
    `years_check` named `<model>_<field>_sane_year`.

    The range is written once, on the field: the form refuses a typo such as 0001-01-01
    with its French message, and the database refuses it from any other writer."""
    prefix = _table_prefix(model)
    for field in model._meta.local_fields:
        if not isinstance(field, models.DateField):
            continue
        for validator in field.validators:
            if isinstance(validator, YearRange):
                model._meta.constraints.append(
                    years_check(
                        field.name,
                        f"{prefix}_{field.name}_sane_year",
                        low=validator.low,
                        high=validator.high,
                        with_time=isinstance(field, models.DateTimeField),
                    )
                )
    # What migrations read: a model that declares no other constraint still has these.
    model._meta.original_attrs.setdefault("constraints", model._meta.constraints)
    return model
