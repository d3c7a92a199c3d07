"""The programme's indicators: each defined once (`definitions`), all computed in the
database (`compute`) for a `Scope` (a basin and a programme period, narrowed to an
intercommunality's territory or to a corporation's missions for a funder), with the periods
and the other basins the dashboards compare with (`periods`).

Who may read which scope is `pilotage.permissions.scope_for`'s business.
"""

from pilotage.indicators.compute import compute, supported_dossiers
from pilotage.indicators.definitions import BREAKDOWNS, DEFINITIONS, UNITS, Definition, format_value
from pilotage.indicators.periods import COMPARED, default_period, other_basins, previous_period
from pilotage.indicators.scope import Figures, Scope

__all__ = [
    "BREAKDOWNS",
    "COMPARED",
    "DEFINITIONS",
    "UNITS",
    "Definition",
    "Figures",
    "Scope",
    "compute",
    "default_period",
    "format_value",
    "other_basins",
    "previous_period",
    "supported_dossiers",
]
