"""The official referential of communes and intercommunalities (@etalab/decoupage-administratif,
installed by `make install` through npm), read once per process and searched in memory.

The demo and the referential screens both read it here.
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings

ETALAB_DATA_DIR = settings.NODE_MODULES / "@etalab" / "decoupage-administratif" / "data"
# The nature of an intercommunality in the referential → Epci.Kind (the Lyon metropolis has
# a status of its own).
EPCI_KINDS = {"CA": "CA", "CC": "CC", "CU": "CU", "METRO": "METRO", "MET69": "METRO"}
SEARCH_LIMIT = 25


class ReferentialMissing(Exception):
    """The data files are not installed: the message says what to do."""


@dataclass(frozen=True)
class OfficialCommune:
    code: str  # INSEE
    name: str
    postcodes: tuple[str, ...]
    population: int | None
    departement: str
    epci_siren: str | None

    @property
    def postcode(self) -> str:
        return self.postcodes[0] if self.postcodes else ""


@dataclass(frozen=True)
class OfficialEpci:
    siren: str
    name: str
    kind: str  # an Epci.Kind value
    population: int
    members: tuple[str, ...]  # INSEE codes


def read_records(filename: str, directory: Path | None = None) -> list[dict[str, Any]]:
    """The records of one data file (communes.json, epci.json…), read once per process."""
    return _read(Path(directory or ETALAB_DATA_DIR), filename)


@functools.cache
def _read(directory: Path, filename: str) -> list[dict[str, Any]]:
    path = directory / filename
    try:
        with path.open(encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError as exc:
        raise ReferentialMissing(
            f"Le référentiel des communes et intercommunalités est introuvable ({path}). "
            "Installez les dépendances avec « make install », puis relancez la commande."
        ) from exc


@functools.cache
def epcis() -> dict[str, OfficialEpci]:
    """Every intercommunality, by SIREN."""
    return {
        record["code"]: OfficialEpci(
            siren=record["code"],
            name=record["nom"],
            kind=EPCI_KINDS.get(record["type"], record["type"]),
            population=record.get("populationMunicipale") or 0,
            members=tuple(member["code"] for member in record.get("membres", ())),
        )
        for record in read_records("epci.json")
    }


@functools.cache
def communes() -> dict[str, OfficialCommune]:
    """Every current commune, by INSEE code, with the intercommunality it belongs to."""
    epci_of = {code: epci.siren for epci in epcis().values() for code in epci.members}
    return {
        record["code"]: OfficialCommune(
            code=record["code"],
            name=record["nom"],
            postcodes=tuple(record.get("codesPostaux", ())),
            population=record.get("population"),
            departement=record.get("departement", ""),
            epci_siren=epci_of.get(record["code"]),
        )
        for record in read_records("communes.json")
        if record["type"] == "commune-actuelle"
    }


def normalize(text: str) -> str:
    """Lower case, no accents, hyphens and apostrophes as spaces: « Saint-Amand-les-Eaux »
    is found by « saint amand »."""
    text = unicodedata.normalize("NFKD", text.casefold())
    text = "".join(char for char in text if not unicodedata.combining(char))
    return " ".join(re.sub(r"[-'’]", " ", text).split())


@functools.cache
def _commune_names() -> list[tuple[str, OfficialCommune]]:
    return [(normalize(commune.name), commune) for commune in communes().values()]


@functools.cache
def _epci_names() -> list[tuple[str, OfficialEpci]]:
    return [(normalize(epci.name), epci) for epci in epcis().values()]


def _by_name(query: str, entries, population) -> list:
    """Exact names first, then names that start with the query, then the others; the most
    populated first within each."""
    wanted = normalize(query)
    if not wanted:
        return []
    found = [
        (0 if name == wanted else 1 if name.startswith(wanted) else 2, -population(item), item)
        for name, item in entries
        if wanted in name
    ]
    found.sort(key=lambda row: row[:2])
    return [item for _, _, item in found[:SEARCH_LIMIT]]


def search_communes(query: str) -> list[OfficialCommune]:
    """Communes by name, postcode (5 digits: INSEE code or postcode), INSEE code (2A/2B…), or
    the SIREN of their intercommunality (9 digits: its members, all of them)."""
    query = query.strip()
    code = query.upper().replace(" ", "")
    if re.fullmatch(r"\d{9}", code):
        epci = epcis().get(code)
        members = [communes().get(member) for member in epci.members] if epci else []
        return sorted(filter(None, members), key=lambda commune: normalize(commune.name))
    if re.fullmatch(r"\d{5}|2[AB]\d{3}", code):
        found = [
            commune
            for commune in communes().values()
            if commune.code == code or code in commune.postcodes
        ]
        found.sort(key=lambda commune: (commune.code != code, -(commune.population or 0)))
        return found[:SEARCH_LIMIT]
    return _by_name(query, _commune_names(), lambda commune: commune.population or 0)


def search_epcis(query: str) -> list[OfficialEpci]:
    """Intercommunalities by name or SIREN."""
    query = query.strip()
    siren = query.replace(" ", "")
    if re.fullmatch(r"\d{9}", siren):
        epci = epcis().get(siren)
        return [epci] if epci else []
    return _by_name(query, _epci_names(), lambda epci: epci.population)
