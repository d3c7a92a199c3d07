from alize.urlkit import page
from rgpd import views

app_name = "rgpd"

urlpatterns = [
    page("contacts/<int:pk>/", views.ContactRightsView, "contact_rights"),
    page("contacts/<int:pk>/donnees.json", views.ContactExportJsonView, "contact_export_json"),
    page("contacts/<int:pk>/donnees.pdf", views.ContactExportPdfView, "contact_export_pdf"),
    page("contacts/<int:pk>/effacer/", views.ContactEraseView, "contact_erase"),
    page("registre/", views.RegisterView, "register"),
]
