"""The de minimis declarations screen of an SME, its service's checks, and the dossier's
next action while the declaration is missing."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from alize.formatting import euros
from alize.models import Role
from avances.models import DeMinimisAid, DeMinimisDeclaration, Regulation
from avances.services import record_de_minimis_declaration
from pme.workflow import DE_MINIMIS_NEXT_ACTION, NEXT_ACTIONS, DossierState
from tests.avances.factories import AdvanceFactory, DeMinimisDeclarationFactory
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def staff(basin):
    return make_user(Role.STAFF, basin)


@pytest.fixture
def dossier(basin):
    return DossierFactory(
        under_instruction=True, pme__basin=basin, advance_requested=Decimal("15000")
    )


def today():
    return timezone.localdate()


def ago(days):
    return today() - datetime.timedelta(days=days)


def signed(name="declaration.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def url(pme):
    return reverse("avances:deminimis", args=[pme.pk])


def post_data(*aids, declared_on=None, signatory="Marc Heuille, gérant"):
    data = {
        "declaration-declared_on": (declared_on or today()).isoformat(),
        "declaration-signatory": signatory,
        "aides-TOTAL_FORMS": str(max(len(aids), 1)),
        "aides-INITIAL_FORMS": "0",
        "aides-MIN_NUM_FORMS": "0",
        "aides-MAX_NUM_FORMS": "50",
    }
    for i, aid in enumerate(aids):
        for key, value in aid.items():
            data[f"aides-{i}-{key}"] = value
        data.setdefault(f"aides-{i}-regulation", Regulation.GENERAL)
    if not aids:
        data["aides-0-regulation"] = Regulation.GENERAL
    return data


def aid(amount="20 000", granted_on=None, grantor="Région Hauts-de-France"):
    return {
        "grantor": grantor,
        "granted_on": (granted_on or ago(200)).isoformat(),
        "amount": amount,
        "regulation": Regulation.GENERAL,
        "description": "Aide au conseil",
    }


def submit(client, pme, data, upload=True):
    if upload:
        data = {**data, "declaration-signed_declaration": signed()}
    return client.post(url(pme), data)


def errors_of(response) -> str:
    return response.content.decode()


# --- The screen -------------------------------------------------------------------------------


def test_staff_record_a_declaration_with_its_signed_form(client, staff, dossier):
    client.force_login(staff)
    page = client.get(url(dossier.pme))
    assert page.status_code == 200
    assert "Déclaration de minimis : à recueillir" in page.content.decode()

    response = submit(
        client,
        dossier.pme,
        post_data(aid("20 000,50"), aid("5 000", grantor="Département du Nord")),
    )

    assert response.status_code == 302
    declaration = DeMinimisDeclaration.objects.get(pme=dossier.pme)
    assert declaration.signatory == "Marc Heuille, gérant"
    assert declaration.recorded_by == staff
    assert sorted(a.amount for a in declaration.aids.all()) == [
        Decimal("5000.00"),
        Decimal("20000.50"),
    ]
    assert declaration.signed_declaration.name.startswith("avances/de-minimis/")
    page = client.get(url(dossier.pme)).content.decode()
    # 300,000 − 25,000.50 still available today.
    assert euros(Decimal("274999.50"), 2) in page
    assert "Département du Nord" in page
    download = client.get(reverse("avances:deminimis_signed", args=[declaration.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF


def test_a_declaration_of_no_aid(client, staff, dossier):
    client.force_login(staff)
    response = submit(client, dossier.pme, post_data())
    assert response.status_code == 302
    assert DeMinimisDeclaration.objects.get(pme=dossier.pme).aids.count() == 0


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (aid("-100"), "Un montant ne peut pas être négatif."),
        (aid("0"), "Le montant de l&#x27;aide doit être positif."),
        (aid("300 000,01"), "au-delà du plafond de"),
        (aid(granted_on=today() + datetime.timedelta(days=3)), "postérieure à la déclaration"),
        (aid(granted_on=ago(4 * 366)), "elle précède les trois années"),
        ({"grantor": "Région", "granted_on": ago(10).isoformat()}, "Indiquez le montant"),
    ],
    ids=["negative", "zero", "above-ceiling", "future", "outside-window", "no-amount"],
)
def test_bad_input_saves_nothing(client, staff, dossier, line, message):
    client.force_login(staff)
    response = submit(client, dossier.pme, post_data(line))
    assert response.status_code == 200
    assert message in errors_of(response)
    assert not DeMinimisDeclaration.objects.exists()
    assert not DeMinimisAid.objects.exists()


def test_the_signed_declaration_is_required_and_checked(client, staff, dossier, media_root):
    client.force_login(staff)
    response = submit(client, dossier.pme, post_data(), upload=False)
    assert "Joignez la déclaration signée." in errors_of(response)
    data = {**post_data(), "declaration-signed_declaration": signed("scan.pdf", b"not a pdf")}
    response = client.post(url(dossier.pme), data)
    assert response.status_code == 200
    assert "Le justificatif doit être un PDF" in errors_of(response)
    assert not DeMinimisDeclaration.objects.exists()
    assert not any(media_root.rglob("*.*")) if media_root.exists() else True


def test_a_declaration_dated_in_the_future_is_refused(client, staff, dossier):
    client.force_login(staff)
    response = submit(
        client, dossier.pme, post_data(declared_on=today() + datetime.timedelta(days=1))
    )
    assert "La déclaration ne peut pas être datée dans le futur." in errors_of(response)
    assert not DeMinimisDeclaration.objects.exists()


def test_who_sees_and_who_records(client, basin, other_basin, dossier):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    page = client.get(url(dossier.pme))
    assert page.status_code == 200
    assert "Enregistrer la déclaration" not in page.content.decode()
    assert submit(client, dossier.pme, post_data()).status_code == 404
    for outsider in (make_user(Role.STAFF, other_basin), make_user(Role.STEERING, basin)):
        client.force_login(outsider)
        assert client.get(url(dossier.pme)).status_code == 404
        assert submit(client, dossier.pme, post_data()).status_code == 404
    assert not DeMinimisDeclaration.objects.exists()


def test_the_sme_page_links_to_the_screen(client, staff, dossier):
    client.force_login(staff)
    page = client.get(reverse("pme:pme_detail", args=[dossier.pme.pk])).content.decode()
    assert url(dossier.pme) in page


# --- The service ------------------------------------------------------------------------------


def test_the_smes_alize_advances_count_toward_the_ceiling(basin, staff, dossier):
    AdvanceFactory(
        basin=basin,
        dossier__pme=dossier.pme,
        dossier__closed=True,
        decision_date=ago(100),
        gross_grant_equivalent=Decimal("1000.00"),
    )
    with pytest.raises(ValidationError) as refusal:
        record_de_minimis_declaration(
            pme=dossier.pme,
            declared_on=today(),
            signatory="Marc Heuille",
            aids=[{"grantor": "Région", "granted_on": ago(30), "amount": Decimal("299000.01")}],
            by=staff,
        )
    assert f"dont {euros(Decimal('1000'), 2)} d'avances Alizé" in refusal.value.messages[0]
    assert not DeMinimisDeclaration.objects.exists()
    declaration = record_de_minimis_declaration(
        pme=dossier.pme,
        declared_on=today(),
        signatory="Marc Heuille",
        aids=[
            {
                "grantor": "Région",
                "granted_on": ago(30),
                "amount": Decimal("299000.00"),
                "regulation": Regulation.SIEG,
            }
        ],
        by=staff,
    )
    assert declaration.aids.get().regulation == Regulation.SIEG


def test_a_refused_file_is_not_stored(basin, staff, dossier, media_root):
    with pytest.raises(ValidationError):
        record_de_minimis_declaration(
            pme=dossier.pme,
            declared_on=today(),
            signatory="Marc Heuille",
            aids=[{"grantor": "Région", "granted_on": ago(30), "amount": Decimal("300000.01")}],
            signed_declaration=signed(),
            by=staff,
        )
    assert not list(media_root.rglob("*.pdf")) if media_root.exists() else True


# --- The dossier's next action ----------------------------------------------------------------


def test_the_dossier_asks_for_the_declaration_until_it_is_recorded(client, staff, dossier):
    client.force_login(staff)
    detail = reverse("pme:dossier_detail", args=[dossier.pk])
    page = client.get(detail).content.decode()
    assert DE_MINIMIS_NEXT_ACTION in page
    assert url(dossier.pme) in page
    listed = client.get(reverse("pme:dossier_list")).content.decode()
    assert DE_MINIMIS_NEXT_ACTION in listed

    submit(client, dossier.pme, post_data())

    page = client.get(detail).content.decode()
    assert DE_MINIMIS_NEXT_ACTION not in page
    assert NEXT_ACTIONS[DossierState.UNDER_INSTRUCTION].replace("'", "&#x27;") in page


def test_no_declaration_is_asked_without_an_advance_or_once_decided(basin):
    no_advance = DossierFactory(under_instruction=True, pme__basin=basin, advance_requested=0)
    assert no_advance.advance_requested == 0
    assert no_advance.next_action == NEXT_ACTIONS[DossierState.UNDER_INSTRUCTION]
    approved = DossierFactory(approved=True, pme__basin=basin, advance_requested=Decimal("1"))
    assert approved.next_action == NEXT_ACTIONS[DossierState.APPROVED]
    submitted = DossierFactory(submitted=True, pme__basin=basin, advance_requested=Decimal("1"))
    assert submitted.next_action == DE_MINIMIS_NEXT_ACTION
    DeMinimisDeclarationFactory(pme=submitted.pme)
    submitted.refresh_from_db()
    assert submitted.next_action == NEXT_ACTIONS[DossierState.SUBMITTED]
