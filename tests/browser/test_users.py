"""In the browser: a manager invites a colleague and adds an intercommunality from the
official referential; the colleague sets their password from the emailed link. Each page is
checked with axe-core."""

import re

import pytest

from alize.models import Commune, Role, User
from tests.browser.conftest import axe_violations
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Un-mot-de-passe-solide-2026"


def sign_in(tab, url, email, password):
    tab.goto(f"{url}/compte/connexion/")
    tab.get_by_label("Adresse électronique").fill(email)
    tab.get_by_label("Mot de passe").fill(password)
    tab.get_by_role("button", name="Se connecter").click()
    tab.wait_for_url(f"{url}/")


def test_manager_sets_up_territory_and_invites_a_colleague(
    live_server,
    page,
    basin,
    mailoutbox,
):
    manager = make_user(Role.MANAGER, basin)
    sign_in(page, live_server.url, manager.email, "motdepasse-de-test")
    assert axe_violations(page) == []

    # The intercommunality and its 35 communes, from the official referential.
    page.get_by_role("link", name="Intercommunalités").first.click()
    page.get_by_role("link", name="Ajouter depuis le référentiel officiel").click()
    page.get_by_label("Nom ou SIREN").fill("Valenciennes Métropole")
    page.get_by_role("button", name="Rechercher").click()
    assert axe_violations(page) == []
    page.get_by_role("button", name="Ajouter CA Valenciennes Métropole").click()
    page.get_by_text(re.compile(r"est ajoutée avec ses\s+35\s+communes")).first.wait_for(
        timeout=120_000
    )
    assert Commune.objects.filter(epci__basin=basin).count() == 35

    # The colleague's invitation.
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Utilisateurs de votre bassin").click()
    assert axe_violations(page) == []
    page.get_by_role("link", name="Inviter un utilisateur").click()
    assert axe_violations(page) == []
    page.locator("#id_email").fill("claire.dumont@cci.test")
    page.locator("#id_first_name").fill("Claire")
    page.locator("#id_last_name").fill("Dumont")
    page.locator("#id_role").select_option(Role.STAFF)
    page.locator("#id_basin").select_option(str(basin.pk))
    page.get_by_role("button", name="Envoyer l'invitation").click()
    page.get_by_text("Invitation envoyée").first.wait_for()
    assert axe_violations(page) == []
    assert User.objects.get(email="claire.dumont@cci.test").roles == {Role.STAFF}

    # The colleague, signed out, follows the link and chooses a password.
    page.get_by_role("button", name=str(manager)).click()
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").click()
    link = re.search(r"https?://\S+/invitation/\S+/", mailoutbox[0].body).group(0)
    page.goto(link)
    assert axe_violations(page) == []
    page.locator("#id_new_password1").fill(PASSWORD)
    page.locator("#id_new_password2").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer mon mot de passe").click()
    sign_in(page, live_server.url, "claire.dumont@cci.test", PASSWORD)
    assert "Chargé(e) de mission" in page.locator("main").inner_text()
