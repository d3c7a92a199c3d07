"""Partner corporations, their experts and support missions, and revitalisation conventions.

Writes go through `grandes_entreprises.services`; the querysets here are the reads. The
status machine of a mission is data in `grandes_entreprises.workflow`.

Two computations are defined once, in the database:
- the value of the skills given: each day log × the corporation's daily rate in force on
  the log's date (`DayLogQuerySet.with_value`), rounded to the cent per log;
- the amount a revitalisation convention owes: a generated column of the convention's own
  copied figures, so a later change of the SMIC table rewrites nothing.
"""

from alize.modelkit import track_links
from grandes_entreprises.models.corporations import (
    Corporation,
    CorporationContact,
    CorporationQuerySet,
    DailyRate,
    Expert,
    Membership,
    rate_in_force,
)
from grandes_entreprises.models.missions import (
    DayLog,
    DayLogQuerySet,
    MissionExpert,
    MissionResult,
    MissionTransition,
    ResultKind,
    SupportMission,
    SupportMissionQuerySet,
    hires_helped_by,
)
from grandes_entreprises.models.revitalisation import (
    ConventionPayment,
    ConventionQuerySet,
    RevitalisationConvention,
    SmicRate,
)
from grandes_entreprises.workflow import MissionStatus

__all__ = [
    "ConventionPayment",
    "ConventionQuerySet",
    "Corporation",
    "CorporationContact",
    "CorporationQuerySet",
    "DailyRate",
    "DayLog",
    "DayLogQuerySet",
    "Expert",
    "Membership",
    "MissionExpert",
    "MissionResult",
    "MissionStatus",
    "MissionTransition",
    "ResultKind",
    "RevitalisationConvention",
    "SmicRate",
    "SupportMission",
    "SupportMissionQuerySet",
    "hires_helped_by",
    "rate_in_force",
]

# Who coordinates a corporation, and who sits for it on the committee, are access rights
# and votes: their changes belong in the audit trail too.
track_links(
    "grandes_entreprises",
    (Corporation.coordinators.through, "CorporationCoordinatorEvent"),
    (Corporation.committee_representatives.through, "CorporationRepresentativeEvent"),
)
