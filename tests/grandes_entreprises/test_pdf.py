"""The yearly skills statement of a corporation, as a PDF: its figures, in French."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from grandes_entreprises.pdf import build_skills_statement_pdf
from tests.alize.factories import CommuneFactory
from tests.grandes_entreprises.factories import (
    DailyRateFactory,
    DayLogFactory,
    ExpertFactory,
    MissionResultFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory, PmeFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def text_of(pdf: bytes) -> str:
    """The text of every page on one line: French spaces and line breaks as plain spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def statement_world(basin, corporation, mission, expert, dossier):
    """Alstom in 2007: 3.5 days at 600 € then 450.25 € a day for Heuille, which obtained
    ISO 9001 in March 2007 and hired twice that year; and an SME helped in 2006 only, which
    hired once in 2007."""
    dossier.pme.commune = CommuneFactory(epci__basin=basin, name="Saint-Amand-les-Eaux")
    dossier.pme.save()
    DailyRateFactory(corporation=corporation, rate=Decimal("450.25"), valid_from=D(2007, 4, 9))
    for day, days in [
        (D(2007, 4, 2), "1"),
        (D(2007, 4, 3), "0.5"),
        (D(2007, 4, 9), "0.5"),
        (D(2007, 4, 10), "0.5"),
        (D(2007, 4, 11), "1"),
    ]:
        DayLogFactory(mission=mission, expert=expert, date=day, days=Decimal(days))
    MissionResultFactory(mission=mission, iso_9001=True)
    HireFactory(dossier=dossier, hire_date=D(2007, 6, 4))
    HireFactory(dossier=dossier, hire_date=D(2007, 10, 1))
    HireFactory(dossier=dossier, hire_date=D(2008, 1, 7))  # another year

    earlier = SupportMissionFactory(
        corporation=corporation,
        experts=[ExpertFactory(corporation=corporation)],
        done=True,
        dossier=DossierFactory(approved=True, pme=PmeFactory(basin=basin, name="Métallerie")),
        start_date=D(2006, 10, 2),
        end_date=D(2006, 10, 13),
    )
    DayLogFactory(mission=earlier, date=D(2006, 10, 2))
    HireFactory(dossier=earlier.dossier, hire_date=D(2007, 3, 5))
    return corporation


def test_the_statement_gives_the_years_figures_in_french(statement_world):
    corporation = statement_world
    pdf = build_skills_statement_pdf(corporation, 2007)
    text = text_of(pdf)

    assert pages_of(pdf) == 1
    assert "bilan annuel des compétences données" in text
    assert "Alstom – Alstom Transport, Petite-Forêt" in text
    assert "Année 2007 : du 01/01/2007 au 31/12/2007" in text
    # 1 + 0.5 days at 600 €, then 0.5 + 0.5 + 1 at 450.25 €, each line to the cent.
    assert "Jours donnés 3,5 jours" in text
    assert "1 800,51 €" in text
    assert "PME aidées 1" in text
    # Heuille's two hires of 2007, and the one of the SME helped in 2006.
    assert "Emplois créés 3" in text
    assert "Heuille Saint-Amand-les-Eaux 1 3,5 1 800,51 € 2" in text
    assert "Total 3,5 1 800,51 € 2" in text
    assert "S'y ajoute 1 embauche de l'année dans des PME aidées les années précédentes" in text
    assert "Certification obtenue : ISO 9001 — Heuille, mars 2007" in text
    assert "Métallerie" not in text  # helped in 2006 only


def test_a_year_without_days(statement_world):
    text = text_of(build_skills_statement_pdf(statement_world, 2005))
    assert "Jours donnés 0 jour" in text
    assert "0,00 €" in text
    assert "Aucune journée donnée en 2005." in text
    assert "Aucun résultat enregistré pour 2005." in text


def test_the_statement_is_shown_in_the_browser(staff_client, statement_world):
    response = staff_client.get(
        reverse("grandes_entreprises:skills_statement_pdf", args=[statement_world.pk, 2007])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'inline; filename="bilan-competences-alstom-2007.pdf"'
    )
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert "1 800,51 €" in text_of(response.content)


@pytest.mark.parametrize("year", [1995, timezone.localdate().year + 1])
def test_no_statement_before_the_scheme_or_for_a_year_to_come(staff_client, corporation, year):
    address = reverse("grandes_entreprises:skills_statement_pdf", args=[corporation.pk, year])
    assert staff_client.get(address).status_code == 404


def test_a_coordinator_gets_their_corporations_statement(client, coordinator, statement_world):
    client.force_login(coordinator)
    response = client.get(
        reverse("grandes_entreprises:skills_statement_pdf", args=[statement_world.pk, 2007])
    )
    assert response.status_code == 200
    assert "ISO 9001" in text_of(response.content)
