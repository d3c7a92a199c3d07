"""The accounts of a basin, on the operator manager's screens (the administrator sees every
basin's): list, invite, change the role, deactivate, reactivate; and the page where an
invited person chooses their password."""

from django.apps import apps
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.views import View
from django.views.generic import DetailView, ListView
from django.views.generic.edit import FormView

from alize import permissions
from alize.forms import UserAccessForm, UserInviteForm, attempt
from alize.models import Basin, Role, User
from alize.services import users
from alize.views.base import act, cleaned


class ManagerMixin:
    """Managers and administrators only; an account outside their scope is a 404."""

    def dispatch(self, request, *args, **kwargs):
        if not permissions.can_manage_basin(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return users.manageable_users(self.request.user).prefetch_related(
            "groups", Prefetch("basins", queryset=Basin.objects.order_by("name"))
        )

    def get_account(self):
        return get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])


class UserListView(ManagerMixin, ListView):
    template_name = "alize/user_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = super().get_queryset().select_related("funder").order_by("last_name", "pk")
        query = self.request.GET.get("q", "").strip()
        if query:
            queryset = queryset.filter(
                Q(email__icontains=query)
                | Q(first_name__icontains=query)
                | Q(last_name__icontains=query)
                | Q(organisation__icontains=query)
            )
        return queryset

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            title="Utilisateurs", searchable=True, query=self.request.GET.get("q", ""), **kwargs
        )
        for account in context["object_list"]:
            # From the prefetched groups: User.role_labels would query once per row.
            account.role_names = [_access_label(group) for group in account.groups.all()]
        return context


class UserDetailView(ManagerMixin, DetailView):
    template_name = "alize/user_detail.html"
    context_object_name = "account"

    def get_object(self, queryset=None):
        return self.get_account()

    def get_context_data(self, **kwargs):
        form = UserAccessForm(user=self.request.user, account=self.object)
        return {**super().get_context_data(**kwargs), **detail_context(self.object, form)}


class UserInviteView(ManagerMixin, FormView):
    template_name = "alize/referential_form.html"
    form_class = UserInviteForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        """A link from another page may fill in the role and what it needs (the
        corporation page's "Inviter un coordinateur"); the form still checks each."""
        fields = {"role", "basin", "organisation"} | {
            link.field for link in users.ROLE_LINKS.values()
        }
        return {name: value for name, value in self.request.GET.items() if name in fields}

    def form_valid(self, form):
        account = attempt(
            form,
            users.invite_user,
            **cleaned(form, "email", "first_name", "last_name", "organisation", "role", "basin"),
            target=form.target(),
            by=self.request.user,
            site_url=self.request.build_absolute_uri("/"),
        )
        if account is None:
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Invitation envoyée à {account.email} : le lien pour choisir un mot de passe est "
            f"valable {users.INVITATION_DAYS} jours.",
        )
        return redirect("alize:user_detail", pk=account.pk)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Inviter un utilisateur",
            list_url_name="alize:user_list",
            list_title="utilisateurs",
            help_text=(
                "La personne reçoit un courriel avec un lien pour choisir son mot de passe, "
                f"valable {users.INVITATION_DAYS} jours et une seule fois."
            ),
            **kwargs,
        )


class UserUpdateView(ManagerMixin, FormView):
    """Change the role, the basin or the link of an account (the form of its page)."""

    form_class = UserAccessForm
    template_name = "alize/user_detail.html"

    def dispatch(self, request, *args, **kwargs):
        # The account first, for the managers (ManagerMixin turns away the others).
        if permissions.can_manage_basin(request.user):
            self.account = self.get_account()
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect("alize:user_detail", pk=self.account.pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user, "account": self.account}

    def form_valid(self, form):
        changed = attempt(
            form,
            users.change_access,
            user=self.account,
            **cleaned(form, "role", "basin"),
            target=form.target(),
            by=self.request.user,
        )
        if changed is None:
            return self.form_invalid(form)
        messages.success(self.request, "Le rôle du compte est enregistré.")
        return redirect("alize:user_detail", pk=self.account.pk)

    def form_invalid(self, form):
        context = {"account": self.account, "object": self.account}
        return self.render_to_response({**context, **detail_context(self.account, form)})


class UserActionView(ManagerMixin, View):
    """A button of the account's page: deactivate, reactivate, send the invitation again."""

    http_method_names = ["post"]
    action = ""
    done = ""

    def post(self, request, pk):
        account = self.get_account()
        if self.action == "resend":
            service, extra = users.send_invitation, {"site_url": request.build_absolute_uri("/")}
        else:
            service, extra = getattr(users, f"{self.action}_user"), {}
        act(request, service, user=account, by=request.user, success=self.done, **extra)
        return redirect("alize:user_detail", pk=account.pk)


class InvitationAcceptView(auth_views.PasswordResetConfirmView):
    """The invitation link: choose a password, then sign in."""

    token_generator = users.invitation_tokens
    reset_url_token = "choisir"  # noqa: S105 - a URL segment, not a secret
    template_name = "registration/invitation_accept.html"
    success_url = reverse_lazy("login")
    title = "Choisir votre mot de passe"

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, "Votre mot de passe est enregistré : connectez-vous avec votre adresse."
        )
        return response


def detail_context(account: User, form) -> dict:
    """What the account's page shows besides the account: its access form and history."""
    form.helper.form_action = reverse("alize:user_update", args=[account.pk])
    return {
        "form": form,
        "is_self": account.pk == form.user.pk,
        "invitation_pending": not account.has_usable_password(),
        "access_history": access_history(account),
    }


def access_history(account: User) -> list[dict]:
    """The roles and basins given to and taken from an account, newest first, with who did
    it (the audit trail of the membership tables)."""
    entries = []
    for model_name, field, label in (
        ("UserGroupEvent", "group", "Rôle"),
        ("UserBasinEvent", "basin", "Bassin"),
    ):
        event_model = apps.get_model("alize", model_name)
        for event in event_model.objects.filter(user_id=account.pk).select_related(field):
            entries.append(
                {
                    "when": event.pgh_created_at,
                    "what": label,
                    "action": "ajout" if event.pgh_label == "add" else "retrait",
                    "value": _access_label(getattr(event, field)),
                    "by": (event.pgh_context.metadata if event.pgh_context else {}).get("user"),
                }
            )
    ids = {entry["by"] for entry in entries} - {None}
    people = {person.pk: str(person) for person in User.objects.filter(pk__in=ids)}
    for entry in entries:
        entry["by"] = people.get(entry["by"], "Système")
    return sorted(entries, key=lambda entry: entry["when"], reverse=True)


def _access_label(obj) -> str:
    if obj is None:
        return "supprimé"
    if isinstance(obj, Basin):
        return obj.name
    return Role(obj.name).label if obj.name in Role.values else obj.name
