"""Screens of the SME registry and its dossiers (`pme.urls`)."""

from pme.views.documents import document_delete, document_download, document_upload, dossier_pdf
from pme.views.dossiers import (
    DossierDetailView,
    DossierFormView,
    DossierTransitionView,
    HireCreateView,
    HireEvidenceView,
    state_panel_context,
)
from pme.views.lists import (
    DossierExportView,
    DossierListView,
    PmeExportView,
    PmeListView,
    WorkQueueView,
)
from pme.views.pmes import (
    ContactDeleteView,
    ContactFormView,
    PmeCreateView,
    PmeDetailView,
    PmeUpdateView,
    SiretLookupView,
    siret_lookup_context,
)

__all__ = [
    "ContactDeleteView",
    "ContactFormView",
    "DossierDetailView",
    "DossierExportView",
    "DossierFormView",
    "DossierListView",
    "DossierTransitionView",
    "HireCreateView",
    "HireEvidenceView",
    "PmeCreateView",
    "PmeDetailView",
    "PmeExportView",
    "PmeListView",
    "PmeUpdateView",
    "SiretLookupView",
    "WorkQueueView",
    "document_delete",
    "document_download",
    "document_upload",
    "dossier_pdf",
    "siret_lookup_context",
    "state_panel_context",
]
