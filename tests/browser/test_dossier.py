"""A staff member takes a new SME from orientation to the approval committee, in Chromium."""

import re

import pytest

from alize.models import Role
from pme.models import Document, Dossier, DossierState
from tests.alize.factories import BasinFactory, CommuneFactory, EpciFactory
from tests.browser.conftest import axe_violations
from tests.conftest import make_user
from tests.pme.factories import make_siret

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def field(page, label: str):
    """The form field with this label (crispy marks required fields with an asterisk)."""
    return page.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$"))


def test_staff_member_takes_a_new_sme_to_the_committee(live_server, page, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    basin = BasinFactory(valenciennes=True)
    epci = EpciFactory(basin=basin, name="CA de la Porte du Hainaut")
    CommuneFactory(epci=epci, name="Saint-Amand-les-Eaux", insee_code="59526", postcode="59230")
    user = make_user(Role.STAFF, basin)
    siret = make_siret(1987)

    # Sign in.
    page.goto(f"{live_server.url}/")
    page.get_by_label("Adresse électronique").fill(user.email)
    page.get_by_label("Mot de passe").fill("motdepasse-de-test")
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{live_server.url}/")

    # One short form: the company and its dossier.
    page.goto(f"{live_server.url}/pme/entreprises/nouvelle/")
    field(page, "SIRET").fill(siret)
    field(page, "Raison sociale").fill("Heuille Mécanique de précision")
    field(page, "Forme juridique").select_option(label="SAS")
    field(page, "Code NAF/APE").fill("25.62B")
    field(page, "Effectif salarié").fill("34")
    field(page, "Adresse").fill("12 rue de l'Industrie")
    field(page, "Commune").select_option(label="Saint-Amand-les-Eaux (59230)")
    field(page, "Résumé du projet").fill(
        "Obtenir la certification ISO 9001 avec l'appui des experts qualité d'Alstom."
    )
    page.get_by_label("Qualité", exact=True).check()
    page.get_by_label("Production", exact=True).check()
    field(page, "Emplois prévus").fill("7")
    field(page, "Avance demandée (€)").fill("15000")
    field(page, "Orientée par").select_option(label="Démarche spontanée")
    page.get_by_role("button", name="Enregistrer l'entreprise et ouvrir le dossier").click()

    page.wait_for_url(re.compile(r"/pme/dossiers/\d+/$"))
    dossier = Dossier.objects.get(pme__siret=siret)
    assert dossier.state == DossierState.ORIENTED
    assert dossier.staff_member == user
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Dossier n° ")
    assert heading.endswith("– Heuille Mécanique de précision")
    state_panel = page.locator("#etat-dossier")
    assert "Orienté" in state_panel.inner_text()

    # Oriented → under instruction → submitted to the committee, with the page's buttons.
    page.get_by_role("button", name="Commencer l'instruction").click()
    page.get_by_role("button", name="Soumettre au comité d'agrément").wait_for()
    assert "En instruction" in state_panel.inner_text()
    page.get_by_role("button", name="Soumettre au comité d'agrément").click()
    state_panel.get_by_text("Le dossier est désormais « Soumis au comité ».").wait_for()
    # An advance is asked and the SME has not declared its de minimis aid yet.
    page.get_by_text("Déclaration de minimis : à recueillir").wait_for()
    assert "Soumis au comité" in state_panel.inner_text()
    # Deciding is an operator manager's move: a staff member has no such button.
    assert page.get_by_role("button", name="Enregistrer l'agrément du comité").count() == 0

    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED
    assert list(dossier.transitions.values_list("to_state", flat=True)) == [
        DossierState.UNDER_INSTRUCTION,
        DossierState.SUBMITTED,
    ]

    # Attach the company's statutes, then get them back.
    documents = page.locator("#documents")
    documents.get_by_label(re.compile(r"^\s*Fichier")).set_input_files(
        {"name": "Statuts Heuille.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    field(documents, "Nature").select_option(label="Statuts")
    documents.get_by_role("button", name="Ajouter le document").click()
    page.get_by_text("Le document « Statuts Heuille » est ajouté au dossier.").wait_for()
    assert Document.objects.get(dossier=dossier).original_name == "Statuts Heuille.pdf"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Statuts Heuille").click()
    download = download_info.value
    assert download.suggested_filename == "Statuts Heuille.pdf"
    with open(download.path(), "rb") as downloaded:
        assert downloaded.read() == PDF

    # The dossier page, as it now stands, is accessible, with nothing refused by the CSP.
    page.reload()
    assert "Soumis au comité" in page.locator("#etat-dossier").inner_text()
    assert "Statuts Heuille" in page.locator("#documents").inner_text()
    assert page.csp_violations == []
    assert axe_violations(page) == []
