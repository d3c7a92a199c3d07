"""The one-page dossier summary (PDF) that committee members read."""

import datetime
import io
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from alize.models import Funder, Role
from pme.models import DocumentKind, DossierState, LegalForm, Need, OrientationSource
from pme.pdf import MAX_LISTED_DOCUMENTS, MAX_LISTED_TRANSITIONS, build_dossier_pdf
from pme.services import attach_document
from tests.alize.factories import (
    BasinFactory,
    CommuneFactory,
    EpciFactory,
    FunderFactory,
    UserFactory,
)
from tests.conftest import make_user
from tests.pme.factories import (
    DossierFactory,
    DossierTransitionFactory,
    HireFactory,
    PmeContactFactory,
    PmeFactory,
    make_siret,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
SIRET = make_siret(4242)


def text_of(pdf: bytes) -> str:
    """The text of every page on one line: French spaces (narrow and no-break) and line
    breaks read as plain spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    text = " ".join(page.extract_text() for page in reader.pages)
    return re.sub(r"[\s\u202f\u00a0]+", " ", text)


def pages_of(pdf: bytes) -> int:
    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture
def valenciennes():
    return BasinFactory(valenciennes=True)


@pytest.fixture
def heuille(valenciennes):
    epci = EpciFactory(basin=valenciennes, name="CA de la Porte du Hainaut")
    commune = CommuneFactory(
        epci=epci, name="Saint-Amand-les-Eaux", insee_code="59526", postcode="59230"
    )
    return PmeFactory(
        basin=valenciennes,
        commune=commune,
        name="Heuille Mécanique de précision",
        siret=SIRET,
        legal_form=LegalForm.SAS,
        naf_code="25.62B",
        headcount=34,
        founding_date=datetime.date(1987, 5, 4),
    )


@pytest.fixture
def dossier(heuille, valenciennes):
    staff_member = make_user(Role.STAFF, valenciennes)
    staff_member.first_name, staff_member.last_name = "Claire", "Dumont"
    staff_member.save()
    dossier = DossierFactory(
        pme=heuille,
        approved=True,
        decision_date=datetime.date(2007, 3, 15),
        project_summary=(
            "Obtenir la certification ISO 9001 et ouvrir un atelier de rectification pour "
            "l'aéronautique, avec l'appui des experts qualité d'Alstom."
        ),
        needs=[Need.PRODUCTION, Need.HR, Need.QUALITY],
        jobs_planned=13,
        jobs_horizon_months=36,
        advance_requested=Decimal("15000.00"),
        bank_loans=Decimal("349000.00"),
        orientation_source=OrientationSource.EPCI,
        oriented_by_epci=heuille.commune.epci,
        orientation_date=datetime.date(2006, 10, 2),
        staff_member=staff_member,
    )
    for from_state, to_state, day in (
        (DossierState.ORIENTED, DossierState.UNDER_INSTRUCTION, datetime.date(2006, 10, 20)),
        (DossierState.UNDER_INSTRUCTION, DossierState.SUBMITTED, datetime.date(2007, 2, 26)),
        (DossierState.SUBMITTED, DossierState.APPROVED, datetime.date(2007, 3, 15)),
    ):
        DossierTransitionFactory(
            dossier=dossier,
            from_state=from_state,
            to_state=to_state,
            by=staff_member,
            at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))),
        )
    HireFactory.create_batch(2, dossier=dossier)
    PmeContactFactory(
        pme=heuille, name="Jean Secretgérant", email="jean.secret@heuille.test", phone="0327998877"
    )
    attach_document(
        dossier=dossier,
        by=staff_member,
        upload=SimpleUploadedFile("statuts.pdf", PDF),
        kind=DocumentKind.STATUTES,
        title="Statuts à jour",
    )
    return dossier


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_summary_tells_a_committee_member_what_he_needs(dossier):
    text = text_of(build_dossier_pdf(dossier.pk))

    for expected in (
        "Heuille Mécanique de précision",
        f"SIRET {SIRET[:3]} {SIRET[3:6]} {SIRET[6:9]} {SIRET[9:]}",
        "Forme juridique SAS",
        "Code NAF/APE 25.62B",
        "Secteur Industrie",
        "34 salariés",
        "10 à 49 salariés",
        "Saint-Amand-les-Eaux (59230)",
        "Création 04/05/1987",
        "CA de la Porte du Hainaut",
        "Bassin d'emploi Valenciennois",
        "CCI du Valenciennois",
        "Nature Développement",
        "Production, Ressources humaines, Qualité",
        "certification ISO 9001",
        "Emplois prévus",
        "à 36 mois",
        "Embauches réalisées",
        "15 000 €",  # advance requested
        "349 000 €",  # bank loans
        "Intercommunalité : CA de la Porte du Hainaut",
        "Orientée le 02/10/2006",
        "Agréé",
        "décision du comité le 15/03/2007",
        "Claire Dumont",
        "Prochaine action",
        "26/02/2007",
        "Soumis au comité → Agréé",
        "Statuts à jour",
    ):
        assert expected in text, expected
    assert re.search(r"Emplois prévus\s+13\s", text)
    assert re.search(r"Embauches réalisées\s+2\s", text)
    # Amounts are never written the English or the raw way.
    assert "15000" not in text and "15,000" not in text and "349000" not in text


def test_the_dossier_number_is_not_written_as_an_amount(valenciennes):
    dossier = DossierFactory(pk=12345, pme__basin=valenciennes)
    text = text_of(build_dossier_pdf(dossier.pk))
    assert "Dossier n° 12345 ·" in text
    assert "fiche de synthèse du dossier n° 12345 ·" in text
    assert "12 345" not in text


def test_no_personal_data_of_the_contacts(dossier):
    text = text_of(build_dossier_pdf(dossier.pk))
    for secret in ("Secretgérant", "jean.secret@heuille.test", "0327998877", "03 27 99 88 77"):
        assert secret not in text


def test_a_typical_dossier_fits_on_one_page_with_its_footer(dossier):
    pdf = build_dossier_pdf(dossier.pk)

    assert pages_of(pdf) == 1
    text = text_of(pdf)
    assert "Page 1 sur 1" in text
    today = timezone.localdate().strftime("%d/%m/%Y")
    assert f"fiche de synthèse du dossier n° {dossier.pk} · générée le {today} à" in text
    assert "Confidentiel" in text


def fill(dossier, *, summary_length: int, items: int) -> None:
    dossier.project_summary = ("Un projet longuement décrit par l'entreprise. " * 90)[
        :summary_length
    ]
    dossier.save()
    for n in range(items):
        DossierTransitionFactory(dossier=dossier, by=dossier.staff_member)
        attach_document(
            dossier=dossier,
            by=dossier.staff_member,
            upload=SimpleUploadedFile(f"devis-{n}.pdf", PDF),
            title=f"Devis du fournisseur numéro {n:02d}",
        )


def test_a_busy_dossier_still_fits_on_one_page(dossier):
    # A summary of 1 500 characters, a dozen state changes and documents: the lists are cut.
    fill(dossier, summary_length=1500, items=12)

    pdf = build_dossier_pdf(dossier.pk)

    assert pages_of(pdf) == 1
    text = text_of(pdf)
    assert f"et {13 - MAX_LISTED_DOCUMENTS} autres documents" in text
    assert f"{15 - MAX_LISTED_TRANSITIONS} étapes plus anciennes" in text


def test_a_summary_of_the_maximum_length_flows_on_rather_than_being_cut(dossier):
    fill(dossier, summary_length=4000, items=12)

    pdf = build_dossier_pdf(dossier.pk)

    text = text_of(pdf)
    assert pages_of(pdf) == 2
    assert "Page 1 sur 2" in text and "Page 2 sur 2" in text
    assert "Prochaine action" in text
    # All of it, word for word.
    assert dossier.project_summary.strip() in text


def test_the_page_and_its_margin_boxes_use_the_fonts_asked_for(dossier):
    reader = PdfReader(io.BytesIO(build_dossier_pdf(dossier.pk)))
    fonts = {
        str(font.get_object()["/BaseFont"]).split("+")[-1]
        for font in reader.pages[0]["/Resources"]["/Font"].values()
    }
    assert fonts
    assert all(name.startswith("Liberation") for name in fonts), fonts


def test_a_company_name_with_markup_is_printed_as_text(valenciennes):
    dossier = DossierFactory(
        pme__basin=valenciennes,
        pme__name="<script>alert(1)</script> & <b>Fils</b>",
        project_summary='<img src="http://attaquant.test/x.png"> Projet',
    )
    text = text_of(build_dossier_pdf(dossier.pk))
    assert "<script>alert(1)</script> & <b>Fils</b>" in text
    assert '<img src="http://attaquant.test/x.png"> Projet' in text


def test_building_reads_three_queries_however_much_the_dossier_holds(dossier):
    def queries_to_build(pk) -> int:
        with CaptureQueriesContext(connection) as queries:
            build_dossier_pdf(pk)
        return len(queries)

    bare = DossierFactory(pme__basin=dossier.pme.basin)
    assert queries_to_build(bare.pk) == 3
    assert queries_to_build(dossier.pk) == 3
    for n in range(10):
        DossierTransitionFactory(dossier=dossier, by=dossier.staff_member)
        attach_document(
            dossier=dossier,
            by=dossier.staff_member,
            upload=SimpleUploadedFile(f"devis-{n}.pdf", PDF),
        )
        HireFactory(dossier=dossier)
    assert queries_to_build(dossier.pk) == 3


# --- The view ------------------------------------------------------------------------------


def pdf_url(dossier):
    return reverse("pme:dossier_pdf", kwargs={"pk": dossier.pk})


def test_the_view_shows_the_pdf_inline(client, dossier):
    client.force_login(dossier.staff_member)
    response = client.get(pdf_url(dossier))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'inline; filename="dossier-{dossier.pk}-heuille-mecanique-de-precision.pdf"'
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response.content.startswith(b"%PDF-")
    assert "Heuille Mécanique de précision" in text_of(response.content)


@pytest.mark.parametrize(
    ("role", "same_basin", "expected"),
    [
        (Role.STAFF, True, 200),
        (Role.MANAGER, True, 200),
        (Role.ADMIN, False, 200),
        # The steering committee reads its basin's dossiers; the PDF holds no personal data.
        (Role.STEERING, True, 200),
        (Role.STAFF, False, 404),
        (Role.MANAGER, False, 404),
        (Role.STEERING, False, 404),
        (Role.COMMITTEE_MEMBER, True, 404),
        (Role.FUNDER, True, 404),
    ],
)
def test_the_pdf_has_the_dossier_page_visibility(
    client, dossier, valenciennes, role, same_basin, expected
):
    basin = valenciennes if same_basin else BasinFactory()
    client.force_login(make_user(role, basin))
    assert client.get(pdf_url(dossier)).status_code == expected
    assert client.get(reverse("pme:dossier_detail", args=[dossier.pk])).status_code == expected


@pytest.mark.parametrize(("own_territory", "expected"), [(True, 200), (False, 404)])
def test_a_funder_reads_the_pdf_of_its_own_territory_only(
    client, dossier, valenciennes, own_territory, expected
):
    epci = dossier.pme.commune.epci if own_territory else EpciFactory(basin=valenciennes)
    user = make_user(Role.FUNDER)
    user.funder = FunderFactory(basin=valenciennes, epci=epci, kind=Funder.Kind.LOCAL_AUTHORITY)
    user.save()
    client.force_login(user)
    assert client.get(pdf_url(dossier)).status_code == expected


def test_anonymous_visitors_are_sent_to_the_login_page(client, dossier):
    response = client.get(pdf_url(dossier))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_a_user_without_role_gets_a_404(client, dossier):
    client.force_login(UserFactory())
    assert client.get(pdf_url(dossier)).status_code == 404
