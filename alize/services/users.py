"""The accounts of a basin, managed by its operator's manager: invite, change the role,
deactivate, reactivate. Every write is in the audit trail (the User model and its role and
basin links are tracked by pghistory), stamped with who made it.

A role may need a link to an object of the basin: a funder's reader represents a funder, a
coordinator a corporation, a committee member holds a seat. The funder is a field of the
user; the other two live in higher apps, which register their link here at start-up
(`register_role_link`): this module never imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pghistory
from django.conf import settings
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.encoding import force_bytes
from django.utils.http import base36_to_int, urlsafe_base64_encode

from alize.models import Basin, DeliveryKind, Funder, Role, User

INVITATION_DAYS = 7
NOT_YOURS = "Ce compte n'appartient pas à votre bassin."
EMAIL_TAKEN = "Un compte existe déjà avec cette adresse."


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    """The invitation link's token: Django's reset token with its own salt and lifetime.

    It dies once used (the password hash changes), when the account is deactivated, and
    after INVITATION_DAYS.
    """

    key_salt = "alize.services.users.InvitationTokenGenerator"
    timeout = INVITATION_DAYS * 24 * 3600

    def _make_hash_value(self, user, timestamp):
        return f"{super()._make_hash_value(user, timestamp)}{user.is_active}"

    def check_token(self, user, token):
        # The parent's check reads PASSWORD_RESET_TIMEOUT: the same check, our lifetime.
        if not (user and token):
            return False
        try:
            ts_b36, _ = token.split("-")
            ts = base36_to_int(ts_b36)
        except ValueError:
            return False
        secrets = [self.secret, *self.secret_fallbacks]
        if not any(
            constant_time_compare(self._make_token_with_timestamp(user, ts, secret), token)
            for secret in secrets
        ):
            return False
        return (self._num_seconds(self._now()) - ts) <= self.timeout


invitation_tokens = InvitationTokenGenerator()


# --- Links between a role and an object of the basin -----------------------------------


@dataclass(frozen=True)
class RoleLink:
    """What a role needs besides a basin: one object of that basin (a model with a `basin`
    foreign key), picked on the form."""

    role: str
    field: str  # the form field's name
    label: str
    model: type[models.Model]
    # Link the user to the object: `attach(user=…, target=…, by=…)`.
    attach: Callable[..., None]
    # The object the user is linked to today, if any (the edit form's initial value).
    current: Callable[[User], models.Model | None] = lambda user: None
    # Undo the links when the user leaves the role: `detach(user=…, by=…)`.
    detach: Callable[..., None] | None = None

    def choices(self, basin_ids: frozenset[int] | None) -> models.QuerySet:
        """The objects that may be picked in these basins (None: every basin)."""
        objects = self.model.objects.select_related("basin")
        return objects.all() if basin_ids is None else objects.filter(basin_id__in=basin_ids)


ROLE_LINKS: dict[str, RoleLink] = {}


def register_role_link(link: RoleLink) -> None:
    ROLE_LINKS[link.role] = link


def _attach_funder(*, user: User, target: Funder, by: User) -> None:
    user.funder = target
    user.save(update_fields=["funder"])


register_role_link(
    RoleLink(
        role=Role.FUNDER,
        field="funder",
        label="Financeur représenté",
        model=Funder,
        attach=_attach_funder,
        current=lambda user: user.funder,
    )
)


# --- Who may act on whom ----------------------------------------------------------------


def grantable_roles(by: User) -> list[str]:
    """The roles `by` may give: all of them for an administrator; every role but the
    administrator's for a manager (never a role above their own); none for anyone else."""
    if by.has_role(Role.ADMIN):
        return list(Role.values)
    if by.has_role(Role.MANAGER):
        return [role for role in Role.values if role != Role.ADMIN]
    return []


def managed_basins(by: User) -> models.QuerySet:
    """The basins whose accounts `by` manages: all for an administrator, their own for a
    manager."""
    if by.has_role(Role.ADMIN):
        return Basin.objects.all()
    if by.has_role(Role.MANAGER):
        return Basin.objects.filter(pk__in=by.basin_ids)
    return Basin.objects.none()


def manageable_users(by: User) -> models.QuerySet:
    """The accounts `by` may see and change: every account for an administrator; for a
    manager, the accounts of their basins, administrators excepted."""
    users = User.objects.all()
    if by.has_role(Role.ADMIN):
        return users
    if not by.has_role(Role.MANAGER):
        return users.none()
    return (
        users.filter(basins__in=by.basin_ids)
        .exclude(Q(is_superuser=True) | Q(groups__name=Role.ADMIN))
        .distinct()
    )


def _require_manageable(user: User, by: User) -> None:
    if not manageable_users(by).filter(pk=user.pk).exists():
        raise PermissionDenied(NOT_YOURS)


def _check_access(
    *, by: User, role: str, basin: Basin | None, target: models.Model | None
) -> RoleLink | None:
    """Refuse a role above the giver's, a basin they do not manage, a missing or foreign
    link object. Returns the role's link, if it has one."""
    if role not in grantable_roles(by):
        raise ValidationError({"role": "Vous ne pouvez pas donner ce rôle."})
    if basin is None:
        if role != Role.ADMIN:
            raise ValidationError({"basin": "Choisissez le bassin de ce compte."})
    elif not managed_basins(by).filter(pk=basin.pk).exists():
        raise ValidationError({"basin": "Vous ne gérez pas les comptes de ce bassin."})
    link = ROLE_LINKS.get(role)
    if link is None:
        return None
    if target is None:
        raise ValidationError({link.field: f"Ce rôle demande de choisir : {link.label.lower()}."})
    if basin is not None and target.basin_id != basin.pk:
        raise ValidationError({link.field: "Ce choix appartient à un autre bassin."})
    return link


def _set_access(
    *, user: User, role: str, basin: Basin | None, target, link: RoleLink | None, by: User
) -> None:
    user.groups.set([Group.objects.get(name=role)])
    # The basins the giver does not manage stay as they are.
    foreign = set(user.basins.exclude(pk__in=managed_basins(by)).values_list("pk", flat=True))
    user.basins.set(foreign | ({basin.pk} if basin else set()))
    is_admin = role == Role.ADMIN
    if user.is_staff != is_admin or user.is_superuser != is_admin:
        user.is_staff = user.is_superuser = is_admin
        user.save(update_fields=["is_staff", "is_superuser"])
    if role != Role.FUNDER and user.funder_id:
        user.funder = None
        user.save(update_fields=["funder"])
    for cache in ("_roles_cache", "_basin_ids_cache"):
        user.__dict__.pop(cache, None)
    if link is not None:
        link.attach(user=user, target=target, by=by)


# --- The writers ------------------------------------------------------------------------


@transaction.atomic
def invite_user(
    *,
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    basin: Basin | None,
    by: User,
    site_url: str,
    organisation: str = "",
    target: models.Model | None = None,
) -> User:
    """Create an account without a password and send it, through Celery once the
    transaction has committed, a link to choose one (valid INVITATION_DAYS days, once)."""
    with pghistory.context(user=by.pk):
        link = _check_access(by=by, role=role, basin=basin, target=target)
        email = User.objects.normalize_email(email).strip().lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError({"email": EMAIL_TAKEN})
        user = User(
            email=email, first_name=first_name, last_name=last_name, organisation=organisation
        )
        user.set_unusable_password()
        user.full_clean()
        user.save()
        _set_access(user=user, role=role, basin=basin, target=target, link=link, by=by)
    send_invitation(user=user, by=by, site_url=site_url)
    return user


def send_invitation(*, user: User, by: User, site_url: str) -> None:
    """Email the invitation link, once the current transaction has committed."""
    from alize.tasks import send_email

    if user.has_usable_password():
        raise ValidationError(
            "Ce compte a déjà choisi son mot de passe : il n'a plus d'invitation à recevoir."
        )
    _require_manageable(user, by)
    path = reverse(
        "invitation_accept",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": invitation_tokens.make_token(user),
        },
    )
    context = {
        "user": user,
        "by": by,
        "url": site_url.rstrip("/") + path,
        "days": INVITATION_DAYS,
        "roles": ", ".join(user.role_labels),
    }
    subject = "".join(render_to_string("registration/invitation_subject.txt", context).splitlines())
    body = render_to_string("registration/invitation_email.txt", context)
    transaction.on_commit(
        lambda: send_email.delay(
            subject=subject,
            body=body,
            to=[user.email],
            from_email=settings.DEFAULT_FROM_EMAIL,
            kind=DeliveryKind.INVITATION,
        )
    )


@transaction.atomic
def change_access(
    *,
    user: User,
    role: str,
    basin: Basin | None,
    by: User,
    target: models.Model | None = None,
) -> User:
    """Give an account another role, basin or link."""
    with pghistory.context(user=by.pk):
        _require_manageable(user, by)
        if user.pk == by.pk:
            raise ValidationError("Vous ne pouvez pas changer votre propre rôle.")
        user = User.objects.select_for_update().get(pk=user.pk)
        link = _check_access(by=by, role=role, basin=basin, target=target)
        # Leaving a role undoes its links: a former coordinator no longer sees the
        # corporation's missions, a former member's seat ends today.
        for left in user.roles - {role}:
            old_link = ROLE_LINKS.get(left)
            if old_link is not None and old_link.detach is not None:
                old_link.detach(user=user, by=by)
        _set_access(user=user, role=role, basin=basin, target=target, link=link, by=by)
    return user


@transaction.atomic
def deactivate_user(*, user: User, by: User) -> User:
    """Close an account: it can no longer sign in, and its open sessions end at once."""
    with pghistory.context(user=by.pk):
        _require_manageable(user, by)
        if user.pk == by.pk:
            raise ValidationError("Vous ne pouvez pas désactiver votre propre compte.")
        user = User.objects.select_for_update().get(pk=user.pk)
        if not user.is_active:
            raise ValidationError("Ce compte est déjà désactivé.")
        user.is_active = False
        user.save(update_fields=["is_active"])
        end_sessions(user)
    return user


@transaction.atomic
def reactivate_user(*, user: User, by: User) -> User:
    with pghistory.context(user=by.pk):
        _require_manageable(user, by)
        user = User.objects.select_for_update().get(pk=user.pk)
        if user.is_active:
            raise ValidationError("Ce compte est déjà actif.")
        user.is_active = True
        user.save(update_fields=["is_active"])
    return user


def end_sessions(user: User) -> int:
    """Delete the open sessions of `user` (database sessions store the user id in their
    signed payload, so each open session is read)."""
    ended = 0
    key = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == key:
            session.delete()
            ended += 1
    return ended
