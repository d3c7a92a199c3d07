from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alize.auth_forms import AlizeAuthenticationForm, AlizePasswordResetForm
from alize.views import accessibility, home, referential
from alize.views import users as user_views


def referential_pages(segment, name, views, new="nouvelle"):
    """The four pages of a referential entity (its list, creation, detail and update), served
    by `referential.<Views>ListView`, `<Views>DetailView` and `<Views>FormView`."""
    list_view, detail_view, form_view = (
        getattr(referential, f"{views}{kind}View") for kind in ("List", "Detail", "Form")
    )
    return [
        path(f"{segment}/", list_view.as_view(), name=f"{name}_list"),
        path(f"{segment}/{new}/", form_view.as_view(), name=f"{name}_create"),
        path(f"{segment}/<int:pk>/", detail_view.as_view(), name=f"{name}_detail"),
        path(f"{segment}/<int:pk>/modifier/", form_view.as_view(), name=f"{name}_update"),
    ]


referential_urls = (
    [
        path("bassins/", referential.BasinListView.as_view(), name="basin_list"),
        path("bassins/nouveau/", referential.BasinCreateView.as_view(), name="basin_create"),
        path("bassins/<int:pk>/", referential.BasinDetailView.as_view(), name="basin_detail"),
        path(
            "bassins/<int:pk>/modifier/", referential.BasinUpdateView.as_view(), name="basin_update"
        ),
        path(
            "bassins/<int:pk>/plafonds/nouveau/",
            referential.AdvanceCapCreateView.as_view(),
            name="advance_cap_create",
        ),
        *referential_pages("periodes", "period", "Period"),
        *referential_pages("intercommunalites", "epci", "Epci"),
        path(
            "intercommunalites/referentiel-officiel/",
            referential.EpciImportView.as_view(),
            name="epci_import",
        ),
        *referential_pages("communes", "commune", "Commune"),
        path(
            "communes/referentiel-officiel/",
            referential.CommuneImportView.as_view(),
            name="commune_import",
        ),
        *referential_pages("financeurs", "funder", "Funder", new="nouveau"),
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
        path("utilisateurs/", user_views.UserListView.as_view(), name="user_list"),
        path("utilisateurs/inviter/", user_views.UserInviteView.as_view(), name="user_invite"),
        path("utilisateurs/<int:pk>/", user_views.UserDetailView.as_view(), name="user_detail"),
        path(
            "utilisateurs/<int:pk>/role/", user_views.UserUpdateView.as_view(), name="user_update"
        ),
        *(
            path(
                f"utilisateurs/<int:pk>/{segment}/",
                user_views.UserActionView.as_view(action=action, done=done),
                name=f"user_{action}",
            )
            for segment, action, done in (
                ("desactiver", "deactivate", "Le compte est désactivé : ses sessions sont closes."),
                ("reactiver", "reactivate", "Le compte est réactivé."),
                ("renvoyer-invitation", "resend", "L'invitation est envoyée à nouveau."),
            )
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
    path(
        "invitation/<uidb64>/<token>/",
        user_views.InvitationAcceptView.as_view(),
        name="invitation_accept",
    ),
]

urlpatterns = [
    path("", home.HomeView.as_view(), name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accessibilite/", accessibility.StatementView.as_view(), name="accessibility"),
    path("compte/", include(auth)),
    path("referentiel/", include(referential_urls)),
    path("pme/", include("pme.urls")),
    path("grandes-entreprises/", include("grandes_entreprises.urls")),
    path("comites/", include("comites.urls")),
    path("avances/", include("avances.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("api/", include("pilotage.api_urls")),
    path("admin/", admin.site.urls),
]
