"""The SMEs and dossiers of the demonstration data set, as data (written by `demo.pme`).

The Valenciennois of the source article: the 27 SMEs supported during the first period
(349 jobs planned, 78 hires made, 3 takeovers, 13 advances requested, the
precision-engineering firm Heuille among them), a few dossiers still in the pipeline of
the renewal period, and the comparison basin's SMEs at 7 jobs planned per SME.

Companies are fictitious (except Heuille, the article's own example) and so are their
SIRET numbers, computed with valid check digits; every person is visibly a demo one. The
tables are in `demo/data/dossiers_*.toml`; the committees', corporations' and advances'
parts read them too.
"""

from __future__ import annotations

import datetime
import tomllib
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from stdnum import luhn

from alize.models import Commune
from demo.base import SNAPSHOT_DAY, workday
from pme.models import ContractKind, DossierKind, DossierState, LegalForm, Need, OrientationSource

S = DossierState
ZERO = Decimal("0.00")

CONTACT_EMAIL_DOMAIN = "demo.alize.example"
# 03 53 01 xx xx is one of the blocks the French numbering plan (Arcep) reserves for
# fiction: no real subscriber can be called by mistake.
CONTACT_PHONE_PREFIX = "03 53 01"


def make_siret(serial: int) -> str:
    """A valid, fictitious SIRET per serial number: never random, so reruns find it again.

    The SIREN is eight scrambled digits and their Luhn key; the head office's NIC is 0001
    and its Luhn key makes the whole SIRET valid. The bodies start at 40 000 000, far from
    La Poste's SIREN (356 000 000), whose SIRETs follow another rule.
    """
    body = f"{40_000_000 + serial * 7_368_787 % 50_000_000:08d}"
    siren = body + luhn.calc_check_digit(body)
    head_office = f"{siren}0001"
    return head_office + luhn.calc_check_digit(head_office)


@dataclass(frozen=True)
class Company:
    serial: int
    name: str
    legal_form: str
    naf_code: str
    headcount: int
    founded: datetime.date
    commune: str  # INSEE code of a commune of the demo referential
    address: str
    contact_role: str = "Gérant(e)"

    @property
    def siret(self) -> str:
        return make_siret(self.serial)

    @property
    def contact_name(self) -> str:
        return f"Contact Démo {self.serial}"

    def values(self, communes: dict[str, Commune]) -> dict[str, Any]:
        return {
            "name": self.name,
            "siret": self.siret,
            "legal_form": self.legal_form,
            "naf_code": self.naf_code,
            "headcount": self.headcount,
            "founding_date": self.founded,
            "address": self.address,
            "commune": communes[self.commune],
        }

    def contact_values(self) -> dict[str, Any]:
        return {
            "name": self.contact_name,
            "role": self.contact_role,
            "email": f"contact.demo{self.serial}@{CONTACT_EMAIL_DOMAIN}",
            "phone": f"{CONTACT_PHONE_PREFIX} {self.serial // 100:02d} {self.serial % 100:02d}",
        }


Hires = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class DossierSpec:
    """One dossier and the dated steps of its life.

    Steps left empty are derived for a dossier decided by the committee: instruction
    starts two weeks after the orientation, the dossier goes to the committee three weeks
    before its session, support starts 18 days after an approval (a Monday: sessions sit
    on Thursdays). `stage` is where the dossier stops; hires are spread over its support.
    """

    company: Company
    summary: str
    needs: tuple[str, ...]
    jobs_planned: int
    oriented_on: datetime.date
    source: str
    partner: str = ""
    kind: str = DossierKind.DEVELOPMENT
    horizon_months: int = 36
    advance: Decimal = ZERO
    bank_loans: Decimal = ZERO
    stage: str = S.UNDER_SUPPORT
    instruction_on: datetime.date | None = None
    submitted_on: datetime.date | None = None
    decided_on: datetime.date | None = None
    decision_comment: str = ""
    closed_on: datetime.date | None = None
    closing_comment: str = "Accompagnement terminé : objectifs de l'appui atteints."
    hires: Hires = ()

    @property
    def path(self) -> list[str]:
        """The states the dossier goes through, from "oriented" to its stage."""
        if self.stage == S.DEFERRED:
            return [S.ORIENTED, S.UNDER_INSTRUCTION, S.SUBMITTED, S.DEFERRED]
        full = [S.ORIENTED, S.UNDER_INSTRUCTION, S.SUBMITTED, S.APPROVED, S.UNDER_SUPPORT, S.CLOSED]
        return full[: full.index(self.stage) + 1]

    def step_days(self) -> dict[str, datetime.date]:
        """The day each state of the path was reached."""
        path = self.path
        days = {S.ORIENTED: self.oriented_on}
        if S.UNDER_INSTRUCTION in path:
            days[S.UNDER_INSTRUCTION] = self.instruction_on or workday(
                self.oriented_on + datetime.timedelta(days=14)
            )
        if S.SUBMITTED in path:
            days[S.SUBMITTED] = self.submitted_on or self.decided_on - datetime.timedelta(days=21)
        for decision in (S.APPROVED, S.DEFERRED):
            if decision in path:
                days[decision] = self.decided_on
        if S.UNDER_SUPPORT in path:
            days[S.UNDER_SUPPORT] = self.decided_on + datetime.timedelta(days=18)
        if S.CLOSED in path:
            days[S.CLOSED] = self.closed_on
        return days

    def hire_days(self) -> list[datetime.date]:
        """Hire dates spread evenly from a month into the support to a week before its end."""
        if not self.hires:
            return []
        days = self.step_days()
        start = days.get(S.UNDER_SUPPORT, days.get(S.APPROVED)) + datetime.timedelta(days=30)
        end = (self.closed_on or SNAPSHOT_DAY) - datetime.timedelta(days=7)
        step = (end - start) / (len(self.hires) + 1)
        return [workday(start + step * (rank + 1)) for rank in range(len(self.hires))]

    def dossier_values(self, communes: dict[str, Commune], staff) -> dict[str, Any]:
        return {
            "project_summary": self.summary,
            "kind": self.kind,
            # In the order of the choices, as `Dossier.clean()` stores them.
            "needs": [need for need in Need.values if need in self.needs],
            "jobs_planned": self.jobs_planned,
            "jobs_horizon_months": self.horizon_months,
            "advance_requested": self.advance,
            "bank_loans": self.bank_loans,
            "orientation_source": self.source,
            "oriented_by_epci": (
                communes[self.company.commune].epci
                if self.source == OrientationSource.EPCI
                else None
            ),
            "orientation_partner": self.partner,
            "orientation_date": self.oriented_on,
            "staff_member": staff,
        }


# Committee sessions of the first period (chaired by Saint-Gobain), then of the renewal.
SESSIONS = [
    datetime.date(*day)
    for day in (
        (2005, 11, 17), (2006, 2, 16), (2006, 5, 18), (2006, 9, 21), (2006, 12, 14),
        (2007, 3, 15), (2007, 6, 21), (2007, 10, 18), (2007, 12, 13), (2008, 3, 20),
        (2008, 6, 19), (2008, 9, 18),
    )
]  # fmt: skip

D = datetime.date
DATA_DIR = Path(__file__).parent / "data"

# How a data file's values become a spec's: choices by value, amounts from their text.
COMPANY_FIELDS = {"legal_form": LegalForm}
DOSSIER_FIELDS = {
    "needs": lambda needs: tuple(Need(need) for need in needs),
    "source": OrientationSource,
    "kind": DossierKind,
    "stage": DossierState,
    "advance": Decimal,
    "bank_loans": Decimal,
    "hires": lambda rows: tuple(
        (post, ContractKind(contract)) for post, contract, number in rows for _ in range(number)
    ),
}


def _spec(row: dict[str, Any]) -> DossierSpec:
    company = {
        name: COMPANY_FIELDS.get(name, lambda value: value)(value)
        for name, value in row["company"].items()
    }
    values = {
        name: DOSSIER_FIELDS.get(name, lambda value: value)(value)
        for name, value in row.items()
        if name != "company"
    }
    return DossierSpec(Company(**company), **values)


def _read(filename: str) -> dict[str, tuple[DossierSpec, ...]]:
    """The dossiers of a data file (see its header), by table."""
    with (DATA_DIR / filename).open("rb") as stream:
        tables = tomllib.load(stream)
    return {name: tuple(_spec(row) for row in rows) for name, rows in tables.items()}


VALENCIENNES_DOSSIERS = _read("dossiers_valenciennes.toml")["valenciennes"]
_OTHERS = _read("dossiers_others.toml")
PIPELINE_DOSSIERS = _OTHERS["pipeline"]
# The SMEs the renewal supported, after the article (its figures are the first period's).
RENEWAL_DOSSIERS = _OTHERS["renewal"]
COMPARISON_DOSSIERS = _OTHERS["comparison"]
# The article's own example, the one real company.
HEUILLE = next(spec.company for spec in VALENCIENNES_DOSSIERS if spec.company.serial == 1)
