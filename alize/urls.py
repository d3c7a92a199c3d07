from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alize.auth_forms import AlizeAuthenticationForm, AlizePasswordResetForm
from alize.views import home, referential

referential = (
    [
        path("bassins/", referential.BasinListView.as_view(), name="basin_list"),
        path("bassins/<int:pk>/", referential.BasinDetailView.as_view(), name="basin_detail"),
        path(
            "bassins/<int:pk>/modifier/", referential.BasinUpdateView.as_view(), name="basin_update"
        ),
        path(
            "bassins/<int:pk>/plafonds/nouveau/",
            referential.AdvanceCapCreateView.as_view(),
            name="advance_cap_create",
        ),
        path("periodes/", referential.PeriodListView.as_view(), name="period_list"),
        path("periodes/nouvelle/", referential.PeriodFormView.as_view(), name="period_create"),
        path("periodes/<int:pk>/", referential.PeriodDetailView.as_view(), name="period_detail"),
        path(
            "periodes/<int:pk>/modifier/",
            referential.PeriodFormView.as_view(),
            name="period_update",
        ),
        path("intercommunalites/", referential.EpciListView.as_view(), name="epci_list"),
        path("intercommunalites/nouvelle/", referential.EpciFormView.as_view(), name="epci_create"),
        path(
            "intercommunalites/<int:pk>/", referential.EpciDetailView.as_view(), name="epci_detail"
        ),
        path(
            "intercommunalites/<int:pk>/modifier/",
            referential.EpciFormView.as_view(),
            name="epci_update",
        ),
        path("communes/", referential.CommuneListView.as_view(), name="commune_list"),
        path("communes/nouvelle/", referential.CommuneFormView.as_view(), name="commune_create"),
        path("communes/<int:pk>/", referential.CommuneDetailView.as_view(), name="commune_detail"),
        path(
            "communes/<int:pk>/modifier/",
            referential.CommuneFormView.as_view(),
            name="commune_update",
        ),
        path("financeurs/", referential.FunderListView.as_view(), name="funder_list"),
        path("financeurs/nouveau/", referential.FunderFormView.as_view(), name="funder_create"),
        path("financeurs/<int:pk>/", referential.FunderDetailView.as_view(), name="funder_detail"),
        path(
            "financeurs/<int:pk>/modifier/",
            referential.FunderFormView.as_view(),
            name="funder_update",
        ),
        path(
            "financeurs/<int:funder_pk>/contributions/nouvelle/",
            referential.ContributionFormView.as_view(),
            name="contribution_create",
        ),
        path(
            "contributions/<int:pk>/modifier/",
            referential.ContributionFormView.as_view(),
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
    path("", home.HomeView.as_view(), name="home"),
    path("healthz", home.healthz, name="healthz"),
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
