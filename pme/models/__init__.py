"""SMEs (PME), their contacts, their dossiers with their lifecycle log, the hires made and
the documents attached.

Writes go through `pme.services`; the querysets here are the reads. The state machine of
a dossier is data in `pme.workflow`; the NAF sector rule lives in `pme.naf`.
"""

from pme.models.documents import Document, DocumentKind, document_path
from pme.models.dossiers import (
    NAMED_PARTNER_SOURCES,
    ONE_OPEN_DOSSIER_MESSAGE,
    Dossier,
    DossierKind,
    DossierQuerySet,
    DossierTransition,
    Need,
    OrientationSource,
)
from pme.models.hires import ContractKind, Hire, hire_evidence_path
from pme.models.pmes import (
    HEADCOUNT_LIMIT_MESSAGE,
    SIRET_TAKEN_MESSAGE,
    LegalForm,
    Pme,
    PmeContact,
    PmeQuerySet,
    SizeBand,
)
from pme.naf import Sector
from pme.workflow import DossierState

__all__ = [
    "HEADCOUNT_LIMIT_MESSAGE",
    "NAMED_PARTNER_SOURCES",
    "ONE_OPEN_DOSSIER_MESSAGE",
    "SIRET_TAKEN_MESSAGE",
    "ContractKind",
    "Document",
    "DocumentKind",
    "Dossier",
    "DossierKind",
    "DossierQuerySet",
    "DossierState",
    "DossierTransition",
    "Hire",
    "LegalForm",
    "Need",
    "OrientationSource",
    "Pme",
    "PmeContact",
    "PmeQuerySet",
    "Sector",
    "SizeBand",
    "document_path",
    "hire_evidence_path",
]
