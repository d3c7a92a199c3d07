"""URLs of a dossier's documents and PDF, appended to `pme.urls` (namespace "pme")."""

from django.urls import path

from pme import document_views as views

document_urlpatterns = [
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
