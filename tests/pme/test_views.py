"""The screens of SMEs and dossiers: the one creation form, the pages, the edits, the moves
of a dossier, the hires, the work queue, and what each reader may see."""

import datetime
import html
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alize.models import Funder, Role
from pme.models import (
    ONE_OPEN_DOSSIER_MESSAGE,
    Dossier,
    DossierState,
    DossierTransition,
    Hire,
    Need,
    OrientationSource,
    Pme,
    PmeContact,
)
from pme.services import EXISTING_PME_MESSAGE
from tests.alize.factories import CommuneFactory, EpciFactory, FunderFactory
from tests.conftest import make_user
from tests.pme.factories import (
    DossierFactory,
    DossierTransitionFactory,
    HireFactory,
    PmeContactFactory,
    PmeFactory,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60
CREATE_URL = reverse("pme:pme_create")


def text_of(response) -> str:
    """The page with its entities decoded (apostrophes are escaped in HTML)."""
    return html.unescape(response.content.decode())


def words_of(response) -> str:
    """The words a reader sees: no tags, one space between words."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


@pytest.fixture
def commune(basin):
    return CommuneFactory(epci=EpciFactory(basin=basin), name="Saint-Amand-les-Eaux")


@pytest.fixture
def pme(basin, commune):
    return PmeFactory(basin=basin, commune=commune, name="Heuille Mécanique")


@pytest.fixture
def dossier(pme, staff):
    return DossierFactory(pme=pme, staff_member=staff)


def creation_data(commune, **overrides) -> dict:
    data = {
        "pme-siret": "732 829 320 00074",  # typed with spaces
        "pme-name": "Heuille Mécanique de précision",
        "pme-legal_form": "SAS",
        "pme-naf_code": "25.62b",
        "pme-headcount": "23",
        "pme-founding_date": "04/05/1987",
        "pme-address": "12 rue de l'Industrie",
        "pme-commune": commune.pk,
        "dossier-project_summary": "Certification ISO 9001 et nouvelle ligne d'usinage.",
        "dossier-kind": "developpement",
        "dossier-needs": [Need.QUALITY, Need.PRODUCTION],
        "dossier-jobs_planned": "7",
        "dossier-jobs_horizon_months": "24",
        "dossier-advance_requested": "15 000",
        "dossier-bank_loans": "60 000,50",
        "dossier-orientation_source": OrientationSource.SPONTANEOUS,
        "dossier-oriented_by_epci": "",
        "dossier-orientation_partner": "",
        "dossier-orientation_date": "18/09/2006",
        "dossier-staff_member": "",
        "contact-name": "",
        "contact-role": "",
        "contact-email": "",
        "contact-phone": "",
    }
    data.update(overrides)
    return data


def assert_nothing_saved():
    assert not Pme.objects.exists()
    assert not Dossier.objects.exists()
    assert not PmeContact.objects.exists()


# --- The one creation form ----------------------------------------------------------------


def test_one_form_creates_the_sme_its_dossier_and_its_first_contact(staff_client, staff, commune):
    data = creation_data(
        commune,
        **{
            "contact-name": "Jeanne Exemple",
            "contact-role": "Gérante",
            "contact-email": "gerante@heuille.test",
            "contact-phone": "03 27 00 00 00",
        },
    )
    response = staff_client.post(CREATE_URL, data)

    pme = Pme.objects.get()
    dossier = pme.dossiers.get()
    assert response.status_code == 302
    assert response.url == dossier.get_absolute_url()
    assert (pme.siret, pme.siren, pme.naf_code, pme.headcount) == (
        "73282932000074",
        "732829320",
        "25.62B",
        23,
    )
    assert pme.founding_date == datetime.date(1987, 5, 4)
    assert [(c.name, c.role) for c in pme.contacts.all()] == [("Jeanne Exemple", "Gérante")]
    assert dossier.state == DossierState.ORIENTED
    assert dossier.staff_member == staff  # nobody chosen: the person who registers it
    assert dossier.needs == [Need.PRODUCTION, Need.QUALITY]
    assert (dossier.advance_requested, dossier.bank_loans) == (
        Decimal("15000.00"),
        Decimal("60000.50"),
    )
    page = text_of(staff_client.get(response.url))
    assert "L'entreprise et son dossier sont enregistrés." in page
    assert "Heuille Mécanique de précision" in page


def test_one_form_without_a_contact_creates_none(staff_client, commune):
    response = staff_client.post(CREATE_URL, creation_data(commune))
    assert response.status_code == 302
    assert Pme.objects.count() == 1
    assert not PmeContact.objects.exists()


def test_the_form_offers_only_the_user_s_communes_and_colleagues(
    staff_client, basin, other_basin, commune
):
    elsewhere = CommuneFactory(epci=EpciFactory(basin=other_basin), name="Maubeuge")
    colleague = make_user(Role.STAFF, basin)
    stranger = make_user(Role.STAFF, other_basin)
    page = text_of(staff_client.get(CREATE_URL))
    assert commune.name in page and elsewhere.name not in page
    assert str(colleague) in page and str(stranger) not in page


def test_a_contact_without_a_name_is_refused(staff_client, commune):
    response = staff_client.post(
        CREATE_URL, creation_data(commune, **{"contact-email": "gerante@heuille.test"})
    )
    assert response.status_code == 200
    assert "Indiquez le nom du contact" in text_of(response)
    assert_nothing_saved()


def test_a_known_siret_opens_the_dossier_on_the_existing_company(staff_client, basin, commune):
    existing = PmeFactory(basin=basin, commune=commune, siret="73282932000074", name="Heuille")
    DossierFactory(pme=existing, closed=True)
    # The company fields may stay empty: they are the existing record's.
    data = creation_data(commune, **{"pme-name": "", "pme-headcount": "", "pme-address": ""})
    data["contact-name"] = "Paul Exemple"

    response = staff_client.post(CREATE_URL, data)

    assert response.status_code == 302
    assert Pme.objects.count() == 1
    assert existing.dossiers.count() == 2
    existing.refresh_from_db()
    assert existing.name == "Heuille"
    assert not existing.contacts.exists()
    page = text_of(staff_client.get(response.url))
    assert EXISTING_PME_MESSAGE in page
    assert "Le contact saisi n'a pas été ajouté" in page


def test_a_known_siret_with_an_open_dossier_is_refused(staff_client, basin, commune):
    existing = PmeFactory(basin=basin, commune=commune, siret="73282932000074")
    DossierFactory(pme=existing)
    response = staff_client.post(CREATE_URL, creation_data(commune))
    assert response.status_code == 200
    page = text_of(response)
    assert ONE_OPEN_DOSSIER_MESSAGE in page
    # The look-up says so next to the SIRET too, with a link to the open dossier.
    assert "Cette entreprise existe déjà" in page
    assert existing.dossiers.count() == 1


def test_a_siret_known_in_another_basin_is_refused_without_naming_it(
    staff_client, other_basin, commune
):
    PmeFactory(basin=other_basin, siret="73282932000074", name="Secret Industries")
    response = staff_client.post(CREATE_URL, creation_data(commune))
    assert response.status_code == 200
    page = text_of(response)
    assert "relève d'un autre bassin" in page
    assert "Secret Industries" not in page
    assert Pme.objects.count() == 1 and not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pme-siret", "732 829 320 00075", "Ce SIRET n'existe pas : sa clé de contrôle est fausse"),
        ("pme-siret", "12345", "Le SIRET doit compter 14 chiffres."),
        ("pme-headcount", "-1", "L'effectif ne peut pas être négatif."),
        ("pme-headcount", "250", "Une entreprise de 250 salariés ou plus n'est pas une PME."),
        ("pme-naf_code", "25.62", "Le code NAF/APE s'écrit comme 25.62B"),
        ("dossier-jobs_planned", "-3", "Le nombre d'emplois prévus ne peut pas être négatif."),
        ("dossier-advance_requested", "1e6", "Saisissez un montant en euros"),
        ("dossier-advance_requested", "abc", "Saisissez un montant en euros"),
        ("dossier-bank_loans", "-5", "Un montant ne peut pas être négatif."),
        ("dossier-needs", [], "Indiquez au moins un besoin."),
        ("dossier-orientation_source", OrientationSource.EPCI, "Indiquez l'intercommunalité"),
        (
            "dossier-orientation_source",
            OrientationSource.PARTNER_NETWORK,
            "Indiquez le partenaire qui a orienté la PME.",
        ),
        ("contact-email", "pas-une-adresse", "Saisissez une adresse de courriel valide."),
    ],
)
def test_bad_input_is_refused_in_french_and_saves_nothing(
    staff_client, commune, field, value, message
):
    data = creation_data(commune, **{field: value})
    if field.startswith("contact-"):
        data["contact-name"] = "Jeanne Exemple"

    response = staff_client.post(CREATE_URL, data)

    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert "L'enregistrement n'a pas été fait" in page
    assert_nothing_saved()


def test_an_intercommunality_of_another_basin_is_not_offered(staff_client, commune, other_basin):
    elsewhere = EpciFactory(basin=other_basin)
    data = creation_data(
        commune,
        **{
            "dossier-orientation_source": OrientationSource.EPCI,
            "dossier-oriented_by_epci": elsewhere.pk,
        },
    )
    response = staff_client.post(CREATE_URL, data)
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in text_of(response)
    assert_nothing_saved()


def test_a_company_name_with_markup_is_escaped(staff_client, commune):
    name = "<script>alert('x')</script> SARL"
    response = staff_client.post(CREATE_URL, creation_data(commune, **{"pme-name": name}))
    assert response.status_code == 302
    pme = Pme.objects.get()
    assert pme.name == name
    for url in (
        pme.get_absolute_url(),
        response.url,
        reverse("pme:pme_list"),
        reverse("pme:dossier_list"),
        reverse("pme:work_queue"),
    ):
        raw = staff_client.get(url).content.decode()
        assert "&lt;script&gt;alert(" in raw, url
        assert "<script>alert(" not in raw, url


# --- The SIRET look-up ---------------------------------------------------------------------


def lookup(client, siret: str) -> str:
    response = client.get(reverse("pme:siret_lookup"), {"pme-siret": siret})
    assert response.status_code == 200
    return text_of(response)


def test_lookup_offers_the_existing_company(staff_client, pme):
    spaced = f"{pme.siret[:3]} {pme.siret[3:6]} {pme.siret[6:9]} {pme.siret[9:]}"
    page = lookup(staff_client, spaced)
    assert "Cette entreprise existe déjà" in page
    assert f'href="{pme.get_absolute_url()}"' in page
    assert pme.name in page
    assert "inutile de remplir les champs de l'entreprise" in page


def test_lookup_points_to_the_open_dossier(staff_client, dossier):
    page = lookup(staff_client, dossier.pme.siret)
    assert f'href="{dossier.get_absolute_url()}"' in page


def test_lookup_of_a_company_of_another_basin_names_nothing(staff_client, other_basin):
    theirs = PmeFactory(basin=other_basin, name="Secret Industries")
    page = lookup(staff_client, theirs.siret)
    assert "déjà suivie dans un autre bassin" in page
    assert "Secret Industries" not in page and "href" not in page


def test_lookup_of_a_wrong_key_says_so(staff_client):
    assert "clé de contrôle est fausse" in lookup(staff_client, "732 829 320 00075")


@pytest.mark.parametrize("siret", ["", "7328", "73282932000074", "a" * 5000])
def test_lookup_of_an_unknown_or_incomplete_siret_says_nothing(staff_client, siret):
    assert "alert" not in lookup(staff_client, siret)


def test_lookup_of_a_siret_with_a_nul_byte_is_refused(staff_client):
    # A 400 (control characters are refused before any view): htmx swaps nothing in.
    response = staff_client.get(reverse("pme:siret_lookup"), {"siret": "7328\x00"})
    assert response.status_code == 400


def test_the_siret_field_asks_the_lookup(staff_client):
    page = staff_client.get(CREATE_URL).content.decode()
    assert f'hx-get="{reverse("pme:siret_lookup")}"' in page
    assert 'hx-target="#siret-connu"' in page
    assert 'id="siret-connu"' in page


# --- Editing an SME and its contacts ------------------------------------------------------


def pme_data(pme, **overrides) -> dict:
    data = {
        "name": pme.name,
        "siret": pme.siret,
        "legal_form": pme.legal_form,
        "naf_code": pme.naf_code,
        "headcount": pme.headcount,
        "founding_date": "",
        "address": pme.address,
        "commune": pme.commune_id,
    }
    data.update(overrides)
    return data


def test_edit_the_sme(staff_client, pme):
    response = staff_client.post(
        reverse("pme:pme_update", args=[pme.pk]), pme_data(pme, headcount="60")
    )
    assert response.status_code == 302 and response.url == pme.get_absolute_url()
    pme.refresh_from_db()
    assert (pme.headcount, pme.size_band) == (60, "50_249")
    page = text_of(staff_client.get(response.url))
    assert "La fiche de l'entreprise est enregistrée." in page
    assert "50 à 249 salariés" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("headcount", "250", "Une entreprise de 250 salariés ou plus n'est pas une PME."),
        ("siret", "732 829 320 00075", "clé de contrôle est fausse"),
    ],
)
def test_bad_sme_edit_changes_nothing(staff_client, pme, field, value, message):
    response = staff_client.post(
        reverse("pme:pme_update", args=[pme.pk]), pme_data(pme, **{field: value})
    )
    assert response.status_code == 200
    assert message in text_of(response)
    before = pme.headcount, pme.siret
    pme.refresh_from_db()
    assert (pme.headcount, pme.siret) == before


def test_a_siret_taken_by_another_sme_is_refused(staff_client, basin, pme):
    other = PmeFactory(basin=basin)
    response = staff_client.post(
        reverse("pme:pme_update", args=[pme.pk]), pme_data(pme, siret=other.siret)
    )
    assert response.status_code == 200
    assert "une PME porte déjà ce SIRET" in text_of(response)


def test_add_edit_and_remove_a_contact(staff_client, pme):
    response = staff_client.post(
        reverse("pme:contact_create", args=[pme.pk]),
        {"name": "Jeanne Exemple", "role": "Gérante", "email": "", "phone": "03 27 51 31 31"},
    )
    assert response.status_code == 302 and response.url == pme.get_absolute_url()
    contact = pme.contacts.get()
    assert contact.phone == "03 27 51 31 31"

    response = staff_client.post(
        reverse("pme:contact_update", args=[contact.pk]),
        {"name": "Jeanne Exemple", "role": "Directrice", "email": "j@heuille.test", "phone": ""},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert (contact.role, contact.email) == ("Directrice", "j@heuille.test")

    confirm = staff_client.get(reverse("pme:contact_delete", args=[contact.pk]))
    assert "Supprimer le contact « Jeanne Exemple »" in text_of(confirm)
    response = staff_client.post(reverse("pme:contact_delete", args=[contact.pk]))
    assert response.status_code == 302
    assert not pme.contacts.exists()
    assert "Le contact « Jeanne Exemple » est supprimé." in text_of(staff_client.get(response.url))


def test_a_contact_with_a_bad_phone_is_refused(staff_client, pme):
    response = staff_client.post(
        reverse("pme:contact_create", args=[pme.pk]), {"name": "Jeanne", "phone": "abc"}
    )
    assert response.status_code == 200
    assert "Saisissez un numéro de téléphone" in text_of(response)
    assert not pme.contacts.exists()


# --- Dossiers: edit, open a new one ---------------------------------------------------------


def dossier_data(dossier, **overrides) -> dict:
    data = {
        "project_summary": dossier.project_summary,
        "kind": dossier.kind,
        "needs": dossier.needs,
        "jobs_planned": dossier.jobs_planned,
        "jobs_horizon_months": dossier.jobs_horizon_months,
        "advance_requested": "15 000",
        "bank_loans": "0",
        "orientation_source": dossier.orientation_source,
        "oriented_by_epci": "",
        "orientation_partner": "",
        "orientation_date": dossier.orientation_date.isoformat(),
        "staff_member": dossier.staff_member_id or "",
    }
    data.update(overrides)
    return data


def test_edit_a_dossier(staff_client, dossier):
    response = staff_client.post(
        reverse("pme:dossier_update", args=[dossier.pk]),
        dossier_data(dossier, jobs_planned="12", advance_requested="12 500,50"),
    )
    assert response.status_code == 302 and response.url == dossier.get_absolute_url()
    dossier.refresh_from_db()
    assert dossier.jobs_planned == 12
    assert dossier.advance_requested == Decimal("12500.50")
    assert dossier.state == DossierState.ORIENTED


def test_the_dossier_form_shows_amounts_in_french(staff_client, dossier):
    page = staff_client.get(reverse("pme:dossier_update", args=[dossier.pk])).content.decode()
    assert 'value="15 000,00"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("jobs_planned", "-3", "Le nombre d'emplois prévus ne peut pas être négatif."),
        ("advance_requested", "1e6", "Saisissez un montant en euros"),
        ("orientation_date", "2999-01-01", "La date d'orientation ne peut pas être dans le futur."),
    ],
)
def test_bad_dossier_edit_changes_nothing(staff_client, dossier, field, value, message):
    response = staff_client.post(
        reverse("pme:dossier_update", args=[dossier.pk]),
        dossier_data(dossier, **{field: value}),
    )
    assert response.status_code == 200
    assert message in text_of(response)
    dossier.refresh_from_db()
    assert dossier.jobs_planned == 7


def test_a_finished_dossier_is_not_edited(staff_client, pme):
    closed = DossierFactory(pme=pme, closed=True)
    response = staff_client.get(reverse("pme:dossier_update", args=[closed.pk]))
    assert response.status_code == 302 and response.url == closed.get_absolute_url()
    assert "ne se modifie plus" in text_of(staff_client.get(response.url))
    response = staff_client.post(
        reverse("pme:dossier_update", args=[closed.pk]), dossier_data(closed, jobs_planned="9")
    )
    assert response.status_code == 200
    assert "ne se modifie plus" in text_of(response)
    closed.refresh_from_db()
    assert closed.jobs_planned == 7


def test_open_a_new_dossier_for_a_known_company(staff_client, staff, pme):
    old = DossierFactory(pme=pme, closed=True)
    response = staff_client.post(
        reverse("pme:dossier_create", args=[pme.pk]),
        dossier_data(old, staff_member="", orientation_date="2010-01-04"),
    )
    assert response.status_code == 302
    new = pme.dossiers.exclude(pk=old.pk).get()
    assert response.url == new.get_absolute_url()
    assert (new.state, new.staff_member, new.orientation_date) == (
        DossierState.ORIENTED,
        staff,
        datetime.date(2010, 1, 4),
    )


def test_a_second_open_dossier_is_refused(staff_client, dossier):
    url = reverse("pme:dossier_create", args=[dossier.pme.pk])
    assert "a déjà un dossier en cours" in text_of(staff_client.get(url))
    response = staff_client.post(url, dossier_data(dossier))
    assert response.status_code == 200
    assert ONE_OPEN_DOSSIER_MESSAGE in text_of(response)
    assert Dossier.objects.count() == 1


# --- The dossier page -------------------------------------------------------------------------


def test_the_dossier_page_reads_on_one_page(staff_client, basin, staff):
    epci = EpciFactory(basin=basin, name="CA de la Porte du Hainaut")
    commune = CommuneFactory(epci=epci, name="Saint-Amand-les-Eaux")
    pme = PmeFactory(basin=basin, commune=commune, name="Heuille", headcount=23)
    dossier = DossierFactory(
        pme=pme,
        staff_member=staff,
        oriented_by_intercommunality=True,
        jobs_planned=7,
        jobs_horizon_months=24,
        advance_requested=Decimal("15000"),
        bank_loans=Decimal("60000"),
        state_changed_at=timezone.now() - datetime.timedelta(days=12),
    )
    page = text_of(staff_client.get(dossier.get_absolute_url()))
    for expected in (
        f"Dossier n° {dossier.pk} – Heuille",
        pme.siret,
        "10 à 49 salariés",
        "Industrie".lower(),
        f"Saint-Amand-les-Eaux → CA de la Porte du Hainaut → bassin {basin.name}",
        "Développement",
        "Production, Qualité",
        "7 à 24 mois",
        "15\u202f000\u00a0€",
        "60\u202f000\u00a0€",
        "Intercommunalité : CA de la Porte du Hainaut, le 02/10/2006",
        str(staff),
        "Orienté",
        "12 jours",
        "Prendre contact avec l'entreprise et commencer l'instruction.",
    ):
        assert expected in page, expected


def test_the_dossier_page_lists_the_jobs_and_the_hires(staff_client, pme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = DossierFactory(pme=pme, approved=True, jobs_planned=7)
    HireFactory(dossier=dossier, job_title="Tourneur", hire_date=datetime.date(2007, 9, 3))
    hire = HireFactory(
        dossier=dossier, job_title="Fraiseur", evidence=SimpleUploadedFile("preuve.pdf", PDF)
    )
    page = words_of(staff_client.get(dossier.get_absolute_url()))
    assert "7 emplois prévus à 36 mois ; 2 embauches réalisées" in page
    assert "Tourneur" in page and "Fraiseur" in page
    raw = staff_client.get(dossier.get_absolute_url()).content.decode()
    assert f'href="{reverse("pme:hire_evidence", args=[hire.pk])}"' in raw
    assert "Enregistrer une embauche" in page


def test_the_dossier_page_says_why_no_hire_yet(staff_client, dossier):
    page = text_of(staff_client.get(dossier.get_absolute_url()))
    assert "On n'enregistre une embauche que sur un dossier agréé" in page
    assert 'name="hire_date"' not in page


def test_the_dossier_page_shows_the_timeline(staff_client, staff, pme):
    dossier = DossierFactory(pme=pme, under_instruction=True)
    DossierTransitionFactory(dossier=dossier, by=staff, comment="Premier rendez-vous fait.")
    page = words_of(staff_client.get(dossier.get_absolute_url()))
    assert "Orienté → En instruction" in page
    assert "« Premier rendez-vous fait. »" in page
    assert "Historique des modifications" in page


def test_the_pdf_link_shows(staff_client, dossier):
    pdf_url = reverse("pme:dossier_pdf", args=[dossier.pk])
    page = staff_client.get(dossier.get_absolute_url()).content.decode()
    assert f'href="{pdf_url}"' in page


# --- Moving a dossier -------------------------------------------------------------------------


def transition_url(dossier) -> str:
    return reverse("pme:dossier_transition", args=[dossier.pk])


def buttons(page: str) -> list[str]:
    return re.findall(r'<button type="submit" name="transition" value="(\w+)"', page)


def test_staff_see_the_moves_they_may_make(staff_client, dossier):
    page = staff_client.get(dossier.get_absolute_url()).content.decode()
    assert buttons(page) == ["start_instruction", "withdraw"]
    assert f'hx-post="{transition_url(dossier)}"' in page
    assert 'hx-target="#etat-dossier"' in page
    assert 'name="expected_state" value="oriente"' in page


def test_nobody_sees_the_committee_decisions_on_the_dossier_page(
    client, basin, staff, manager, pme
):
    submitted = DossierFactory(pme=pme, submitted=True)
    for user in (staff, manager):
        client.force_login(user)
        page = client.get(submitted.get_absolute_url()).content.decode()
        assert buttons(page) == ["withdraw"]
        assert 'name="decision_date"' not in page
        assert "La décision appartient au comité d'agrément" in html.unescape(page)


@pytest.mark.parametrize("role", [Role.STEERING, Role.ADMIN])
def test_readers_see_no_move(client, basin, dossier, role):
    client.force_login(make_user(role, basin))
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert buttons(page) == []
    assert "Prendre contact avec l'entreprise" in html.unescape(page)


def test_a_move_without_javascript_redirects_with_a_message(staff_client, staff, dossier):
    response = staff_client.post(
        transition_url(dossier),
        {
            "transition": "start_instruction",
            "expected_state": "oriente",
            "comment": "Rendez-vous pris.",
        },
    )
    assert response.status_code == 302 and response.url == dossier.get_absolute_url()
    dossier.refresh_from_db()
    assert dossier.state == DossierState.UNDER_INSTRUCTION
    log = dossier.transitions.get()
    assert (log.by, log.comment, log.from_state) == (staff, "Rendez-vous pris.", "oriente")
    page = text_of(staff_client.get(response.url))
    assert "Le dossier est désormais « En instruction »." in page


def test_a_move_with_htmx_answers_the_state_panel(staff_client, dossier):
    response = staff_client.post(
        transition_url(dossier),
        {"transition": "start_instruction", "expected_state": "oriente"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    page = text_of(response)
    assert page.lstrip().startswith('<section id="etat-dossier"')
    assert "<html" not in page
    assert "Le dossier est désormais « En instruction »." in page
    assert buttons(page) == ["submit", "withdraw"]
    assert 'name="expected_state" value="en_instruction"' in page


@pytest.mark.parametrize("name", ["approve", "defer", "reject"])
def test_a_manager_cannot_decide_a_dossier_from_its_page(manager_client, pme, name):
    submitted = DossierFactory(pme=pme, submitted=True)
    response = manager_client.post(
        transition_url(submitted),
        {"transition": name, "expected_state": "soumis_comite"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Seul le comité d'agrément décide d'un dossier" in text_of(response)
    submitted.refresh_from_db()
    assert (submitted.state, submitted.decision_date) == (DossierState.SUBMITTED, None)
    assert not submitted.transitions.exists()


def test_two_staff_making_the_same_move_one_wins_the_other_is_told(client, basin, dossier):
    first, second = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    # Both saw the dossier "oriented" and press the same button.
    data = {"transition": "start_instruction", "expected_state": "oriente"}
    client.force_login(first)
    assert client.post(transition_url(dossier), data).status_code == 302
    client.force_login(second)

    response = client.post(transition_url(dossier), data, HTTP_HX_REQUEST="true")

    assert response.status_code == 200
    assert (
        "Ce dossier a changé d'état entre-temps : il est désormais « En instruction ». "
        "Rechargez la page." in text_of(response)
    )
    assert DossierTransition.objects.filter(dossier=dossier).count() == 1
    # Without JavaScript, the same message after the redirect.
    response = client.post(transition_url(dossier), data)
    assert response.status_code == 302
    assert "a changé d'état entre-temps" in text_of(client.get(response.url))
    assert DossierTransition.objects.filter(dossier=dossier).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"transition": "approve", "expected_state": "oriente"},
            "Un dossier « Orienté » ne peut pas passer à l'état « Agréé ».",
        ),
        (
            {"transition": "close", "expected_state": "oriente"},
            "Un dossier « Orienté » ne peut pas passer à l'état « Clôturé ».",
        ),
        (
            {"transition": "teleport", "expected_state": "oriente"},
            "Ce changement d'état n'est pas reconnu : rechargez la page.",
        ),
        (
            {"transition": "start_instruction", "expected_state": "xyz"},
            "Ce changement d'état n'est pas reconnu : rechargez la page.",
        ),
        (
            {"transition": "start_instruction", "expected_state": "oriente", "comment": "x" * 2001},
            "Commentaire (facultatif)",
        ),
    ],
)
def test_an_illegal_move_is_refused_in_french(staff_client, dossier, data, message):
    response = staff_client.post(transition_url(dossier), data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    assert 'role="alert"' in page
    dossier.refresh_from_db()
    assert dossier.state == DossierState.ORIENTED
    assert not dossier.transitions.exists()


def test_a_staff_member_cannot_record_a_committee_decision(staff_client, pme):
    submitted = DossierFactory(pme=pme, submitted=True)
    response = staff_client.post(
        transition_url(submitted),
        {"transition": "approve", "expected_state": "soumis_comite"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    assert "Seul le comité d'agrément décide d'un dossier" in text_of(response)
    submitted.refresh_from_db()
    assert submitted.state == DossierState.SUBMITTED


# --- Hires ----------------------------------------------------------------------------------


def test_record_a_hire_with_its_evidence(staff_client, pme, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    approved = DossierFactory(pme=pme, approved=True)
    response = staff_client.post(
        reverse("pme:hire_create", args=[approved.pk]),
        {
            "hire_date": "03/09/2007",
            "contract": "cdi",
            "job_title": "Technicienne qualité",
            "evidence": SimpleUploadedFile("contrat.pdf", PDF),
        },
    )
    assert response.status_code == 302 and response.url == approved.get_absolute_url()
    hire = approved.hires.get()
    assert (hire.hire_date, hire.contract) == (datetime.date(2007, 9, 3), "cdi")
    assert "L'embauche est enregistrée." in text_of(staff_client.get(response.url))

    download = staff_client.get(reverse("pme:hire_evidence", args=[hire.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"hire_date": "2999-01-01", "contract": "cdi"}, "date dans le futur"),
        ({"hire_date": "2006-01-01", "contract": "cdi"}, "précède l'orientation"),
        ({"hire_date": "2007-09-03", "contract": "stage"}, "Sélectionnez un choix valide"),
        (
            {"hire_date": "2007-09-03", "contract": "cdi", "evidence": "virus.pdf"},
            "Le justificatif doit être un PDF",
        ),
    ],
)
def test_bad_hires_are_refused(staff_client, pme, settings, tmp_path, data, message):
    settings.MEDIA_ROOT = tmp_path
    approved = DossierFactory(pme=pme, approved=True)
    if data.get("evidence"):
        data = {**data, "evidence": SimpleUploadedFile(data["evidence"], EXE)}
    response = staff_client.post(reverse("pme:hire_create", args=[approved.pk]), data)
    assert response.status_code == 200
    assert message in text_of(response)
    assert not Hire.objects.exists()
    assert not list(tmp_path.rglob("*.*"))


def test_no_hire_on_a_dossier_not_yet_approved(staff_client, dossier):
    url = reverse("pme:hire_create", args=[dossier.pk])
    assert "On n'enregistre une embauche que sur un dossier agréé" in text_of(staff_client.get(url))
    response = staff_client.post(url, {"hire_date": "2007-09-03", "contract": "cdi"})
    assert response.status_code == 200
    assert "On n'enregistre une embauche que sur un dossier agréé" in text_of(response)
    assert not Hire.objects.exists()


# --- The work queue -------------------------------------------------------------------------


def queue_names(page: str, heading: str) -> list[str]:
    section = page.split(heading, 1)[1].split("</section>", 1)[0]
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a>', section)


def test_the_work_queue_lists_my_open_dossiers_longest_waiting_first(staff_client, basin, staff):
    now = timezone.now()
    for name, days, traits in [
        ("Récente", 2, {}),
        ("Ancienne", 40, {"under_instruction": True, "advance_requested": 0}),
        ("Moyenne", 10, {"approved": True}),
        ("Close", 90, {"closed": True}),
    ]:
        DossierFactory(
            pme=PmeFactory(basin=basin, name=name),
            staff_member=staff,
            state_changed_at=now - datetime.timedelta(days=days),
            **traits,
        )
    DossierFactory(pme=PmeFactory(basin=basin, name="D'un collègue"))
    response = staff_client.get(reverse("pme:work_queue"))
    page = text_of(response)
    assert queue_names(page, "Dossiers dont vous êtes chargé(e)") == [
        "Ancienne",
        "Moyenne",
        "Récente",
    ]
    assert "40 jours" in page
    assert "Compléter le dossier et le soumettre au comité d'agrément." in page
    assert "en attente d'une décision du comité" not in page


def test_managers_also_see_the_dossiers_awaiting_the_committee(manager_client, basin, other_basin):
    now = timezone.now()
    DossierFactory(
        pme=PmeFactory(basin=basin, name="Soumise hier"),
        submitted=True,
        state_changed_at=now - datetime.timedelta(days=1),
    )
    DossierFactory(
        pme=PmeFactory(basin=basin, name="Soumise il y a un mois"),
        submitted=True,
        state_changed_at=now - datetime.timedelta(days=30),
    )
    DossierFactory(pme=PmeFactory(basin=other_basin, name="Autre bassin"), submitted=True)
    DossierFactory(pme=PmeFactory(basin=basin, name="En instruction"), under_instruction=True)
    page = text_of(manager_client.get(reverse("pme:work_queue")))
    assert queue_names(page, "en attente d'une décision du comité d'agrément") == [
        "Soumise il y a un mois",
        "Soumise hier",
    ]


# --- Who sees what ------------------------------------------------------------------------------


@pytest.fixture
def contact(pme):
    return PmeContactFactory(
        pme=pme, name="Jeanne Confidentielle", email="jeanne@heuille.test", phone="06 12 34 56 78"
    )


def funder_of(epci) -> object:
    user = make_user(Role.FUNDER, epci.basin)
    user.funder = FunderFactory(basin=epci.basin, kind=Funder.Kind.LOCAL_AUTHORITY, epci=epci)
    user.save()
    return user


def test_operators_see_the_contacts(staff_client, dossier, contact):
    for url in (dossier.pme.get_absolute_url(), dossier.get_absolute_url()):
        page = text_of(staff_client.get(url))
        assert "Jeanne Confidentielle" in page and "06 12 34 56 78" in page


@pytest.mark.parametrize("reader", ["steering", "funder"])
def test_steering_and_funders_read_the_dossier_without_personal_data(
    client, basin, dossier, contact, reader
):
    user = make_user(Role.STEERING, basin) if reader == "steering" else funder_of(dossier.pme.epci)
    client.force_login(user)
    for url in (dossier.pme.get_absolute_url(), dossier.get_absolute_url()):
        response = client.get(url)
        assert response.status_code == 200, url
        page = text_of(response)
        assert dossier.pme.name in page
        for personal in ("Jeanne Confidentielle", "jeanne@heuille.test", "06 12 34 56 78"):
            assert personal not in page, (url, personal)
        assert "Ajouter un contact" not in page and "Modifier" not in page
    for name in ("pme:pme_export_csv", "pme:dossier_export_csv"):
        assert "Jeanne" not in client.get(reverse(name)).content.decode("utf-8-sig")


@pytest.mark.parametrize("role", [Role.STEERING, Role.FUNDER])
def test_hire_evidence_is_for_operators_only(client, basin, pme, settings, tmp_path, role):
    settings.MEDIA_ROOT = tmp_path
    hire = HireFactory(
        dossier=DossierFactory(pme=pme, approved=True),
        evidence=SimpleUploadedFile("contrat.pdf", PDF),
    )
    evidence_url = reverse("pme:hire_evidence", args=[hire.pk])
    client.force_login(make_user(role, basin) if role == Role.STEERING else funder_of(pme.epci))
    page = client.get(hire.dossier.get_absolute_url()).content.decode()
    assert "Joint" in page and evidence_url not in page
    assert client.get(evidence_url).status_code == 404


def test_a_funder_reads_only_its_own_territory(client, basin, pme):
    neighbour = PmeFactory(basin=basin, name="Voisine SA")  # same basin, another EPCI
    theirs = DossierFactory(pme=neighbour)
    DossierFactory(pme=pme)
    client.force_login(funder_of(pme.epci))
    page = text_of(client.get(reverse("pme:pme_list")))
    assert pme.name in page and "Voisine SA" not in page
    assert "Voisine SA" not in text_of(client.get(reverse("pme:dossier_list")))
    assert client.get(neighbour.get_absolute_url()).status_code == 404
    assert client.get(theirs.get_absolute_url()).status_code == 404


def test_a_funder_without_a_territory_reads_no_sme(client, basin, pme):
    user = make_user(Role.FUNDER, basin)
    user.funder = FunderFactory(basin=basin, kind=Funder.Kind.STATE)
    user.save()
    client.force_login(user)
    response = client.get(reverse("pme:pme_list"))
    assert response.status_code == 200
    assert pme.name not in text_of(response)
    assert client.get(pme.get_absolute_url()).status_code == 404


def test_a_committee_member_reads_no_sme_yet(client, basin, dossier):
    client.force_login(make_user(Role.COMMITTEE_MEMBER, basin))
    assert client.get(reverse("pme:pme_list")).status_code == 404
    assert client.get(dossier.get_absolute_url()).status_code == 404


def test_navigation_offers_the_pages_each_role_may_open(client, basin):
    client.force_login(make_user(Role.STAFF, basin))
    page = client.get(reverse("home")).content.decode()
    for name in ("pme:work_queue", "pme:pme_list", "pme:dossier_list", "pme:pme_create"):
        assert f'href="{reverse(name)}"' in page
    client.force_login(make_user(Role.STEERING, basin))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("pme:pme_list")}"' in page
    assert f'href="{reverse("pme:work_queue")}"' not in page
    client.force_login(make_user(Role.COMMITTEE_MEMBER, basin))
    page = client.get(reverse("home")).content.decode()
    assert f'href="{reverse("pme:pme_list")}"' not in page


def test_dossier_numbers_are_not_grouped_like_amounts(staff_client, pme, staff):
    DossierFactory(pme=pme, staff_member=staff, id=2900)
    html = staff_client.get(reverse("pme:dossier_detail", args=[2900])).content.decode()
    assert "Dossier n° 2900" in html
    assert "n° 2\u202f900" not in html


def test_a_nul_byte_in_the_siret_is_refused_in_french_before_the_database(staff_client, commune):
    response = staff_client.post(CREATE_URL, creation_data(commune, **{"pme-siret": "7328\x00"}))

    assert response.status_code == 400
    assert "caractère de contrôle invisible" in text_of(response)
    assert_nothing_saved()


def test_a_siret_that_is_not_fourteen_digits_is_not_looked_up(django_assert_num_queries):
    # The creation form looks the SIRET up before validating it: nothing odd reaches SQL.
    with django_assert_num_queries(0):
        for typed in ("7328\x00", "١٢٣٤٥٦٧٨٩٠١٢٣٤", "' OR 1=1 --", "9" * 15):
            assert Pme.objects.find_by_siret(typed) is None
