from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alize import views
from alize.auth_forms import AlizeAuthenticationForm, AlizePasswordResetForm

referential = (
    [
        path("bassins/", views.BasinListView.as_view(), name="basin_list"),
        path("bassins/<int:pk>/", views.BasinDetailView.as_view(), name="basin_detail"),
        path("bassins/<int:pk>/modifier/", views.BasinUpdateView.as_view(), name="basin_update"),
        path(
            "bassins/<int:pk>/plafonds/nouveau/",
            views.AdvanceCapCreateView.as_view(),
            name="advance_cap_create",
        ),
        path("periodes/", views.PeriodListView.as_view(), name="period_list"),
        path("periodes/nouvelle/", views.PeriodFormView.as_view(), name="period_create"),
        path("periodes/<int:pk>/", views.PeriodDetailView.as_view(), name="period_detail"),
        path("periodes/<int:pk>/modifier/", views.PeriodFormView.as_view(), name="period_update"),
        path("intercommunalites/", views.EpciListView.as_view(), name="epci_list"),
        path("intercommunalites/nouvelle/", views.EpciFormView.as_view(), name="epci_create"),
        path("intercommunalites/<int:pk>/", views.EpciDetailView.as_view(), name="epci_detail"),
        path(
            "intercommunalites/<int:pk>/modifier/",
            views.EpciFormView.as_view(),
            name="epci_update",
        ),
        path("communes/", views.CommuneListView.as_view(), name="commune_list"),
        path("communes/nouvelle/", views.CommuneFormView.as_view(), name="commune_create"),
        path("communes/<int:pk>/", views.CommuneDetailView.as_view(), name="commune_detail"),
        path("communes/<int:pk>/modifier/", views.CommuneFormView.as_view(), name="commune_update"),
        path("financeurs/", views.FunderListView.as_view(), name="funder_list"),
        path("financeurs/nouveau/", views.FunderFormView.as_view(), name="funder_create"),
        path("financeurs/<int:pk>/", views.FunderDetailView.as_view(), name="funder_detail"),
        path("financeurs/<int:pk>/modifier/", views.FunderFormView.as_view(), name="funder_update"),
        path(
            "financeurs/<int:funder_pk>/contributions/nouvelle/",
            views.ContributionFormView.as_view(),
            name="contribution_create",
        ),
        path(
            "contributions/<int:pk>/modifier/",
            views.ContributionFormView.as_view(),
            name="contribution_update",
        ),
    ],
    "alize",
)

auth = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(authentication_form=AlizeAuthenticationForm),
        name="login",
    ),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "mot-de-passe/modifier/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "mot-de-passe/modifie/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "mot-de-passe/oubli/",
        auth_views.PasswordResetView.as_view(
            form_class=AlizePasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "mot-de-passe/oubli/envoye/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
]

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("compte/", include(auth)),
    path("referentiel/", include(referential)),
    path("pme/", include("pme.urls")),
    path("grandes-entreprises/", include("grandes_entreprises.urls")),
    path("comites/", include("comites.urls")),
    path("avances/", include("avances.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("api/", include("pilotage.api_urls")),
    path("admin/", admin.site.urls),
]
