"""What the indicators are measured on (`Scope`) and what measuring gives (`Figures`)."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from alize.models import Basin, Epci, ProgrammePeriod
from grandes_entreprises.models import Corporation


@dataclass(frozen=True)
class Scope:
    basin: Basin
    period: ProgrammePeriod
    epci: Epci | None = None  # an intercommunality funder: SMEs on its territory
    corporation: Corporation | None = None  # a corporation funder: its own missions

    @property
    def label(self) -> str:
        """How pages name the scope (French)."""
        parts = [f"{self.basin.name}, {self.period}"]
        if self.epci:
            parts.append(f"territoire de {self.epci.name}")
        if self.corporation:
            parts.append(f"missions de {self.corporation.name}")
        return " – ".join(parts)

    @property
    def programme(self) -> "Scope":
        """The whole programme of the basin and period, without the funder's narrowing."""
        return Scope(basin=self.basin, period=self.period)

    @property
    def narrowed(self) -> bool:
        """True when a funder's territory or missions narrow the programme."""
        return bool(self.epci or self.corporation)


@dataclass
class Figures:
    scope: Scope
    values: dict[str, Decimal | int | None]
    breakdowns: dict[str, list[tuple[str, Decimal | int]]]
    # The day the figures stand at (end of day): see `compute`.
    as_of: datetime.date | None = None
