"""A staff member pays out an advance and records its first repayment, in Chromium."""

import re
from datetime import date

import pytest

from alize.formatting import euros
from alize.models import Role
from avances.models import Disbursement, Instalment, Payment
from avances.services import open_proceeding, record_dunning_step, request_write_off
from tests.alize.factories import BasinFactory
from tests.avances.factories import AdvanceFactory
from tests.browser.conftest import axe_violations
from tests.conftest import make_user
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_disburses_an_advance_and_records_a_payment(live_server, page):
    basin = BasinFactory(valenciennes=True)
    pme = PmeFactory(basin=basin, name="Heuille Mécanique de précision")
    advance = AdvanceFactory(
        basin=basin, dossier=DossierFactory(pme=pme, approved=True), signed=True
    )
    user = make_user(Role.STAFF, basin)

    page.goto(f"{live_server.url}/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    # From the navbar to the list, then the advance granted but not disbursed.
    page.get_by_role("button", name="Avances").or_(
        page.get_by_role("link", name="Avances")
    ).first.click()
    page.get_by_role("link", name="Avances remboursables").click()
    page.get_by_role("link", name=advance.reference).click()
    page.wait_for_url(re.compile(rf"/avances/{advance.pk}/$"))
    assert (
        "L'échéancier est établi au premier versement."
        in page.locator("#remboursement").inner_text()
    )

    # Pay out the whole advance: the schedule appears.
    page.locator("#id_versement-disbursed_on").fill("2007-04-16")
    page.get_by_role("button", name="Enregistrer le versement").click()
    page.get_by_text("Le versement est enregistré ; l'échéancier est à jour.").wait_for()
    assert Disbursement.objects.get(advance=advance).amount == advance.amount
    rows = page.locator("#echeances tbody tr")
    assert rows.count() == 30
    assert page.locator("#restant-du").inner_text() == euros(advance.amount, 2)

    # Record the first two instalments' money in one payment, through htmx.
    first, second = Instalment.objects.filter(schedule__advance=advance).order_by("number")[:2]
    amount = first.amount + second.amount
    page.locator("#id_paiement-paid_on").fill(second.due_date.isoformat())
    page.locator("#id_paiement-amount").fill(f"{amount:.2f}".replace(".", ","))
    page.get_by_role("button", name="Enregistrer le paiement").click()
    page.get_by_text("Le remboursement est enregistré et imputé sur les échéances.").wait_for()
    assert Payment.objects.get(advance=advance).amount == amount
    assert "Payée" in page.locator("#echeance-1").inner_text()
    assert "Payée" in page.locator("#echeance-2").inner_text()
    assert "Payée" not in page.locator("#echeance-3").inner_text()
    assert page.locator("#restant-du").inner_text() == euros(advance.amount - amount, 2)

    # Followed since (a reminder, a receivership, a write-off asked by a colleague): the
    # advance page, as it now stands, is accessible, with nothing refused by the CSP.
    colleague = make_user(Role.STAFF, basin)
    record_dunning_step(advance=advance, kind="relance", sent_on=date(2008, 6, 2), by=colleague)
    open_proceeding(
        advance=advance,
        kind="redressement",
        judgment_date=date(2008, 9, 1),
        publication_date=date(2008, 9, 15),
        by=colleague,
    )
    request_write_off(advance=advance, reason="Redressement judiciaire.", by=colleague)
    page.reload()
    assert "Relance" in page.get_by_role("region", name="Relances").inner_text()
    assert "Payée" in page.locator("#echeance-1").inner_text()
    assert page.csp_violations == []
    violations = axe_violations(page)
    assert violations == [], "\n".join(violations)

    # The other advances' pages too.
    for path in (
        "/avances/",
        "/avances/retards/",
        f"/avances/fonds/{basin.pk}/",
        "/avances/releve/",
    ):
        page.goto(f"{live_server.url}{path}")
        violations = axe_violations(page)
        assert violations == [], f"{path}: " + "\n".join(violations)
