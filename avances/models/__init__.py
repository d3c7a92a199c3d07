"""Repayable advances: granted, disbursed, repaid on a versioned schedule, followed when
late, accounted in each basin's revolving fund.

Writes go through `avances.services` (grant, contract, disbursement, payment, rescheduling),
`avances.followup` (dunning, proceedings, write-off), `avances.deminimis` (declarations)
and `avances.fund` (contributions into the fund); the querysets here are the reads.
The arithmetic of schedules and of the gross grant equivalent is `avances.schedule`.
"""

from avances.models.advances import (
    Advance,
    AdvanceQuerySet,
    Delinquency,
    Disbursement,
)
from avances.models.common import Frequency
from avances.models.deminimis import DeMinimisAid, DeMinimisDeclaration
from avances.models.followup import (
    CollectiveProceeding,
    DunningKind,
    DunningStep,
    ProceedingKind,
    WriteOff,
    WriteOffStatus,
)
from avances.models.fund import FundMovement, MovementKind
from avances.models.payments import Allocation, Payment, PaymentMeans
from avances.models.schedules import Instalment, Schedule, ScheduleKind
from avances.models.terms import BasinAdvanceSettings, ReferenceRate

__all__ = [
    "Advance",
    "AdvanceQuerySet",
    "Allocation",
    "BasinAdvanceSettings",
    "CollectiveProceeding",
    "DeMinimisAid",
    "DeMinimisDeclaration",
    "Delinquency",
    "Disbursement",
    "DunningKind",
    "DunningStep",
    "Frequency",
    "FundMovement",
    "Instalment",
    "MovementKind",
    "Payment",
    "PaymentMeans",
    "ProceedingKind",
    "ReferenceRate",
    "Schedule",
    "ScheduleKind",
    "WriteOff",
    "WriteOffStatus",
]
