"""Repayable advances: granted, disbursed, repaid on a versioned schedule, followed when
late, accounted in each basin's revolving fund.

Writes go through the `avances.services` package (grant, contract, disbursement, payment,
rescheduling, dunning, proceedings, write-off, de minimis declarations, contributions into
the fund); the querysets here and `avances.selectors` are the reads.
The arithmetic of schedules and of the gross grant equivalent is `avances.schedule`.
"""

from avances.models.advances import (
    DELINQUENCY_THRESHOLDS,
    Advance,
    AdvanceQuerySet,
    Delinquency,
    Disbursement,
    delinquency_of,
)
from avances.models.common import Frequency
from avances.models.deminimis import DeMinimisAid, DeMinimisDeclaration, Regulation
from avances.models.followup import (
    PAY_WITHIN_DAYS,
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
    "DELINQUENCY_THRESHOLDS",
    "PAY_WITHIN_DAYS",
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
    "Regulation",
    "Schedule",
    "ScheduleKind",
    "WriteOff",
    "WriteOffStatus",
    "delinquency_of",
]
