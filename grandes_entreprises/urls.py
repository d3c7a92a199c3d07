from alize.urlkit import page, under
from grandes_entreprises.views import conventions, corporations, missions, records

app_name = "grandes_entreprises"

# A corporation's page, its records (experts, daily rate, contacts, memberships,
# coordinators, committee representatives) and its revitalisation conventions.
corporation = under(
    "entreprises/<int:pk>/",
    page("", corporations.CorporationDetailView, "corporation_detail"),
    page("modifier/", records.CorporationUpdateView, "corporation_update"),
    page("bilan-<int:year>.pdf", corporations.SkillsStatementPdfView, "skills_statement_pdf"),
    page("valeur-journee/nouvelle/", corporations.DailyRateCreateView, "daily_rate_create"),
    page("participations/nouvelle/", records.MembershipCreateView, "membership_create"),
    page("coordinateurs/nommer/", records.CoordinatorCreateView, "coordinator_create"),
    page(
        "coordinateurs/<int:user_pk>/retirer/", records.CoordinatorDeleteView, "coordinator_delete"
    ),
    page("representants/nommer/", records.RepresentativeCreateView, "representative_create"),
    page(
        "representants/<int:user_pk>/retirer/",
        records.RepresentativeDeleteView,
        "representative_delete",
    ),
    page("conventions/nouvelle/", conventions.ConventionCreateView, "convention_create"),
)
# The forms that create a record here edit it later under its own address (`contacts/…`).
corporation_records = under(
    "entreprises/<int:corporation_pk>/",
    page("experts/nouveau/", corporations.ExpertFormView, "expert_create"),
    page("contacts/nouveau/", records.ContactFormView, "contact_create"),
)
mission = under(
    "missions/<int:pk>/",
    page("", missions.MissionDetailView, "mission_detail"),
    page("changer-d-etat/", missions.MissionTransitionView, "mission_transition"),
    page("journees/nouvelle/", missions.DayLogCreateView, "day_log_create"),
    page("experts/ajouter/", missions.MissionExpertCreateView, "mission_expert_create"),
    page("resultats/nouveau/", missions.MissionResultCreateView, "result_create"),
    page("bilan/", missions.OutcomeUpdateView, "outcome_update"),
)

urlpatterns = [
    # Corporations
    page("entreprises/", corporations.CorporationListView, "corporation_list"),
    page("entreprises/nouvelle/", records.CorporationCreateView, "corporation_create"),
    corporation,
    corporation_records,
    page("experts/<int:pk>/modifier/", corporations.ExpertFormView, "expert_update"),
    page("contacts/<int:pk>/modifier/", records.ContactFormView, "contact_update"),
    page("contacts/<int:pk>/supprimer/", records.ContactDeleteView, "contact_delete"),
    page("participations/<int:pk>/sortie/", records.MembershipEndView, "membership_end"),
    # Support missions
    page("missions/", missions.MissionListView, "mission_list"),
    page(
        "dossiers/<int:dossier_pk>/missions/nouvelle/", missions.MissionCreateView, "mission_create"
    ),
    mission,
    # Revitalisation conventions
    page("conventions/<int:pk>/", conventions.ConventionDetailView, "convention_detail"),
    page(
        "conventions/<int:pk>/versements/nouveau/", conventions.PaymentCreateView, "payment_create"
    ),
]
