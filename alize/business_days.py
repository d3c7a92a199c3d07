"""Business days in France: weekends and public holidays, from the maintained `holidays`
library (its French calendar: 1 January, Easter Monday, 1 May, 8 May, Ascension Day, Whit
Monday, 14 July, 15 August, 1 November, 11 November, 25 December; with Good Friday and
26 December in Alsace-Moselle), and the rule a lender applies when a due date is not one.
"""

import datetime
from functools import lru_cache

import holidays
from django.db import models

# The départements of Alsace-Moselle, whose local law adds Good Friday and 26 December.
ALSACE_MOSELLE = {"57": "57", "67": "6AE", "68": "6AE"}


class DueDateRule(models.TextChoices):
    """What a lender does with a due date that falls on a weekend or a public holiday."""

    NONE = "aucun", "Aucun report (la date d'échéance reste telle quelle)"
    NEXT_BUSINESS_DAY = "jour_ouvre_suivant", "Report au jour ouvré suivant"
    PREVIOUS_BUSINESS_DAY = "jour_ouvre_precedent", "Avance au jour ouvré précédent"


@lru_cache(maxsize=64)
def _public_holidays(year: int, subdivision: str | None) -> frozenset[datetime.date]:
    return frozenset(holidays.France(years=year, subdiv=subdivision))


def subdivision_of(departement: str | None) -> str | None:
    """The `holidays` subdivision of a département (Alsace-Moselle only), else None."""
    return ALSACE_MOSELLE.get((departement or "").strip())


def is_business_day(day: datetime.date, *, departement: str | None = None) -> bool:
    """Neither a Saturday, a Sunday nor a French public holiday (of the département)."""
    if day.weekday() >= 5:
        return False
    return day not in _public_holidays(day.year, subdivision_of(departement))


def move_due_date(day: datetime.date, rule: str, *, departement: str | None = None):
    """`day` moved by `rule` to a business day (unchanged when it is one, or with no rule)."""
    if rule == DueDateRule.NONE:
        return day
    step = datetime.timedelta(days=-1 if rule == DueDateRule.PREVIOUS_BUSINESS_DAY else 1)
    while not is_business_day(day, departement=departement):
        day += step
    return day
