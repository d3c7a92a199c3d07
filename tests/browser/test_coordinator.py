"""A corporation coordinator starts a mission and logs the days their expert gave, in
Chromium."""

import datetime
import re
from decimal import Decimal

import pytest

from alize.models import Role
from grandes_entreprises.models import DayLog
from tests.browser.conftest import axe_violations
from tests.browser.test_dossier import field
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DailyRateFactory,
    ExpertFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def plain(locator) -> str:
    """A block's text with French spaces (no-break, narrow) read as plain spaces."""
    return re.sub(r"[\s\u202f\u00a0]+", " ", locator.inner_text())


def said(text: str) -> re.Pattern:
    """A message, whatever spaces French typography put between its words."""
    return re.compile(r"\s+".join(re.escape(word) for word in text.split()))


def test_a_coordinator_logs_the_days_their_expert_gave(live_server, page, basin):
    alstom = CorporationFactory(alstom=True, basin=basin)
    DailyRateFactory(corporation=alstom, rate=Decimal("600.00"))
    expert = ExpertFactory(corporation=alstom, quality=True, name="Jean Dupuis")
    mission = SupportMissionFactory(
        corporation=alstom,
        experts=[expert],
        dossier=DossierFactory(approved=True, pme__basin=basin, pme__name="Heuille"),
    )
    # Another corporation's mission in the same basin: out of the coordinator's sight.
    other = SupportMissionFactory(corporation=CorporationFactory(toyota=True, basin=basin))
    coordinator = make_user(Role.COORDINATOR)
    alstom.coordinators.add(coordinator)

    # Sign in; the home page lists the corporation's missions.
    page.goto(f"{live_server.url}/")
    page.get_by_label("Adresse électronique").fill(coordinator.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("link", name=f"Mission n° {mission.pk} – Qualité").click()
    page.wait_for_url(re.compile(rf"/grandes-entreprises/missions/{mission.pk}/$"))

    # The mission is planned: it must start before days are logged (htmx swaps the status
    # panel, and the day log out of band, whose form then opens).
    assert "démarrez-la pour saisir les jours donnés" in plain(page.locator("#journees"))
    page.get_by_role("button", name="Démarrer la mission").click()
    page.get_by_text(said("La mission est désormais « En cours ».")).wait_for()
    page.get_by_role("button", name="Enregistrer la journée").wait_for()
    assert page.get_by_role("button", name="Annuler la mission").count() == 0

    totals = page.locator("#total-jours")
    value = page.locator("#total-valeur")
    assert "0 jour sur 5 jours prévus" in plain(totals)
    assert "0,00 €" in plain(value)

    # One day on Tuesday 3 April 2007, then half a day on the Wednesday.
    day_log = page.locator("#journees")
    field(day_log, "Expert").select_option(label="Jean Dupuis")
    field(day_log, "Date").fill("2007-04-03")
    day_log.get_by_label("1 journée").check()
    day_log.get_by_role("button", name="Enregistrer la journée").click()
    page.get_by_text(
        said("Temps enregistré : 1 jour donné par Jean Dupuis le 03/04/2007.")
    ).wait_for()
    assert "1 jour sur 5 jours prévus" in plain(totals)
    assert "600,00 €" in plain(value)

    field(day_log, "Date").fill("2007-04-04")
    day_log.get_by_label("½ journée").check()
    day_log.get_by_role("button", name="Enregistrer la journée").click()
    page.get_by_text(
        said("Temps enregistré : 0,5 jour donné par Jean Dupuis le 04/04/2007.")
    ).wait_for()
    assert "1,5 jour sur 5 jours prévus" in plain(totals)
    assert "900,00 €" in plain(value)

    # A day outside the mission is refused, with the reason, and nothing is saved.
    field(day_log, "Date").fill("2007-05-02")
    day_log.get_by_role("button", name="Enregistrer la journée").click()
    page.get_by_text(said("Le 02/05/2007 est en dehors de la mission")).wait_for()
    assert "1,5 jour sur 5 jours prévus" in plain(totals)

    logs = DayLog.objects.filter(assignment__mission=mission).order_by("date")
    assert [(log.date, log.days, log.logged_by) for log in logs] == [
        (datetime.date(2007, 4, 3), Decimal("1.0"), coordinator),
        (datetime.date(2007, 4, 4), Decimal("0.5"), coordinator),
    ]

    # The page, as it now stands, is accessible, with nothing refused by the CSP.
    page.reload()
    assert "1,5 jour sur 5 jours prévus" in plain(page.locator("#total-jours"))
    assert page.csp_violations == []
    assert axe_violations(page) == []

    # Another corporation's mission does not exist for them.
    response = page.goto(f"{live_server.url}/grandes-entreprises/missions/{other.pk}/")
    assert response.status == 404
