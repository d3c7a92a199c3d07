from django.urls import path

from alize.urlkit import page, under
from pme import views

app_name = "pme"


def exports(folder: str, view, name: str) -> list:
    """The CSV and XLSX exports of a list: `<folder>/export.csv`, named `<name>_export_csv`."""
    return [
        page(f"{folder}/export.{fmt}", view, f"{name}_export_{fmt}", fmt=fmt)
        for fmt in ("csv", "xlsx")
    ]


# The pages of one dossier (its one-page PDF and its documents are served by functions).
dossier = under(
    "dossiers/<int:pk>/",
    page("", views.DossierDetailView, "dossier_detail"),
    page("modifier/", views.DossierFormView, "dossier_update"),
    page("changer-d-etat/", views.DossierTransitionView, "dossier_transition"),
    page("embauches/nouvelle/", views.HireCreateView, "hire_create"),
    path("fiche.pdf", views.dossier_pdf, name="dossier_pdf"),
)
documents = under(
    "dossiers/<int:dossier_pk>/documents/",
    path("ajouter/", views.document_upload, name="document_upload"),
    path("<int:pk>/", views.document_download, name="document_download"),
    path("<int:pk>/supprimer/", views.document_delete, name="document_delete"),
)

urlpatterns = [
    page("mes-dossiers/", views.WorkQueueView, "work_queue"),
    # SMEs
    page("entreprises/", views.PmeListView, "pme_list"),
    *exports("entreprises", views.PmeExportView, "pme"),
    page("entreprises/nouvelle/", views.PmeCreateView, "pme_create"),
    page("entreprises/siret/", views.SiretLookupView, "siret_lookup"),
    page("entreprises/<int:pk>/", views.PmeDetailView, "pme_detail"),
    page("entreprises/<int:pk>/modifier/", views.PmeUpdateView, "pme_update"),
    page("entreprises/<int:pme_pk>/contacts/nouveau/", views.ContactFormView, "contact_create"),
    page("entreprises/<int:pme_pk>/dossiers/nouveau/", views.DossierFormView, "dossier_create"),
    page("contacts/<int:pk>/modifier/", views.ContactFormView, "contact_update"),
    page("contacts/<int:pk>/supprimer/", views.ContactDeleteView, "contact_delete"),
    # Dossiers
    page("dossiers/", views.DossierListView, "dossier_list"),
    *exports("dossiers", views.DossierExportView, "dossier"),
    dossier,
    page("embauches/<int:pk>/justificatif/", views.HireEvidenceView, "hire_evidence"),
    documents,
]
