from django.urls import path

from pme import views

app_name = "pme"


def exports(folder: str, view, name: str) -> list:
    """The CSV and XLSX exports of a list: `<folder>/export.csv`, named `<name>_export_csv`."""
    return [
        path(f"{folder}/export.{fmt}", view.as_view(fmt=fmt), name=f"{name}_export_{fmt}")
        for fmt in ("csv", "xlsx")
    ]


urlpatterns = [
    path("mes-dossiers/", views.WorkQueueView.as_view(), name="work_queue"),
    # SMEs
    path("entreprises/", views.PmeListView.as_view(), name="pme_list"),
    *exports("entreprises", views.PmeExportView, "pme"),
    path("entreprises/nouvelle/", views.PmeCreateView.as_view(), name="pme_create"),
    path("entreprises/siret/", views.SiretLookupView.as_view(), name="siret_lookup"),
    path("entreprises/<int:pk>/", views.PmeDetailView.as_view(), name="pme_detail"),
    path("entreprises/<int:pk>/modifier/", views.PmeUpdateView.as_view(), name="pme_update"),
    path(
        "entreprises/<int:pme_pk>/contacts/nouveau/",
        views.ContactFormView.as_view(),
        name="contact_create",
    ),
    path(
        "entreprises/<int:pme_pk>/dossiers/nouveau/",
        views.DossierFormView.as_view(),
        name="dossier_create",
    ),
    path("contacts/<int:pk>/modifier/", views.ContactFormView.as_view(), name="contact_update"),
    path("contacts/<int:pk>/supprimer/", views.ContactDeleteView.as_view(), name="contact_delete"),
    # Dossiers
    path("dossiers/", views.DossierListView.as_view(), name="dossier_list"),
    *exports("dossiers", views.DossierExportView, "dossier"),
    path("dossiers/<int:pk>/", views.DossierDetailView.as_view(), name="dossier_detail"),
    path("dossiers/<int:pk>/modifier/", views.DossierFormView.as_view(), name="dossier_update"),
    path(
        "dossiers/<int:pk>/changer-d-etat/",
        views.DossierTransitionView.as_view(),
        name="dossier_transition",
    ),
    path(
        "dossiers/<int:pk>/embauches/nouvelle/",
        views.HireCreateView.as_view(),
        name="hire_create",
    ),
    path(
        "embauches/<int:pk>/justificatif/",
        views.HireEvidenceView.as_view(),
        name="hire_evidence",
    ),
    # The documents of a dossier and its one-page PDF
    path(
        "dossiers/<int:dossier_pk>/documents/ajouter/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "dossiers/<int:dossier_pk>/documents/<int:pk>/",
        views.document_download,
        name="document_download",
    ),
    path(
        "dossiers/<int:dossier_pk>/documents/<int:pk>/supprimer/",
        views.document_delete,
        name="document_delete",
    ),
    path("dossiers/<int:pk>/fiche.pdf", views.dossier_pdf, name="dossier_pdf"),
]
