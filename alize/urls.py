from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from alize.auth_forms import AlizeAuthenticationForm, AlizePasswordResetForm
from alize.urlkit import object_pages, page, under
from alize.views import accessibility, home
from alize.views import referential as ref
from alize.views import users as user_views


def referential_pages(segment, name, views, *more, new="nouvelle"):
    """The pages of a referential entity, served by `referential.<Views>ListView`,
    `<Views>DetailView` and `<Views>FormView` (creation and update)."""
    listing, detail, form = (
        getattr(ref, f"{views}{kind}View") for kind in ("List", "Detail", "Form")
    )
    return object_pages(segment, name, *more, listing=listing, detail=detail, create=form, new=new)


# (segment, action, message once done): the account actions of the user page.
USER_ACTIONS = (
    ("desactiver", "deactivate", "Le compte est désactivé : ses sessions sont closes."),
    ("reactiver", "reactivate", "Le compte est réactivé."),
    ("renvoyer-invitation", "resend", "L'invitation est envoyée à nouveau."),
)

referential_urls = (
    [
        object_pages(
            "bassins",
            "basin",
            page("<int:pk>/plafonds/nouveau/", ref.AdvanceCapCreateView, "advance_cap_create"),
            listing=ref.BasinListView,
            detail=ref.BasinDetailView,
            create=ref.BasinCreateView,
            update=ref.BasinUpdateView,
        ),
        referential_pages("periodes", "period", "Period"),
        referential_pages(
            "intercommunalites",
            "epci",
            "Epci",
            page("referentiel-officiel/", ref.EpciImportView, "epci_import"),
        ),
        referential_pages(
            "communes",
            "commune",
            "Commune",
            page("referentiel-officiel/", ref.CommuneImportView, "commune_import"),
        ),
        referential_pages(
            "financeurs",
            "funder",
            "Funder",
            page(
                "<int:funder_pk>/contributions/nouvelle/",
                ref.ContributionFormView,
                "contribution_create",
            ),
            new="nouveau",
        ),
        page("contributions/<int:pk>/modifier/", ref.ContributionFormView, "contribution_update"),
        under(
            "utilisateurs/",
            page("", user_views.UserListView, "user_list"),
            page("inviter/", user_views.UserInviteView, "user_invite"),
            page("<int:pk>/", user_views.UserDetailView, "user_detail"),
            page("<int:pk>/role/", user_views.UserUpdateView, "user_update"),
            *(
                page(
                    f"<int:pk>/{segment}/",
                    user_views.UserActionView,
                    f"user_{action}",
                    action=action,
                    done=done,
                )
                for segment, action, done in USER_ACTIONS
            ),
        ),
    ],
    "alize",
)

auth = [
    page("connexion/", auth_views.LoginView, "login", authentication_form=AlizeAuthenticationForm),
    page("deconnexion/", auth_views.LogoutView, "logout"),
    under(
        "mot-de-passe/",
        page("modifier/", auth_views.PasswordChangeView, "password_change"),
        page("modifie/", auth_views.PasswordChangeDoneView, "password_change_done"),
        page(
            "oubli/",
            auth_views.PasswordResetView,
            "password_reset",
            form_class=AlizePasswordResetForm,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        page("oubli/envoye/", auth_views.PasswordResetDoneView, "password_reset_done"),
        page(
            "nouveau/<uidb64>/<token>/",
            auth_views.PasswordResetConfirmView,
            "password_reset_confirm",
        ),
        page("nouveau/termine/", auth_views.PasswordResetCompleteView, "password_reset_complete"),
    ),
    page("invitation/<uidb64>/<token>/", user_views.InvitationAcceptView, "invitation_accept"),
]

urlpatterns = [
    page("", home.HomeView, "home"),
    path("healthz", home.healthz, name="healthz"),
    page("accessibilite/", accessibility.StatementView, "accessibility"),
    path("compte/", include(auth)),
    path("referentiel/", include(referential_urls)),
    path("pme/", include("pme.urls")),
    path("grandes-entreprises/", include("grandes_entreprises.urls")),
    path("comites/", include("comites.urls")),
    path("avances/", include("avances.urls")),
    path("pilotage/", include("pilotage.urls")),
    path("api/", include("pilotage.api_urls")),
    path("rgpd/", include("rgpd.urls")),
    path("admin/", admin.site.urls),
]
