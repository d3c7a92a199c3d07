"""The French activity nomenclature (NAF rév. 2) as far as Alizé needs it.

A NAF/APE code such as "25.62B" names a sub-class; its first two digits are the division.
The division alone decides the sector group the national Alizé statistics compare
(industry, construction, trade, services). The tables below are the one home of that
rule: the database column `Pme.sector` is generated from them (see `sector_expression`).
"""

import re

from django.db import models
from django.db.models.functions import Substr
from django.db.models.lookups import In

NAF_CODE_PATTERN = r"^\d{2}\.\d{2}[A-Z]$"

# Every division of NAF rév. 2, section by section (A to U). 04, 34, 40, 44, 48, 54, 57,
# 67, 76, 83 and 89 do not exist.
NAF_DIVISIONS = frozenset(
    [
        *range(1, 4),  # A agriculture, forestry, fishing
        *range(5, 10),  # B mining and quarrying
        *range(10, 34),  # C manufacturing
        35,  # D energy
        *range(36, 40),  # E water, waste
        *range(41, 44),  # F construction
        *range(45, 48),  # G trade
        *range(49, 54),  # H transport
        55,  # I accommodation, food
        56,
        *range(58, 64),  # J information, communication
        *range(64, 67),  # K finance, insurance
        68,  # L real estate
        *range(69, 76),  # M professional, scientific
        *range(77, 83),  # N administrative, support
        84,  # O public administration
        85,  # P education
        *range(86, 89),  # Q health, social work
        *range(90, 94),  # R arts, recreation
        *range(94, 97),  # S other services
        97,  # T households
        98,
        99,  # U extraterritorial
    ]
)


class Sector(models.TextChoices):
    INDUSTRY = "industrie", "Industrie"
    CONSTRUCTION = "construction", "Construction"
    TRADE = "commerce", "Commerce"
    SERVICES = "services", "Services"
    OTHER = "autre", "Autre (agriculture, pêche)"


# Divisions of each sector group; every other division is services.
SECTOR_DIVISIONS = {
    Sector.INDUSTRY: range(5, 40),
    Sector.CONSTRUCTION: range(41, 44),
    Sector.TRADE: range(45, 48),
    Sector.OTHER: range(1, 4),
}

_LOOSE_CODE = re.compile(r"^(\d{2})\s*[.,]?\s*(\d{2})\s*([A-Za-z])$")


def normalize_naf_code(value: str) -> str:
    """Read "2562b", "25 62 B" or "25.62b" as "25.62B"; anything else is left for validation."""
    if not isinstance(value, str):
        return value
    match = _LOOSE_CODE.match(value.strip())
    if not match:
        return value.strip()
    division, group, letter = match.groups()
    return f"{division}.{group}{letter.upper()}"


def division_of(code: str) -> int:
    return int(code[:2])


def sector_for_code(code: str) -> Sector:
    """The sector group of a well-formed NAF code (the same rule as the generated column)."""
    division = division_of(code)
    for sector, divisions in SECTOR_DIVISIONS.items():
        if division in divisions:
            return sector
    return Sector.SERVICES


def sector_expression(field: str = "naf_code") -> models.Case:
    """The SQL the `sector` column is generated with, built from SECTOR_DIVISIONS.

    It compares the first two characters as text, so that a malformed code (which the
    check constraint refuses anyway) can never make the expression itself fail.
    """
    return models.Case(
        *[
            models.When(
                In(
                    Substr(field, 1, 2),
                    [f"{d:02d}" for d in sorted(NAF_DIVISIONS.intersection(divisions))],
                ),
                then=models.Value(sector.value),
            )
            for sector, divisions in SECTOR_DIVISIONS.items()
        ],
        default=models.Value(Sector.SERVICES.value),
    )
