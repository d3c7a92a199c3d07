from django.urls import path

from comites import views

app_name = "comites"

urlpatterns = [
    path("", views.SessionListView.as_view(), name="session_list"),
    # Committees and their members
    path("comites/", views.CommitteeListView.as_view(), name="committee_list"),
    path("comites/<int:pk>/", views.CommitteeDetailView.as_view(), name="committee_detail"),
    path("comites/<int:pk>/regles/", views.CommitteeRulesView.as_view(), name="committee_rules"),
    path(
        "comites/<int:pk>/membres/nouveau/",
        views.MemberAppointView.as_view(),
        name="member_appoint",
    ),
    path("comites/<int:pk>/presidence/", views.ChairChangeView.as_view(), name="chair_change"),
    path("mandats/<int:pk>/fin/", views.MandateEndView.as_view(), name="mandate_end"),
    # Sessions
    path(
        "comites/<int:pk>/seances/nouvelle/",
        views.SessionCreateView.as_view(),
        name="session_create",
    ),
    path("seances/<int:pk>/", views.SessionDetailView.as_view(), name="session_detail"),
    path(
        "seances/<int:pk>/ordre-du-jour/ajouter/",
        views.AgendaAddView.as_view(),
        name="agenda_add",
    ),
    path("seances/<int:pk>/convoquer/", views.ConveneView.as_view(), name="session_convene"),
    path("seances/<int:pk>/presences/", views.AttendanceView.as_view(), name="attendance"),
    path("seances/<int:pk>/ouvrir/", views.SessionOpenView.as_view(), name="session_open"),
    path("seances/<int:pk>/clore/", views.SessionCloseView.as_view(), name="session_close"),
    path(
        "seances/<int:pk>/etat/", views.SessionTransitionView.as_view(), name="session_transition"
    ),
    # Agenda items and votes
    path("points/<int:pk>/retirer/", views.ItemRemoveView.as_view(), name="item_remove"),
    path("points/<int:pk>/deplacer/", views.ItemMoveView.as_view(), name="item_move"),
    path(
        "points/<int:pk>/entreprises/",
        views.ItemCorporationsView.as_view(),
        name="item_corporations",
    ),
    path("points/<int:pk>/ouvrir/", views.ItemOpenView.as_view(), name="item_open"),
    path("points/<int:pk>/clore/", views.ItemCloseView.as_view(), name="item_close"),
    path("points/<int:pk>/voter/", views.VoteView.as_view(), name="vote"),
    path("points/<int:pk>/deport/", views.InterestView.as_view(), name="declare_interest"),
    path("points/<int:pk>/decompte/", views.ItemTallyView.as_view(), name="item_tally"),
    path("points/<int:pk>/decision/", views.DecisionCreateView.as_view(), name="decision_create"),
    # Minutes and downloads
    path("seances/<int:pk>/proces-verbal/", views.MinutesView.as_view(), name="minutes"),
    path("seances/<int:pk>/proces-verbal/signer/", views.SignView.as_view(), name="sign"),
    path(
        "seances/<int:pk>/proces-verbal/avenants/nouveau/",
        views.AmendmentCreateView.as_view(),
        name="amendment_create",
    ),
    path("seances/<int:pk>/proces-verbal.pdf", views.MinutesPdfView.as_view(), name="minutes_pdf"),
    path("seances/<int:pk>/dossier-de-seance.pdf", views.PackPdfView.as_view(), name="pack_pdf"),
    path("seances/<int:pk>/invitation.ics", views.IcsView.as_view(), name="session_ics"),
    path(
        "decisions/<int:pk>/lettre.pdf",
        views.DecisionLetterView.as_view(),
        name="decision_letter",
    ),
    path("dossiers/<int:pk>/", views.DossierView.as_view(), name="dossier_detail"),
]
