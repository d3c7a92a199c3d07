"""The committees' addresses, grouped by what they act on: a committee, a session, an
agenda item, a decision."""

from django.urls import include, path

from comites import views

app_name = "comites"


def action(route: str, view, name: str):
    return path(route, view.as_view(), name=name)


committee = [
    action("", views.CommitteeDetailView, "committee_detail"),
    action("regles/", views.CommitteeRulesView, "committee_rules"),
    action("membres/nouveau/", views.MemberAppointView, "member_appoint"),
    action("presidence/", views.ChairChangeView, "chair_change"),
    action("seances/nouvelle/", views.SessionCreateView, "session_create"),
]
session = [
    action("", views.SessionDetailView, "session_detail"),
    action("ordre-du-jour/ajouter/", views.AgendaAddView, "agenda_add"),
    action("presences/", views.AttendanceView, "attendance"),
    # Every move of the session (convene, open, close, sign): `SESSION_WORKFLOW`.
    action("etat/", views.SessionTransitionView, "session_transition"),
    # Minutes and downloads
    action("proces-verbal/", views.MinutesView, "minutes"),
    action("proces-verbal/avenants/nouveau/", views.AmendmentCreateView, "amendment_create"),
    action("proces-verbal.pdf", views.MinutesPdfView, "minutes_pdf"),
    action("dossier-de-seance.pdf", views.PackPdfView, "pack_pdf"),
    action("invitation.ics", views.IcsView, "session_ics"),
]
item = [
    action("retirer/", views.ItemRemoveView, "item_remove"),
    action("deplacer/", views.ItemMoveView, "item_move"),
    action("entreprises/", views.ItemCorporationsView, "item_corporations"),
    action("ouvrir/", views.ItemOpenView, "item_open"),
    action("clore/", views.ItemCloseView, "item_close"),
    action("voter/", views.VoteView, "vote"),
    action("deport/", views.InterestView, "declare_interest"),
    action("decompte/", views.ItemTallyView, "item_tally"),
    action("decision/", views.DecisionCreateView, "decision_create"),
]

urlpatterns = [
    action("", views.SessionListView, "session_list"),
    action("comites/", views.CommitteeListView, "committee_list"),
    action("comites/nouveau/", views.CommitteeCreateView, "committee_create"),
    path("comites/<int:pk>/", include(committee)),
    action("mandats/<int:pk>/fin/", views.MandateEndView, "mandate_end"),
    path("seances/<int:pk>/", include(session)),
    path("points/<int:pk>/", include(item)),
    action("decisions/<int:pk>/lettre.pdf", views.DecisionLetterView, "decision_letter"),
    action("dossiers/<int:pk>/", views.DossierView, "dossier_detail"),
]
