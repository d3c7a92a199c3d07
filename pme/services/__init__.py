"""The writers of SMEs, dossiers, hires and documents.

Each service validates (`full_clean()`), then saves, inside one transaction, and runs under
a pghistory context naming the user, so the audit trail says who even outside a request.
A refused action raises a French `ValidationError` (bad data, illegal move) or
`PermissionDenied` (the user may not do it); nothing is half-saved.

The committee's decision on a dossier is `pme.services.decisions.decide_dossier`, imported
from there by the committees alone.
"""

from pme.services.documents import attach_document, delete_document
from pme.services.dossiers import record_hire, transition_dossier, update_dossier
from pme.services.pmes import (
    EXISTING_PME_MESSAGE,
    PmeWithDossier,
    add_contact,
    create_pme_with_dossier,
    remove_contact,
    update_contact,
    update_pme,
)

__all__ = [
    "EXISTING_PME_MESSAGE",
    "PmeWithDossier",
    "add_contact",
    "attach_document",
    "create_pme_with_dossier",
    "delete_document",
    "record_hire",
    "remove_contact",
    "transition_dossier",
    "update_contact",
    "update_dossier",
    "update_pme",
]
