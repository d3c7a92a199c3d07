"""The programme referential: users and roles, basins and their caps, programme periods,
intercommunalities and communes, funders and their contributions. The outbox of the emails
the app sends on its own (alize.outbox) and the seals of the audit trail (alize.audit) live in
their own modules."""

from alize.audit import AuditSeal
from alize.models.basins import (
    INSEE_CODE_VALIDATOR,
    MONEY,
    OPERATOR_ROLES,
    POSTCODE_VALIDATOR,
    SIREN_VALIDATOR,
    AdvanceCap,
    Basin,
    BasinQuerySet,
    BasinScopedQuerySet,
    ReadScopedQuerySet,
    Role,
)
from alize.models.programme import (
    PERIOD_OVERLAP_MESSAGE,
    Commune,
    CommuneQuerySet,
    Contribution,
    ContributionQuerySet,
    Epci,
    Funder,
    PeriodQuerySet,
    ProgrammePeriod,
)
from alize.models.users import Submission, User, UserManager
from alize.outbox import Delivery, DeliveryKind, DeliveryState

__all__ = [
    "INSEE_CODE_VALIDATOR",
    "MONEY",
    "OPERATOR_ROLES",
    "PERIOD_OVERLAP_MESSAGE",
    "POSTCODE_VALIDATOR",
    "SIREN_VALIDATOR",
    "AdvanceCap",
    "AuditSeal",
    "Basin",
    "BasinQuerySet",
    "BasinScopedQuerySet",
    "Commune",
    "CommuneQuerySet",
    "Contribution",
    "ContributionQuerySet",
    "Delivery",
    "DeliveryKind",
    "DeliveryState",
    "Epci",
    "Funder",
    "PeriodQuerySet",
    "ProgrammePeriod",
    "ReadScopedQuerySet",
    "Role",
    "Submission",
    "User",
    "UserManager",
]
