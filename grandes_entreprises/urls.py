from django.urls import path

from grandes_entreprises.views import conventions, corporations, missions

app_name = "grandes_entreprises"

urlpatterns = [
    # Corporations
    path("entreprises/", corporations.CorporationListView.as_view(), name="corporation_list"),
    path(
        "entreprises/<int:pk>/",
        corporations.CorporationDetailView.as_view(),
        name="corporation_detail",
    ),
    path(
        "entreprises/<int:pk>/bilan-<int:year>.pdf",
        corporations.SkillsStatementPdfView.as_view(),
        name="skills_statement_pdf",
    ),
    path(
        "entreprises/<int:corporation_pk>/experts/nouveau/",
        corporations.ExpertFormView.as_view(),
        name="expert_create",
    ),
    path("experts/<int:pk>/modifier/", corporations.ExpertFormView.as_view(), name="expert_update"),
    path(
        "entreprises/<int:pk>/valeur-journee/nouvelle/",
        corporations.DailyRateCreateView.as_view(),
        name="daily_rate_create",
    ),
    # Support missions
    path("missions/", missions.MissionListView.as_view(), name="mission_list"),
    path(
        "dossiers/<int:dossier_pk>/missions/nouvelle/",
        missions.MissionCreateView.as_view(),
        name="mission_create",
    ),
    path("missions/<int:pk>/", missions.MissionDetailView.as_view(), name="mission_detail"),
    path(
        "missions/<int:pk>/changer-d-etat/",
        missions.MissionTransitionView.as_view(),
        name="mission_transition",
    ),
    path(
        "missions/<int:pk>/journees/nouvelle/",
        missions.DayLogCreateView.as_view(),
        name="day_log_create",
    ),
    path(
        "missions/<int:pk>/experts/ajouter/",
        missions.MissionExpertCreateView.as_view(),
        name="mission_expert_create",
    ),
    path(
        "missions/<int:pk>/resultats/nouveau/",
        missions.MissionResultCreateView.as_view(),
        name="result_create",
    ),
    path("missions/<int:pk>/bilan/", missions.OutcomeUpdateView.as_view(), name="outcome_update"),
    # Revitalisation conventions
    path(
        "entreprises/<int:pk>/conventions/nouvelle/",
        conventions.ConventionCreateView.as_view(),
        name="convention_create",
    ),
    path(
        "conventions/<int:pk>/",
        conventions.ConventionDetailView.as_view(),
        name="convention_detail",
    ),
    path(
        "conventions/<int:pk>/versements/nouveau/",
        conventions.PaymentCreateView.as_view(),
        name="payment_create",
    ),
]
