from django.urls import path

from grandes_entreprises.views import conventions, corporations, missions, records

app_name = "grandes_entreprises"

# (route, view class, name): one row per page, read top to bottom like a site map.
ROUTES = (
    # Corporations
    ("entreprises/", corporations.CorporationListView, "corporation_list"),
    ("entreprises/nouvelle/", records.CorporationCreateView, "corporation_create"),
    ("entreprises/<int:pk>/", corporations.CorporationDetailView, "corporation_detail"),
    ("entreprises/<int:pk>/modifier/", records.CorporationUpdateView, "corporation_update"),
    (
        "entreprises/<int:pk>/bilan-<int:year>.pdf",
        corporations.SkillsStatementPdfView,
        "skills_statement_pdf",
    ),
    (
        "entreprises/<int:corporation_pk>/experts/nouveau/",
        corporations.ExpertFormView,
        "expert_create",
    ),
    ("experts/<int:pk>/modifier/", corporations.ExpertFormView, "expert_update"),
    (
        "entreprises/<int:pk>/valeur-journee/nouvelle/",
        corporations.DailyRateCreateView,
        "daily_rate_create",
    ),
    # The corporation's contacts, memberships, coordinators and committee representatives
    (
        "entreprises/<int:corporation_pk>/contacts/nouveau/",
        records.ContactFormView,
        "contact_create",
    ),
    ("contacts/<int:pk>/modifier/", records.ContactFormView, "contact_update"),
    ("contacts/<int:pk>/supprimer/", records.ContactDeleteView, "contact_delete"),
    (
        "entreprises/<int:pk>/participations/nouvelle/",
        records.MembershipCreateView,
        "membership_create",
    ),
    ("participations/<int:pk>/sortie/", records.MembershipEndView, "membership_end"),
    (
        "entreprises/<int:pk>/coordinateurs/nommer/",
        records.CoordinatorCreateView,
        "coordinator_create",
    ),
    (
        "entreprises/<int:pk>/coordinateurs/<int:user_pk>/retirer/",
        records.CoordinatorDeleteView,
        "coordinator_delete",
    ),
    (
        "entreprises/<int:pk>/representants/nommer/",
        records.RepresentativeCreateView,
        "representative_create",
    ),
    (
        "entreprises/<int:pk>/representants/<int:user_pk>/retirer/",
        records.RepresentativeDeleteView,
        "representative_delete",
    ),
    # Support missions
    ("missions/", missions.MissionListView, "mission_list"),
    (
        "dossiers/<int:dossier_pk>/missions/nouvelle/",
        missions.MissionCreateView,
        "mission_create",
    ),
    ("missions/<int:pk>/", missions.MissionDetailView, "mission_detail"),
    ("missions/<int:pk>/changer-d-etat/", missions.MissionTransitionView, "mission_transition"),
    ("missions/<int:pk>/journees/nouvelle/", missions.DayLogCreateView, "day_log_create"),
    (
        "missions/<int:pk>/experts/ajouter/",
        missions.MissionExpertCreateView,
        "mission_expert_create",
    ),
    ("missions/<int:pk>/resultats/nouveau/", missions.MissionResultCreateView, "result_create"),
    ("missions/<int:pk>/bilan/", missions.OutcomeUpdateView, "outcome_update"),
    # Revitalisation conventions
    (
        "entreprises/<int:pk>/conventions/nouvelle/",
        conventions.ConventionCreateView,
        "convention_create",
    ),
    ("conventions/<int:pk>/", conventions.ConventionDetailView, "convention_detail"),
    ("conventions/<int:pk>/versements/nouveau/", conventions.PaymentCreateView, "payment_create"),
)

urlpatterns = [path(route, view.as_view(), name=name) for route, view, name in ROUTES]
