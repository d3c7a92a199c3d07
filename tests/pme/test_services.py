import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alize.models import Role
from pme.models import (
    HEADCOUNT_LIMIT_MESSAGE,
    ONE_OPEN_DOSSIER_MESSAGE,
    SIRET_TAKEN_MESSAGE,
    ContractKind,
    Dossier,
    DossierState,
    Hire,
    LegalForm,
    Need,
    OrientationSource,
    Pme,
    PmeContact,
    Sector,
    SizeBand,
)
from pme.services import (
    EXISTING_PME_MESSAGE,
    add_contact,
    create_pme_with_dossier,
    record_hire,
    remove_contact,
    update_contact,
    update_dossier,
    update_pme,
)
from tests.alize.factories import CommuneFactory, EpciFactory
from tests.conftest import make_user
from tests.pme.factories import (
    DossierFactory,
    HireFactory,
    PmeContactFactory,
    PmeFactory,
    make_siret,
)

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00" + b"\x00" * 60


@pytest.fixture
def commune(basin):
    return CommuneFactory(epci=EpciFactory(basin=basin))


@pytest.fixture
def pme_data(commune):
    return {
        "name": "Heuille Mécanique de précision",
        "siret": "732 829 320 00074",
        "legal_form": LegalForm.SAS,
        "naf_code": "25.62b",
        "headcount": 23,
        "founding_date": datetime.date(1987, 5, 4),
        "address": "12 rue de l'Industrie",
        "commune": commune,
    }


@pytest.fixture
def dossier_data():
    return {
        "project_summary": "Certification ISO 9001 et nouvelle ligne d'usinage.",
        "kind": "developpement",
        "needs": [Need.QUALITY, Need.PRODUCTION],
        "jobs_planned": 7,
        "jobs_horizon_months": 24,
        "advance_requested": Decimal("15000.00"),
        "bank_loans": Decimal("60000.00"),
        "orientation_source": OrientationSource.SPONTANEOUS,
        "orientation_date": datetime.date(2006, 9, 18),
    }


def assert_nothing_saved():
    assert not Pme.objects.exists()
    assert not Dossier.objects.exists()
    assert not PmeContact.objects.exists()


# --- create_pme_with_dossier --------------------------------------------------------------------


def test_creates_the_sme_its_contacts_and_its_first_dossier(staff, pme_data, dossier_data):
    result = create_pme_with_dossier(
        by=staff,
        pme_data=pme_data,
        dossier_data=dossier_data,
        contacts=[{"name": "Jean Exemple", "role": "Gérant", "email": "gerant@heuille.test"}],
    )
    pme, dossier = result.pme, result.dossier
    assert result.pme_created
    assert result.message == ""
    assert (pme.siret, pme.siren, pme.naf_code) == ("73282932000074", "732829320", "25.62B")
    assert (pme.sector, pme.size_band) == (Sector.INDUSTRY, SizeBand.FROM_10_TO_49)
    assert [c.name for c in pme.contacts.all()] == ["Jean Exemple"]
    assert dossier.pme == pme
    assert dossier.state == DossierState.ORIENTED
    assert dossier.staff_member == staff
    assert dossier.needs == [Need.PRODUCTION, Need.QUALITY]
    assert not dossier.transitions.exists()
    assert pme.events.get().pgh_context.metadata["user"] == staff.pk


def test_another_staff_member_may_be_put_in_charge(basin, staff, pme_data, dossier_data):
    colleague = make_user(Role.STAFF, basin)
    result = create_pme_with_dossier(
        by=staff, pme_data=pme_data, dossier_data={**dossier_data, "staff_member": colleague}
    )
    assert result.dossier.staff_member == colleague


def test_staff_member_of_another_basin_cannot_be_put_in_charge(
    other_basin, staff, pme_data, dossier_data
):
    stranger = make_user(Role.STAFF, other_basin)
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(
            by=staff, pme_data=pme_data, dossier_data={**dossier_data, "staff_member": stranger}
        )
    assert list(excinfo.value.message_dict) == ["staff_member"]
    assert_nothing_saved()


def test_orienting_intercommunality_of_the_basin(staff, commune, pme_data, dossier_data):
    data = {
        **dossier_data,
        "orientation_source": OrientationSource.EPCI,
        "oriented_by_epci": commune.epci,
    }
    result = create_pme_with_dossier(by=staff, pme_data=pme_data, dossier_data=data)
    assert result.dossier.oriented_by_epci == commune.epci


def test_orienting_intercommunality_of_another_basin_is_refused(
    other_basin, staff, pme_data, dossier_data
):
    data = {
        **dossier_data,
        "orientation_source": OrientationSource.EPCI,
        "oriented_by_epci": EpciFactory(basin=other_basin),
    }
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(by=staff, pme_data=pme_data, dossier_data=data)
    assert excinfo.value.message_dict == {
        "oriented_by_epci": ["Cette intercommunalité n'appartient pas au bassin de l'entreprise."]
    }
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("siret", "73282932000075", "Ce SIRET n'existe pas : sa clé de contrôle est fausse."),
        ("headcount", 250, HEADCOUNT_LIMIT_MESSAGE),
        ("headcount", -1, "L'effectif ne peut pas être négatif."),
        ("naf_code", "25.62", "Le code NAF/APE s'écrit comme 25.62B"),
    ],
)
def test_bad_sme_data_saves_nothing(staff, pme_data, dossier_data, field, value, expected):
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(
            by=staff, pme_data={**pme_data, field: value}, dossier_data=dossier_data
        )
    assert excinfo.value.message_dict[field][0].startswith(expected)
    assert_nothing_saved()


@pytest.mark.parametrize(
    ("field", "value"),
    [("jobs_planned", -3), ("needs", []), ("project_summary", ""), ("bank_loans", Decimal("-1"))],
)
def test_bad_dossier_data_saves_nothing(staff, pme_data, dossier_data, field, value):
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(
            by=staff, pme_data=pme_data, dossier_data={**dossier_data, field: value}
        )
    assert field in excinfo.value.message_dict
    assert_nothing_saved()


def test_bad_contact_saves_nothing(staff, pme_data, dossier_data):
    with pytest.raises(ValidationError):
        create_pme_with_dossier(
            by=staff,
            pme_data=pme_data,
            dossier_data=dossier_data,
            contacts=[{"name": "Jean Exemple", "email": "pas-une-adresse"}],
        )
    assert_nothing_saved()


def test_a_name_with_markup_is_kept_as_typed(staff, pme_data, dossier_data):
    # Stored as typed; templates and PDFs escape it on output.
    name = "<script>alert('x')</script> SARL"
    result = create_pme_with_dossier(
        by=staff, pme_data={**pme_data, "name": name}, dossier_data=dossier_data
    )
    assert Pme.objects.get(pk=result.pme.pk).name == name


def test_a_known_siret_reuses_the_existing_sme(basin, staff, pme_data, dossier_data):
    existing = PmeFactory(basin=basin, siret="73282932000074", name="Heuille")
    DossierFactory(pme=existing, closed=True)
    result = create_pme_with_dossier(
        by=staff,
        pme_data={**pme_data, "name": "Autre nom saisi"},
        dossier_data=dossier_data,
        contacts=[{"name": "Doublon"}],
    )
    assert result.pme == existing
    assert not result.pme_created
    assert (
        result.message
        == EXISTING_PME_MESSAGE
        == ("Cette entreprise existe déjà : le dossier est rattaché à sa fiche.")
    )
    assert Pme.objects.count() == 1
    assert Pme.objects.get().name == "Heuille"
    assert not PmeContact.objects.exists()
    assert existing.dossiers.count() == 2
    assert existing.dossiers.open().get() == result.dossier


def test_a_known_siret_with_an_open_dossier_is_refused(basin, staff, pme_data, dossier_data):
    existing = PmeFactory(basin=basin, siret="73282932000074")
    DossierFactory(pme=existing, under_support=True)
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(by=staff, pme_data=pme_data, dossier_data=dossier_data)
    assert excinfo.value.messages == [ONE_OPEN_DOSSIER_MESSAGE]
    assert existing.dossiers.count() == 1


def test_a_siret_known_in_another_basin_is_not_shown(other_basin, staff, pme_data, dossier_data):
    PmeFactory(basin=other_basin, siret="73282932000074")
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(by=staff, pme_data=pme_data, dossier_data=dossier_data)
    assert excinfo.value.message_dict == {
        "siret": [
            "Cette entreprise existe déjà et relève d'un autre bassin : rapprochez-vous de "
            "son opérateur."
        ]
    }
    assert not Dossier.objects.exists()


def test_a_commune_outside_the_user_s_basins_is_refused(other_basin, staff, pme_data, dossier_data):
    outside = CommuneFactory(epci=EpciFactory(basin=other_basin))
    with pytest.raises(ValidationError) as excinfo:
        create_pme_with_dossier(
            by=staff, pme_data={**pme_data, "commune": outside}, dossier_data=dossier_data
        )
    assert excinfo.value.message_dict == {
        "commune": ["Cette commune n'est dans aucun de vos bassins."]
    }
    assert_nothing_saved()


@pytest.mark.parametrize("role", [Role.FUNDER, Role.STEERING, Role.COMMITTEE_MEMBER, None])
def test_only_operators_create_smes(role, basin, pme_data, dossier_data):
    with pytest.raises(PermissionDenied):
        create_pme_with_dossier(
            by=make_user(role, basin), pme_data=pme_data, dossier_data=dossier_data
        )
    assert_nothing_saved()


def test_the_state_is_not_the_caller_s_to_set(staff, pme_data, dossier_data):
    with pytest.raises(TypeError):
        create_pme_with_dossier(
            by=staff,
            pme_data=pme_data,
            dossier_data={**dossier_data, "state": DossierState.APPROVED},
        )
    assert_nothing_saved()


# --- update_pme and contacts -------------------------------------------------------------------


def test_update_pme_recomputes_sector_and_band(basin, staff):
    pme = PmeFactory(basin=basin, naf_code="25.62B", headcount=8)
    updated = update_pme(pme=pme, by=staff, data={"naf_code": "4711f", "headcount": 60})
    assert (updated.naf_code, updated.sector, updated.size_band) == (
        "47.11F",
        Sector.TRADE,
        SizeBand.FROM_50_TO_249,
    )
    assert updated.events.filter(pgh_label="update").get().pgh_context.metadata["user"] == staff.pk


def test_update_pme_refuses_250_employees_and_saves_nothing(basin, staff):
    pme = PmeFactory(basin=basin, headcount=240)
    with pytest.raises(ValidationError) as excinfo:
        update_pme(pme=pme, by=staff, data={"headcount": 250, "name": "Nouveau nom"})
    assert excinfo.value.message_dict == {"headcount": [HEADCOUNT_LIMIT_MESSAGE]}
    pme.refresh_from_db()
    assert (pme.headcount, pme.name) != (250, "Nouveau nom")


def test_update_pme_refuses_a_siret_taken(basin, staff):
    taken = PmeFactory(basin=basin)
    pme = PmeFactory(basin=basin)
    with pytest.raises(ValidationError) as excinfo:
        update_pme(pme=pme, by=staff, data={"siret": taken.siret})
    assert SIRET_TAKEN_MESSAGE in excinfo.value.messages


def test_update_pme_refuses_a_move_out_of_the_user_s_basins(basin, other_basin, staff):
    pme = PmeFactory(basin=basin)
    outside = CommuneFactory(epci=EpciFactory(basin=other_basin))
    with pytest.raises(ValidationError):
        update_pme(pme=pme, by=staff, data={"commune": outside})
    pme.refresh_from_db()
    assert pme.basin == basin


def test_update_pme_by_staff_of_another_basin_is_refused(basin, other_basin):
    pme = PmeFactory(basin=basin)
    with pytest.raises(PermissionDenied):
        update_pme(pme=pme, by=make_user(Role.STAFF, other_basin), data={"name": "Piraté"})


def test_contacts_are_added_changed_and_removed(basin, staff):
    pme = PmeFactory(basin=basin)
    contact = add_contact(
        pme=pme, by=staff, data={"name": "Claire Exemple", "phone": "03 27 00 00 01"}
    )
    update_contact(contact=contact, by=staff, data={"role": "Directrice administrative"})
    assert str(PmeContact.objects.get()) == "Claire Exemple (Directrice administrative)"
    remove_contact(contact=contact, by=staff)
    assert not pme.contacts.exists()


def test_contact_with_a_bad_phone_is_refused(basin, staff):
    with pytest.raises(ValidationError) as excinfo:
        add_contact(pme=PmeFactory(basin=basin), by=staff, data={"name": "X", "phone": "abc"})
    assert list(excinfo.value.message_dict) == ["phone"]


@pytest.mark.parametrize("role", [Role.FUNDER, Role.STEERING])
def test_funders_do_not_touch_contacts(role, basin):
    contact = PmeContactFactory(pme__basin=basin)
    with pytest.raises(PermissionDenied):
        update_contact(contact=contact, by=make_user(role, basin), data={"name": "Y"})


# --- update_dossier -------------------------------------------------------------------------


def test_update_dossier_changes_what_it_says(basin, staff):
    dossier = DossierFactory(pme__basin=basin, under_instruction=True)
    update_dossier(dossier=dossier, by=staff, data={"jobs_planned": 12, "needs": [Need.HR]})
    dossier.refresh_from_db()
    assert (dossier.jobs_planned, dossier.needs) == (12, [Need.HR])


@pytest.mark.parametrize("finished", ["closed", "withdrawn", "rejected"])
def test_a_finished_dossier_no_longer_changes(finished, basin, staff):
    dossier = DossierFactory(pme__basin=basin, **{finished: True})
    with pytest.raises(ValidationError) as excinfo:
        update_dossier(dossier=dossier, by=staff, data={"jobs_planned": 12})
    assert "ne se modifie plus" in excinfo.value.messages[0]


def test_update_dossier_never_sets_the_state(basin, staff):
    dossier = DossierFactory(pme__basin=basin)
    with pytest.raises(TypeError):
        update_dossier(dossier=dossier, by=staff, data={"state": DossierState.CLOSED})


# --- Hires ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["approved", "under_support", "closed"])
def test_hires_are_recorded_on_supported_dossiers(state, basin, staff):
    dossier = DossierFactory(pme__basin=basin, **{state: True})
    hire = record_hire(
        dossier=dossier,
        by=staff,
        hire_date=datetime.date(2007, 6, 1),
        contract=ContractKind.CDD_6_MONTHS,
        job_title="Fraiseur",
    )
    assert list(dossier.hires.all()) == [hire]
    assert str(hire) == "CDD de 6 mois ou plus le 01/06/2007"


@pytest.mark.parametrize(
    "traits",
    [
        {},
        {"under_instruction": True},
        {"submitted": True},
        {"deferred": True},
        {"rejected": True},
        {"withdrawn": True},
    ],
)
def test_no_hire_before_approval_or_after_refusal(traits, basin, staff):
    dossier = DossierFactory(pme__basin=basin, **traits)
    with pytest.raises(ValidationError) as excinfo:
        record_hire(dossier=dossier, by=staff, hire_date=datetime.date(2007, 6, 1), contract="cdi")
    assert excinfo.value.messages == [
        "On n'enregistre une embauche que sur un dossier agréé, en accompagnement ou clôturé."
    ]
    assert not Hire.objects.exists()


def test_a_hire_in_the_future_is_refused(basin, staff):
    dossier = DossierFactory(pme__basin=basin, approved=True)
    with pytest.raises(ValidationError) as excinfo:
        record_hire(
            dossier=dossier,
            by=staff,
            hire_date=timezone.localdate() + datetime.timedelta(days=1),
            contract="cdi",
        )
    assert list(excinfo.value.message_dict) == ["hire_date"]


def test_a_hire_before_orientation_is_refused(basin, staff):
    dossier = DossierFactory(pme__basin=basin, approved=True)
    with pytest.raises(ValidationError) as excinfo:
        record_hire(
            dossier=dossier,
            by=staff,
            hire_date=dossier.orientation_date - datetime.timedelta(days=1),
            contract="cdi",
        )
    assert "précède l'orientation" in excinfo.value.message_dict["hire_date"][0]


def test_an_unknown_contract_is_refused(basin, staff):
    dossier = DossierFactory(pme__basin=basin, approved=True)
    with pytest.raises(ValidationError) as excinfo:
        record_hire(dossier=dossier, by=staff, hire_date=datetime.date(2007, 6, 1), contract="x")
    assert list(excinfo.value.message_dict) == ["contract"]


def test_hire_by_staff_of_another_basin_is_refused(basin, other_basin):
    dossier = DossierFactory(pme__basin=basin, approved=True)
    with pytest.raises(PermissionDenied):
        record_hire(
            dossier=dossier,
            by=make_user(Role.STAFF, other_basin),
            hire_date=datetime.date(2007, 6, 1),
            contract="cdi",
        )


def test_evidence_is_stored_under_a_generated_name(basin, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = DossierFactory(pme__basin=basin, approved=True)
    hire = record_hire(
        dossier=dossier,
        by=staff,
        hire_date=datetime.date(2007, 6, 1),
        contract="cdi",
        evidence=SimpleUploadedFile("Contrat de M. Dupont.pdf", PDF),
    )
    assert hire.evidence.name.startswith("pme/preuves/")
    assert hire.evidence.name.endswith(".pdf")
    assert "Dupont" not in hire.evidence.name
    assert (tmp_path / hire.evidence.name).read_bytes() == PDF


def test_a_renamed_executable_is_refused_and_nothing_is_stored(basin, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = DossierFactory(pme__basin=basin, approved=True)
    with pytest.raises(ValidationError) as excinfo:
        record_hire(
            dossier=dossier,
            by=staff,
            hire_date=datetime.date(2007, 6, 1),
            contract="cdi",
            evidence=SimpleUploadedFile("contrat.pdf", EXE),
        )
    assert list(excinfo.value.message_dict) == ["evidence"]
    assert not Hire.objects.exists()
    assert not any(tmp_path.rglob("*.*"))


def test_planned_jobs_never_count_as_hires(basin):
    supported = DossierFactory(pme__basin=basin, approved=True, jobs_planned=10)
    assert Dossier.objects.jobs_totals() == {"jobs_planned": 10, "hires": 0}
    HireFactory(dossier=supported)
    HireFactory(dossier=supported, contract=ContractKind.CDD_6_MONTHS)
    assert Dossier.objects.jobs_totals() == {"jobs_planned": 10, "hires": 2}
    assert Dossier.objects.with_hires_count().get(pk=supported.pk).hires_count == 2


def test_jobs_count_only_in_supported_dossiers(basin):
    DossierFactory(pme__basin=basin, approved=True, jobs_planned=10)
    DossierFactory(pme__basin=basin, under_support=True, jobs_planned=5)
    DossierFactory(pme__basin=basin, closed=True, jobs_planned=3)
    DossierFactory(pme__basin=basin, submitted=True, jobs_planned=100)
    DossierFactory(pme__basin=basin, rejected=True, jobs_planned=100)
    DossierFactory(pme__basin=basin, withdrawn=True, jobs_planned=100)
    assert Dossier.objects.jobs_totals()["jobs_planned"] == 18
    assert Dossier.objects.for_basin(basin).supported().count() == 3


def test_jobs_totals_follow_the_filter(basin, other_basin):
    mine = DossierFactory(pme__basin=basin, approved=True, jobs_planned=10)
    theirs = DossierFactory(pme__basin=other_basin, approved=True, jobs_planned=4)
    HireFactory(dossier=mine)
    HireFactory.create_batch(3, dossier=theirs)
    assert Dossier.objects.for_basin(basin).jobs_totals() == {"jobs_planned": 10, "hires": 1}
    assert Dossier.objects.jobs_totals() == {"jobs_planned": 14, "hires": 4}


def test_make_siret_gives_distinct_valid_numbers():
    assert make_siret(1) != make_siret(2)
    assert make_siret(1)[:9] == make_siret(1, 2)[:9]
