"""The sub-prefecture opens the programme dashboard in Chromium: key figures, SVG charts with
their tables, no accessibility violation."""

import datetime
import os
import re
from decimal import Decimal

import pytest

from alize.models import Funder, Role
from tests.alize.factories import ContributionFactory, FunderFactory, PeriodFactory
from tests.browser.conftest import axe_violations
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, HireFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_sub_prefecture_reads_the_programme_dashboard(live_server, page, basin):
    period = PeriodFactory(
        basin=basin,
        name="Première période",
        start_date=datetime.date(2005, 7, 1),
        end_date=datetime.date(2008, 6, 30),
    )
    for headcount, jobs in ((4, 12), (25, 14)):
        dossier = DossierFactory(approved=True, pme__basin=basin, pme__headcount=headcount)
        dossier.jobs_planned = jobs
        dossier.save()
        HireFactory(dossier=dossier)
    for name, kind, amount in (
        ("Alstom", Funder.Kind.CORPORATION, "50000"),
        ("Diact", Funder.Kind.STATE, "42000"),
        ("Porte du Hainaut", Funder.Kind.LOCAL_AUTHORITY, "8000"),
    ):
        funder = FunderFactory(basin=basin, name=name, kind=kind)
        ContributionFactory(funder=funder, period=period, committed=Decimal(amount))
    steering = make_user(Role.STEERING, basin)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Adresse électronique").fill(steering.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")
    page.get_by_role("button", name="Pilotage").click()
    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_url(re.compile(r"/pilotage/"))

    page.get_by_role("heading", name="Tableau de bord du programme").wait_for()
    jobs_per_sme = page.locator('[data-indicator="jobs_per_sme"] .figure-value')
    assert jobs_per_sme.inner_text() == "13"
    assert page.locator('[data-indicator="smes_supported"] .figure-value').inner_text() == "2"
    assert page.locator('[data-indicator="hires"] .figure-value').inner_text() == "2"
    chart = page.get_by_role("img", name="PME accompagnées par tranche d'effectif")
    assert chart.is_visible()
    assert page.locator("svg[role=img]").count() >= 5

    # The chart's figures, as a table, one click away.
    figure = page.locator('[data-chart="budget_by_kind"]')
    figure.locator("xpath=..").get_by_text("Les chiffres du graphique").click()
    table = page.get_by_role("table", name="Contributions engagées par nature de financeur")
    assert "Grande entreprise" in table.inner_text()

    # A definition opens under its figure.
    card = page.locator('[data-indicator="jobs_per_sme"]')
    card.get_by_text("Définition").click()
    assert card.get_by_text("Emplois prévus divisés par le nombre de PME").is_visible()

    if os.environ.get("ALIZE_SCREENSHOTS"):
        page.screenshot(path=os.environ["ALIZE_SCREENSHOTS"], full_page=True)
    assert axe_violations(page) == []
