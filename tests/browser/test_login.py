import pytest

from alize.models import Role
from tests.alize.factories import AdvanceCapFactory, BasinFactory, PeriodFactory
from tests.browser.conftest import axe_violations
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_member_logs_in_and_sees_an_accessible_home_page(live_server, page):
    basin = BasinFactory(valenciennes=True)
    AdvanceCapFactory(basin=basin)
    PeriodFactory(basin=basin, name="Première période")
    user = make_user(Role.STAFF, basin)

    page.goto(f"{live_server.url}/")
    # Anonymous visitors land on the login page.
    assert "/compte/connexion/" in page.url
    assert axe_violations(page) == []

    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.get_by_role("heading", level=1).inner_text().startswith("Bonjour")
    body = page.locator("main").inner_text()
    assert "Chargé(e) de mission" in body
    assert "Valenciennois" in body
    assert "Première période" in body
    # Our own stylesheet and scripts load under the CSP, with nothing inline refused.
    assert page.evaluate(
        "getComputedStyle(document.querySelector('.alize-header')).backgroundColor"
    )
    assert page.evaluate("typeof htmx") == "object"
    assert page.evaluate("typeof bootstrap") == "object"
    assert page.csp_violations == []
    assert axe_violations(page) == []
