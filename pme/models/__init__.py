"""SMEs (PME), their contacts, their dossiers with their lifecycle log, the hires made and
the documents attached.

Writes go through `pme.services`; the querysets here are the reads. The state machine of
a dossier is data in `pme.workflow`; the NAF sector rule lives in `pme.naf`.
"""

from pme.models.choices import (
    NAMED_PARTNER_SOURCES,
    ContractKind,
    DocumentKind,
    DossierKind,
    LegalForm,
    Need,
    OrientationSource,
    SizeBand,
)
from pme.models.documents import Document, document_path
from pme.models.dossiers import (
    ONE_OPEN_DOSSIER_MESSAGE,
    Dossier,
    DossierQuerySet,
    DossierTransition,
)
from pme.models.hires import Hire, hire_evidence_path
from pme.models.pmes import (
    HEADCOUNT_LIMIT_MESSAGE,
    SIRET_TAKEN_MESSAGE,
    Pme,
    PmeContact,
    PmeQuerySet,
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
