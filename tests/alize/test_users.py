"""The accounts of a basin on the manager's screens: list, invite (the emailed link to
choose a password), change the role, deactivate (sessions end at once), reactivate; and
what a manager may not do: give a role above their own, touch another basin's accounts."""

import datetime
import re

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alize.models import Role, User
from alize.services import users
from tests.alize.factories import FunderFactory, UserFactory
from tests.comites.factories import CommitteeFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationFactory

pytestmark = pytest.mark.django_db

LIST = reverse("alize:user_list")
INVITE = reverse("alize:user_invite")
PASSWORD = "Un-mot-de-passe-solide-2026"


def invite_data(where, **overrides):
    return {
        "email": "nouvelle.collegue@cci.test",
        "first_name": "Claire",
        "last_name": "Dumont",
        "organisation": "CCI",
        "role": Role.STAFF,
        "basin": where.pk,
        **overrides,
    }


def invite(client, capture, data):
    with capture(execute=True):
        return client.post(INVITE, data)


def link_in(message) -> str:
    return re.search(r"https?://[^/\s]+(/\S*invitation/\S+/)", message.body).group(1)


# --- Listing -----------------------------------------------------------------------------


def test_list_shows_the_basins_accounts_with_role_basin_last_sign_in(
    manager_client, basin, other_basin
):
    seen = make_user(Role.STAFF, basin)
    seen.last_login = timezone.make_aware(datetime.datetime(2026, 3, 4, 9, 30))
    seen.save()
    closed = make_user(Role.COMMITTEE_MEMBER, basin)
    closed.is_active = False
    closed.save()
    elsewhere = make_user(Role.STAFF, other_basin)
    admin = make_user(Role.ADMIN, basin)

    html = manager_client.get(LIST).content.decode()

    assert seen.email in html and "04/03/2026 09:30" in html
    assert "Chargé(e) de mission" in html and basin.name in html
    assert closed.email in html and "Désactivé" in html
    assert elsewhere.email not in html
    assert admin.email not in html


def test_list_query_count_does_not_grow(manager_client, basin):
    for _ in range(3):
        make_user(Role.STAFF, basin)
    with CaptureQueriesContext(connection) as few:
        manager_client.get(LIST)
    for _ in range(6):
        make_user(Role.FUNDER, basin)
    with CaptureQueriesContext(connection) as many:
        manager_client.get(LIST)
    assert len(many) == len(few)


def test_administrator_sees_every_basin(client, basin, other_basin):
    here, there = make_user(Role.STAFF, basin), make_user(Role.STAFF, other_basin)
    client.force_login(make_user(Role.ADMIN))
    html = client.get(LIST).content.decode()
    assert here.email in html and there.email in html


@pytest.mark.parametrize("role", [Role.STAFF, Role.COMMITTEE_MEMBER, Role.FUNDER])
def test_others_than_managers_get_a_404(client, basin, role):
    client.force_login(make_user(role, basin))
    assert client.get(LIST).status_code == 404
    assert client.get(INVITE).status_code == 404


# --- Inviting ----------------------------------------------------------------------------


def test_invitation_sends_a_link_that_sets_the_password_once(
    manager_client, basin, client, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(manager_client, django_capture_on_commit_callbacks, invite_data(basin))

    account = User.objects.get(email="nouvelle.collegue@cci.test")
    assert response.status_code == 302
    assert response.url == reverse("alize:user_detail", args=[account.pk])
    assert not account.has_usable_password()
    assert account.roles == {Role.STAFF}
    assert account.basin_ids == {basin.pk}
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["nouvelle.collegue@cci.test"]
    assert "7 jours" in message.body

    client.logout()
    page = client.get(link_in(message), follow=True)
    assert "Choisir votre mot de passe" in page.content.decode()
    set_password = client.post(
        page.redirect_chain[-1][0], {"new_password1": PASSWORD, "new_password2": PASSWORD}
    )
    assert set_password.url == reverse("login")
    account.refresh_from_db()
    assert account.check_password(PASSWORD)

    # The same link a second time: refused, in French, nothing changed.
    client.logout()
    again = client.get(link_in(message), follow=True)
    assert "Ce lien d'invitation n'est plus valable" in again.content.decode()


def test_an_expired_invitation_is_refused(
    manager_client, basin, client, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    invite(manager_client, django_capture_on_commit_callbacks, invite_data(basin))
    later = users.invitation_tokens._now() + datetime.timedelta(days=users.INVITATION_DAYS + 1)
    monkeypatch.setattr(users.invitation_tokens, "_now", lambda: later)

    client.logout()
    page = client.get(link_in(mailoutbox[0]), follow=True)

    assert page.status_code == 200
    assert "Ce lien d'invitation n'est plus valable" in page.content.decode()
    assert "new_password1" not in page.content.decode()


def test_a_password_reset_token_is_not_an_invitation(manager_client, basin, client):
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    account = make_user(Role.STAFF, basin)
    url = reverse(
        "invitation_accept",
        args=[
            urlsafe_base64_encode(force_bytes(account.pk)),
            default_token_generator.make_token(account),
        ],
    )
    assert "n'est plus valable" in client.get(url, follow=True).content.decode()


@pytest.mark.parametrize(
    ("overrides", "field_message"),
    [
        ({"email": "DEJA@cci.test"}, "Un compte existe déjà avec cette adresse."),
        ({"role": Role.ADMIN}, "Sélectionnez un choix valide."),
        ({"role": Role.FUNDER}, "Ce rôle demande de choisir : financeur représenté."),
        ({"basin": ""}, "Choisissez le bassin de ce compte."),
    ],
)
def test_bad_invitations_save_nothing(
    manager_client, basin, overrides, field_message, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(email="deja@cci.test")
    before = User.objects.count()

    response = invite(
        manager_client, django_capture_on_commit_callbacks, invite_data(basin, **overrides)
    )

    assert response.status_code == 200
    assert field_message in response.content.decode()
    assert User.objects.count() == before
    assert mailoutbox == []


def test_another_basin_cannot_be_chosen(
    manager_client, basin, other_basin, mailoutbox, django_capture_on_commit_callbacks
):
    response = invite(manager_client, django_capture_on_commit_callbacks, invite_data(other_basin))
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not User.objects.filter(email="nouvelle.collegue@cci.test").exists()


@pytest.mark.parametrize(
    ("role", "target", "refusal"),
    [
        (Role.ADMIN, None, {"role": ["Vous ne pouvez pas donner ce rôle."]}),
        (Role.FUNDER, "other_funder", {"funder": ["Ce choix appartient à un autre bassin."]}),
    ],
)
def test_the_service_refuses_what_the_form_would_not_offer(
    manager, basin, other_basin, role, target, refusal
):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        users.invite_user(
            email="chef@cci.test",
            first_name="A",
            last_name="B",
            role=role,
            basin=basin,
            target=FunderFactory(basin=other_basin) if target else None,
            by=manager,
            site_url="http://testserver/",
        )
    assert refused.value.message_dict == refusal
    assert not User.objects.filter(email="chef@cci.test").exists()


def _funder_link(basin):
    funder = FunderFactory(basin=basin)
    return "funder", funder, lambda account: account.funder == funder


def _coordinator_link(basin):
    corporation = CorporationFactory(basin=basin)
    return (
        "corporation",
        corporation,
        lambda account: list(corporation.coordinators.all()) == [account],
    )


def _seat_link(basin):
    committee = CommitteeFactory(basin=basin)

    def seated(account):
        membership = committee.memberships.get(person=account)
        return membership.organisation == "CCI" and membership.start_date == datetime.date.today()

    return "committee", committee, seated


@pytest.mark.parametrize(
    ("role", "link"),
    [
        (Role.FUNDER, _funder_link),
        (Role.COORDINATOR, _coordinator_link),
        (Role.COMMITTEE_MEMBER, _seat_link),
    ],
)
def test_invite_with_what_the_role_needs(
    manager_client, basin, mailoutbox, django_capture_on_commit_callbacks, role, link
):
    field, target, linked = link(basin)
    invite(
        manager_client,
        django_capture_on_commit_callbacks,
        invite_data(basin, role=role, **{field: target.pk}),
    )
    account = User.objects.get(email="nouvelle.collegue@cci.test")
    assert account.roles == {role}
    assert linked(account)
    assert len(mailoutbox) == 1


def test_the_corporation_page_invites_its_coordinator_with_the_form_filled_in(
    manager_client, basin
):
    corporation = CorporationFactory(basin=basin, group_name="Toyota")
    page = manager_client.get(corporation.get_absolute_url()).content.decode()
    link = re.search(r'href="([^"]*utilisateurs/[^"]*corporation=[^"]*)"', page).group(1)
    form = manager_client.get(link.replace("&amp;", "&")).context["form"]
    assert form.initial["role"] == Role.COORDINATOR
    assert str(form.initial["corporation"]) == str(corporation.pk)
    assert str(form.initial["basin"]) == str(basin.pk)
    assert form.initial["organisation"] == "Toyota"


def test_staff_are_not_offered_an_invitation_they_could_not_send(staff_client, basin):
    corporation = CorporationFactory(basin=basin)
    page = staff_client.get(corporation.get_absolute_url()).content.decode()
    assert "Inviter un coordinateur" not in page and "Nommer un coordinateur" in page


def test_the_invitation_is_in_the_audit_trail(
    manager_client, manager, basin, mailoutbox, django_capture_on_commit_callbacks
):
    invite(manager_client, django_capture_on_commit_callbacks, invite_data(basin))
    account = User.objects.get(email="nouvelle.collegue@cci.test")
    group_event = apps.get_model("alize", "UserGroupEvent").objects.get(user=account)
    assert group_event.pgh_context.metadata["user"] == manager.pk
    user_event = apps.get_model("alize", "UserEvent").objects.filter(pgh_obj=account).first()
    assert user_event.pgh_context.metadata["user"] == manager.pk

    page = manager_client.get(reverse("alize:user_detail", args=[account.pk])).content.decode()
    assert "Chargé(e) de mission" in page and str(manager) in page


# --- Changing, deactivating, reactivating ------------------------------------------------


def test_change_the_role(manager_client, manager, basin):
    account = make_user(Role.STAFF, basin)
    response = manager_client.post(
        reverse("alize:user_update", args=[account.pk]),
        {"role": Role.MANAGER, "basin": basin.pk},
    )
    assert response.status_code == 302
    account = User.objects.get(pk=account.pk)
    assert account.roles == {Role.MANAGER}
    removed = apps.get_model("alize", "UserGroupEvent").objects.filter(
        user=account, pgh_label="remove"
    )
    assert removed.get().pgh_context.metadata["user"] == manager.pk


def test_leaving_a_role_undoes_its_links(manager, basin):
    corporation = CorporationFactory(basin=basin)
    coordinator = make_user(Role.COORDINATOR, basin)
    corporation.coordinators.add(coordinator)
    users.change_access(user=coordinator, role=Role.STAFF, basin=basin, by=manager)
    assert not corporation.coordinators.filter(pk=coordinator.pk).exists()

    committee = CommitteeFactory(basin=basin)
    member = make_user(Role.COMMITTEE_MEMBER, basin)
    User.objects.filter(pk=member.pk).update(organisation="Toyota")
    users.change_access(
        user=member, role=Role.COMMITTEE_MEMBER, basin=basin, by=manager, target=committee
    )
    corporation.committee_representatives.add(member)
    seat = committee.memberships.get(person=member)
    assert seat.end_date is None
    users.change_access(user=member, role=Role.STAFF, basin=basin, by=manager)
    seat.refresh_from_db()
    assert seat.end_date == datetime.date.today()
    assert not corporation.committee_representatives.filter(pk=member.pk).exists()
    # Staying in the role keeps every link: a coordinator of two corporations keeps both.
    other = CorporationFactory(basin=basin)
    users.change_access(
        user=coordinator, role=Role.COORDINATOR, basin=basin, by=manager, target=corporation
    )
    other.coordinators.add(coordinator)
    users.change_access(
        user=coordinator, role=Role.COORDINATOR, basin=basin, by=manager, target=corporation
    )
    assert set(coordinator.coordinated_corporations.all()) == {corporation, other}


def test_change_keeps_the_basins_the_manager_does_not_manage(manager, basin, other_basin):
    account = make_user(Role.STAFF, basin, other_basin)
    users.change_access(user=account, role=Role.FUNDER, basin=basin, by=manager,
                        target=FunderFactory(basin=basin))  # fmt: skip
    assert User.objects.get(pk=account.pk).basin_ids == {basin.pk, other_basin.pk}


def test_a_role_above_ones_own_is_refused_on_change(manager_client, basin):
    account = make_user(Role.STAFF, basin)
    response = manager_client.post(
        reverse("alize:user_update", args=[account.pk]), {"role": Role.ADMIN, "basin": basin.pk}
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert User.objects.get(pk=account.pk).roles == {Role.STAFF}


def test_deactivation_ends_the_open_sessions_at_once(manager_client, basin, client):
    from django.test import Client

    account = make_user(Role.STAFF, basin)
    theirs = Client()
    theirs.force_login(account)
    assert theirs.get(reverse("pme:work_queue")).status_code == 200

    response = manager_client.post(reverse("alize:user_deactivate", args=[account.pk]))

    assert response.status_code == 302
    assert not User.objects.get(pk=account.pk).is_active
    next_request = theirs.get(reverse("pme:work_queue"))
    assert next_request.status_code == 302 and next_request.url.startswith(reverse("login"))
    # Reactivated, the account signs in again, but the old session stays closed.
    manager_client.post(reverse("alize:user_reactivate", args=[account.pk]))
    assert User.objects.get(pk=account.pk).is_active
    assert theirs.get(reverse("pme:work_queue")).status_code == 302


def test_a_manager_cannot_deactivate_themself(manager_client, manager):
    response = manager_client.post(reverse("alize:user_deactivate", args=[manager.pk]), follow=True)
    assert "Vous ne pouvez pas désactiver votre propre compte." in response.content.decode()
    manager.refresh_from_db()
    assert manager.is_active


def test_another_basins_account_is_a_404(manager_client, other_basin):
    account = make_user(Role.STAFF, other_basin)
    detail = reverse("alize:user_detail", args=[account.pk])
    assert manager_client.get(detail).status_code == 404
    for name in ("user_update", "user_deactivate", "user_reactivate", "user_resend"):
        url = reverse(f"alize:{name}", args=[account.pk])
        assert manager_client.post(url, {"role": Role.STAFF}).status_code == 404, name
    assert User.objects.get(pk=account.pk).is_active


def test_resend_the_invitation(
    manager_client, basin, mailoutbox, django_capture_on_commit_callbacks
):
    invite(manager_client, django_capture_on_commit_callbacks, invite_data(basin))
    account = User.objects.get(email="nouvelle.collegue@cci.test")
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("alize:user_resend", args=[account.pk]))
    assert len(mailoutbox) == 2 and mailoutbox[1].to == [account.email]


def test_a_deactivated_invitee_cannot_use_the_link(
    manager_client, basin, client, mailoutbox, django_capture_on_commit_callbacks
):
    invite(manager_client, django_capture_on_commit_callbacks, invite_data(basin))
    account = User.objects.get(email="nouvelle.collegue@cci.test")
    manager_client.post(reverse("alize:user_deactivate", args=[account.pk]))
    client.logout()
    page = client.get(link_in(mailoutbox[0]), follow=True)
    assert "n'est plus valable" in page.content.decode()
