"""The committees' addresses, grouped by what they act on: a committee, a session, an
agenda item, a decision."""

from alize.urlkit import page, under
from comites import views

app_name = "comites"

committee = under(
    "comites/<int:pk>/",
    page("", views.CommitteeDetailView, "committee_detail"),
    page("regles/", views.CommitteeRulesView, "committee_rules"),
    page("membres/nouveau/", views.MemberAppointView, "member_appoint"),
    page("presidence/", views.ChairChangeView, "chair_change"),
    page("seances/nouvelle/", views.SessionCreateView, "session_create"),
)
session = under(
    "seances/<int:pk>/",
    page("", views.SessionDetailView, "session_detail"),
    page("ordre-du-jour/ajouter/", views.AgendaAddView, "agenda_add"),
    page("presences/", views.AttendanceView, "attendance"),
    # Every move of the session (convene, open, close, sign): `SESSION_WORKFLOW`.
    page("etat/", views.SessionTransitionView, "session_transition"),
    # Minutes and downloads
    page("proces-verbal/", views.MinutesView, "minutes"),
    page("proces-verbal/avenants/nouveau/", views.AmendmentCreateView, "amendment_create"),
    page("proces-verbal.pdf", views.MinutesPdfView, "minutes_pdf"),
    page("dossier-de-seance.pdf", views.PackPdfView, "pack_pdf"),
    page("invitation.ics", views.IcsView, "session_ics"),
)
item = under(
    "points/<int:pk>/",
    page("retirer/", views.ItemRemoveView, "item_remove"),
    page("deplacer/", views.ItemMoveView, "item_move"),
    page("entreprises/", views.ItemCorporationsView, "item_corporations"),
    page("ouvrir/", views.ItemOpenView, "item_open"),
    page("clore/", views.ItemCloseView, "item_close"),
    page("voter/", views.VoteView, "vote"),
    page("deport/", views.InterestView, "declare_interest"),
    page("decompte/", views.ItemTallyView, "item_tally"),
    page("decision/", views.DecisionCreateView, "decision_create"),
)

urlpatterns = [
    page("", views.SessionListView, "session_list"),
    page("comites/", views.CommitteeListView, "committee_list"),
    page("comites/nouveau/", views.CommitteeCreateView, "committee_create"),
    committee,
    page("mandats/<int:pk>/fin/", views.MandateEndView, "mandate_end"),
    session,
    item,
    page("decisions/<int:pk>/lettre.pdf", views.DecisionLetterView, "decision_letter"),
    page("dossiers/<int:pk>/", views.DossierView, "dossier_detail"),
]
