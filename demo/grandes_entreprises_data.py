"""The data of the corporations' part of the demo (written by `demo.grandes_entreprises`): the
partner corporations and their experts and daily rates, the missions on the demo dossiers
with the days they gave and their results, and a fictitious revitalisation convention."""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from demo.base import SNAPSHOT_DAY
from grandes_entreprises.models import MissionStatus, ResultKind
from pme.models import Need

D = datetime.date
M = Need
R = ResultKind
S = MissionStatus

FIRST_JOIN = D(2005, 7, 1)
RENEWAL_JOIN = D(2008, 7, 1)
DATA_DIR = Path(__file__).parent / "data"


# --- The data --------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertSpec:
    name: str
    job_title: str
    domains: tuple[str, ...]


@dataclass(frozen=True)
class CorporationSpec:
    key: str
    group_name: str
    site_name: str
    sector: str
    headcount: int
    # The corporation funder of `demo.referential` it answers to (first-period partners only).
    funder: str | None
    rates: tuple[tuple[datetime.date, Decimal, str], ...]
    experts: tuple[ExpertSpec, ...]
    # First-period partners stay for the renewal; the five newcomers join it only.
    renewal_only: bool = False

    @property
    def joined(self) -> datetime.date:
        return RENEWAL_JOIN if self.renewal_only else FIRST_JOIN


DEFAULT_RATE_COMMENT = "Valeur convenue avec l'entreprise."


def _corporation(row: dict) -> CorporationSpec:
    renewal_only = row.get("renewal_only", False)
    joined = RENEWAL_JOIN if renewal_only else FIRST_JOIN
    return CorporationSpec(
        row["key"],
        row["group_name"],
        row["site_name"],
        row["sector"],
        row["headcount"],
        row.get("funder"),
        tuple(
            (
                rate.get("since", joined),
                Decimal(rate["amount"]),
                rate.get("why", DEFAULT_RATE_COMMENT),
            )
            for rate in row["rates"]
        ),
        tuple(
            ExpertSpec(
                f"{expert['first_name']} Démo",
                expert["job_title"],
                tuple(map(M, expert["domains"])),
            )
            for expert in row["experts"]
        ),
        renewal_only,
    )


def _read(filename: str) -> list[dict]:
    with (DATA_DIR / filename).open("rb") as stream:
        return next(iter(tomllib.load(stream).values()))


CORPORATIONS = tuple(_corporation(row) for row in _read("corporations.toml"))


@dataclass(frozen=True)
class ResultSpec:
    kind: str
    title: str
    achieved_on: datetime.date
    description: str = ""


@dataclass(frozen=True)
class MissionSpec:
    """A mission on a demo dossier (by its company's serial). `given` days are logged over
    the mission's working days, up to its end or the demo's snapshot day."""

    serial: int
    corporation: str
    experts: tuple[str, ...]  # first names
    domain: str
    objective: str
    planned: Decimal
    given: Decimal
    start: datetime.date
    end: datetime.date
    status: str
    results: tuple[ResultSpec, ...] = ()
    outcome: str = ""
    satisfaction: int | None = None

    @property
    def expert_names(self) -> tuple[str, ...]:
        return tuple(f"{first} Démo" for first in self.experts)

    def log_plan(self) -> list[tuple[str, datetime.date, Decimal]]:
        """(expert, date, days) of each day given: spread evenly over the working days,
        the experts taking turns; half a day last when `given` ends in ,5."""
        if self.status == S.PLANNED or not self.given:
            return []
        # A finished mission gave its days over its dates (the renewal's ended after the
        # article); one still running, up to the demo's snapshot day.
        last = self.end if self.status == S.DONE else min(self.end, SNAPSHOT_DAY)
        workdays = [
            self.start + datetime.timedelta(days=offset)
            for offset in range((last - self.start).days + 1)
            if (self.start + datetime.timedelta(days=offset)).weekday() < 5
        ]
        whole, half = divmod(self.given, 1)
        amounts = [Decimal("1")] * int(whole) + ([Decimal("0.5")] if half else [])
        step = len(workdays) / len(amounts)
        names = self.expert_names
        return [
            (names[rank % len(names)], workdays[int(rank * step)], amount)
            for rank, amount in enumerate(amounts)
        ]


STATUS_PATH = [S.PLANNED, S.RUNNING, S.DONE]


def _missions(rows: list[dict]) -> tuple[MissionSpec, ...]:
    """The missions of the data file (see its header), as specs."""
    return tuple(
        MissionSpec(
            row["serial"],
            row["corporation"],
            tuple(row["experts"]),
            M(row["domain"]),
            row["objective"],
            Decimal(row["planned"]),
            Decimal(row["given"]),
            row["start"],
            row["end"],
            S(row.get("status", S.DONE)),
            tuple(
                ResultSpec(
                    R(result["kind"]),
                    result["title"],
                    result["achieved_on"],
                    result.get("description", ""),
                )
                for result in row.get("results", ())
            ),
            row.get("outcome", ""),
            row.get("satisfaction"),
        )
        for row in rows
    )


MISSIONS = _missions(_read("missions.toml"))

# A fictitious convention: a group of the area that eliminated 120 jobs and reclassified
# 20 employees within the group, at twice the monthly SMIC in force when it signed.
CONVENTION = {
    "corporation": "arcelormittal",
    "reference": "DEMO-REV-2007-01",
    "signature_date": D(2007, 3, 1),
    "ends_on": D(2009, 2, 28),
    "jobs_eliminated": 120,
    "employees_reclassified": 20,
    "multiple": Decimal("2"),
    "jobs_to_recreate": 100,
    "comment": (
        "Convention fictive de démonstration : suppression de 120 emplois dans le bassin, "
        "20 salariés reclassés dans le groupe ; contribution versée au programme Alizé."
    ),
}
CONVENTION_PAYMENT = {
    "paid_on": D(2007, 6, 29),
    "amount": Decimal("125428.00"),
    "comment": "Premier versement : la moitié du montant dû.",
}
