import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, ProgrammingError, transaction
from django.utils import timezone

from alize.models import Role
from pme.models import (
    HEADCOUNT_LIMIT_MESSAGE,
    ONE_OPEN_DOSSIER_MESSAGE,
    SIRET_TAKEN_MESSAGE,
    Dossier,
    DossierState,
    Need,
    OrientationSource,
    Pme,
    Sector,
    SizeBand,
    hire_evidence_path,
)
from pme.naf import NAF_DIVISIONS, sector_for_code
from pme.workflow import NEXT_ACTIONS
from tests.alize.factories import CommuneFactory, EpciFactory
from tests.conftest import make_user
from tests.pme.factories import (
    DossierFactory,
    DossierTransitionFactory,
    PmeFactory,
    make_siret,
)

pytestmark = pytest.mark.django_db


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def build_pme(**kwargs) -> Pme:
    """An unsaved SME with valid data, to feed full_clean()."""
    pme = PmeFactory.build(**kwargs)
    if "commune" not in kwargs:
        pme.commune = CommuneFactory()
    return pme


# --- The SME record ------------------------------------------------------------------------


def test_siren_is_derived_from_the_siret():
    pme = PmeFactory(siret="73282932000074")
    assert pme.siren == "732829320"
    assert Pme.objects.get(pk=pme.pk).siren == "732829320"


@pytest.mark.parametrize(
    ("headcount", "band"),
    [
        (0, SizeBand.UNDER_10),
        (9, SizeBand.UNDER_10),
        (10, SizeBand.FROM_10_TO_49),
        (49, SizeBand.FROM_10_TO_49),
        (50, SizeBand.FROM_50_TO_249),
        (249, SizeBand.FROM_50_TO_249),
    ],
)
def test_size_band_follows_headcount(headcount, band):
    pme = PmeFactory(headcount=headcount)
    assert pme.size_band == band
    assert Pme.objects.filter(size_band=band).get() == pme
    assert pme.get_size_band_display() == band.label


@pytest.mark.parametrize(
    ("naf_code", "sector"),
    [
        ("25.62B", Sector.INDUSTRY),
        ("10.71C", Sector.INDUSTRY),
        ("35.11Z", Sector.INDUSTRY),
        ("43.22A", Sector.CONSTRUCTION),
        ("46.69B", Sector.TRADE),
        ("62.01Z", Sector.SERVICES),
        ("01.11Z", Sector.OTHER),
    ],
)
def test_sector_follows_naf_code(naf_code, sector):
    pme = PmeFactory(naf_code=naf_code)
    assert pme.sector == sector
    assert pme.get_sector_display() == sector.label


def test_database_and_python_agree_on_every_division():
    basin_pme = PmeFactory()
    commune = basin_pme.commune
    for division in sorted(NAF_DIVISIONS):
        PmeFactory(naf_code=f"{division:02d}.10Z", commune=commune)
    for pme in Pme.objects.exclude(pk=basin_pme.pk):
        assert pme.sector == sector_for_code(pme.naf_code), pme.naf_code


def test_sector_and_band_are_recomputed_on_update():
    pme = PmeFactory(naf_code="25.62B", headcount=8)
    Pme.objects.filter(pk=pme.pk).update(naf_code="47.11F", headcount=60)
    pme.refresh_from_db()
    assert (pme.sector, pme.size_band) == (Sector.TRADE, SizeBand.FROM_50_TO_249)


@pytest.mark.parametrize(
    ("headcount", "expected"),
    [(-1, "L'effectif ne peut pas être négatif."), (250, HEADCOUNT_LIMIT_MESSAGE)],
)
def test_headcount_out_of_range_is_refused(headcount, expected):
    pme = build_pme(headcount=headcount)
    with pytest.raises(ValidationError) as excinfo:
        pme.full_clean()
    assert errors_of(excinfo) == {"headcount": [expected]}


@pytest.mark.parametrize("headcount", [-1, 250, 1000])
def test_database_refuses_headcount_out_of_range(headcount):
    with pytest.raises(IntegrityError), transaction.atomic():
        PmeFactory(headcount=headcount)


def test_full_clean_reads_siret_and_naf_as_typed():
    pme = build_pme(siret="732 829 320 00074", naf_code="2562b")
    pme.full_clean()
    assert (pme.siret, pme.naf_code) == ("73282932000074", "25.62B")


def test_wrong_siret_is_refused_on_its_field():
    pme = build_pme(siret="73282932000075")
    with pytest.raises(ValidationError) as excinfo:
        pme.full_clean()
    assert list(errors_of(excinfo)) == ["siret"]


def test_la_poste_establishment_is_accepted():
    pme = build_pme(siret="35600000000001", name="La Poste – bureau de Valenciennes")
    pme.full_clean()
    pme.save()
    pme.refresh_from_db()
    assert pme.siren == "356000000"


def test_siret_is_unique_with_a_french_message():
    existing = PmeFactory()
    duplicate = build_pme(siret=existing.siret)
    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()
    assert SIRET_TAKEN_MESSAGE in excinfo.value.messages
    with pytest.raises(IntegrityError), transaction.atomic():
        PmeFactory(siret=existing.siret)


def test_database_refuses_malformed_siret_and_naf():
    with pytest.raises(IntegrityError), transaction.atomic():
        PmeFactory(siret="1234")
    with pytest.raises(IntegrityError), transaction.atomic():
        PmeFactory(naf_code="2562B")


def test_founding_date_in_the_future_is_refused():
    pme = build_pme(founding_date=timezone.localdate() + datetime.timedelta(days=1))
    with pytest.raises(ValidationError) as excinfo:
        pme.full_clean()
    assert list(errors_of(excinfo)) == ["founding_date"]


def test_intercommunality_and_basin_come_from_the_commune(basin):
    pme = PmeFactory(basin=basin)
    assert pme.basin == basin
    assert pme.epci == pme.commune.epci
    assert list(Pme.objects.for_basin(basin)) == [pme]


def test_find_by_siret():
    pme = PmeFactory(siret="73282932000074")
    assert Pme.objects.find_by_siret("732 829 320 00074") == pme
    assert Pme.objects.find_by_siret(make_siret(999)) is None
    assert Pme.objects.find_by_siret("") is None


# --- Who sees which SMEs ---------------------------------------------------------------


@pytest.fixture
def two_basins_pmes(basin, other_basin):
    return PmeFactory(basin=basin), PmeFactory(basin=other_basin)


@pytest.mark.parametrize("role", [Role.STAFF, Role.MANAGER])
def test_operators_see_their_basins_smes_only(role, basin, two_basins_pmes):
    mine, _theirs = two_basins_pmes
    user = make_user(role, basin)
    assert list(Pme.objects.visible_to(user)) == [mine]


def test_staff_of_another_basin_sees_nothing(basin, two_basins_pmes):
    mine, _ = two_basins_pmes
    DossierFactory(pme=mine)
    stranger = make_user(Role.STAFF, EpciFactory().basin)
    assert not Pme.objects.visible_to(stranger).exists()
    assert not Dossier.objects.visible_to(stranger).exists()
    assert Pme.objects.visible_to(stranger).find_by_siret(mine.siret) is None


def test_staff_of_two_basins_sees_both(basin, other_basin, two_basins_pmes):
    user = make_user(Role.STAFF, basin, other_basin)
    assert Pme.objects.visible_to(user).count() == 2


def test_administrator_sees_every_sme(two_basins_pmes):
    assert Pme.objects.visible_to(make_user(Role.ADMIN)).count() == 2


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.FUNDER, None])
def test_other_roles_see_no_sme_here(role, basin, two_basins_pmes):
    # A funder sees its intercommunality's SMEs only when it represents one.
    user = make_user(role, basin)
    assert not Pme.objects.visible_to(user).exists()


def test_the_steering_committee_reads_its_basin_s_smes(basin, two_basins_pmes):
    mine, _theirs = two_basins_pmes
    assert list(Pme.objects.visible_to(make_user(Role.STEERING, basin))) == [mine]


def test_a_funder_reads_its_intercommunality_s_smes(basin, two_basins_pmes):
    from alize.models import Funder
    from tests.alize.factories import FunderFactory

    mine, _theirs = two_basins_pmes
    PmeFactory(basin=basin)  # same basin, another intercommunality
    user = make_user(Role.FUNDER)
    user.funder = FunderFactory(
        basin=basin, kind=Funder.Kind.LOCAL_AUTHORITY, epci=mine.commune.epci
    )
    user.save()
    assert list(Pme.objects.visible_to(user)) == [mine]
    assert list(Dossier.objects.visible_to(user)) == list(Dossier.objects.filter(pme=mine))


def test_anonymous_sees_nothing(two_basins_pmes):
    from django.contrib.auth.models import AnonymousUser

    assert not Pme.objects.visible_to(AnonymousUser()).exists()
    assert not Dossier.objects.visible_to(AnonymousUser()).exists()


def test_dossiers_visible_to_follow_their_sme(basin, two_basins_pmes):
    mine, theirs = two_basins_pmes
    mine_dossier = DossierFactory(pme=mine)
    DossierFactory(pme=theirs)
    user = make_user(Role.STAFF, basin)
    assert list(Dossier.objects.visible_to(user)) == [mine_dossier]


# --- Dossiers ----------------------------------------------------------------------------


def test_one_open_dossier_per_sme_in_the_database():
    dossier = DossierFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(pme=dossier.pme, under_instruction=True)


def test_one_open_dossier_per_sme_with_a_french_message():
    dossier = DossierFactory(approved=True)
    second = DossierFactory.build(pme=dossier.pme)
    with pytest.raises(ValidationError) as excinfo:
        second.full_clean()
    assert excinfo.value.messages == [ONE_OPEN_DOSSIER_MESSAGE]


@pytest.mark.parametrize("finished", ["closed", "withdrawn", "rejected"])
def test_a_finished_dossier_lets_the_sme_open_another(finished):
    old = DossierFactory(**{finished: True})
    new = DossierFactory(pme=old.pme)
    assert list(old.pme.dossiers.open()) == [new]
    assert list(old.pme.dossiers.finished()) == [old]


@pytest.mark.parametrize("state", ["approved", "deferred", "rejected", "under_support", "closed"])
def test_a_decided_dossier_carries_its_decision_date(state):
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(**{state: True}, decision_date=None)


def test_empty_needs_are_refused():
    dossier = DossierFactory.build(pme=PmeFactory(), needs=[])
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert errors_of(excinfo) == {"needs": ["Indiquez au moins un besoin."]}
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(needs=[])


def test_unknown_need_is_refused():
    dossier = DossierFactory.build(pme=PmeFactory(), needs=["astrologie"])
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert "needs" in errors_of(excinfo)
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(needs=["astrologie"])


def test_needs_are_kept_once_in_the_order_of_the_choices():
    dossier = DossierFactory.build(
        pme=PmeFactory(), needs=[Need.QUALITY, Need.MANAGEMENT, Need.QUALITY]
    )
    dossier.full_clean()
    assert dossier.needs == [Need.MANAGEMENT, Need.QUALITY]
    assert dossier.needs_labels == ["Management", "Qualité"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("jobs_planned", -3),
        ("jobs_horizon_months", 0),
        ("advance_requested", -1),
        ("bank_loans", -1),
    ],
)
def test_negative_numbers_are_refused(field, value):
    dossier = DossierFactory.build(pme=PmeFactory(), **{field: value})
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert list(errors_of(excinfo)) == [field]
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(**{field: value})


def test_jobs_planned_of_minus_three_says_why():
    dossier = DossierFactory.build(pme=PmeFactory(), jobs_planned=-3)
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert errors_of(excinfo) == {
        "jobs_planned": ["Le nombre d'emplois prévus ne peut pas être négatif."]
    }


def test_orientation_by_an_intercommunality_names_it():
    dossier = DossierFactory.build(pme=PmeFactory(), orientation_source=OrientationSource.EPCI)
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert list(errors_of(excinfo)) == ["oriented_by_epci"]
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(orientation_source=OrientationSource.EPCI)


def test_orienting_intercommunality_only_for_that_source():
    pme = PmeFactory()
    dossier = DossierFactory.build(pme=pme, oriented_by_epci=pme.commune.epci)
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert list(errors_of(excinfo)) == ["oriented_by_epci"]


def test_orientation_by_an_intercommunality_is_valid():
    dossier = DossierFactory(oriented_by_intercommunality=True)
    dossier.full_clean()
    assert dossier.oriented_by_epci == dossier.pme.commune.epci


@pytest.mark.parametrize(
    "source", [OrientationSource.PARTNER_NETWORK, OrientationSource.CORPORATION]
)
def test_a_partner_source_is_named(source):
    dossier = DossierFactory.build(pme=PmeFactory(), orientation_source=source)
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert errors_of(excinfo) == {
        "orientation_partner": ["Indiquez le partenaire qui a orienté la PME."]
    }
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierFactory(orientation_source=source)


def test_orientation_date_in_the_future_is_refused():
    dossier = DossierFactory.build(
        pme=PmeFactory(), orientation_date=timezone.localdate() + datetime.timedelta(days=1)
    )
    with pytest.raises(ValidationError) as excinfo:
        dossier.full_clean()
    assert list(errors_of(excinfo)) == ["orientation_date"]


@pytest.mark.parametrize("state", list(DossierState))
def test_every_state_has_a_next_action(state):
    dossier = Dossier(state=state)
    assert dossier.next_action == NEXT_ACTIONS[state]
    assert dossier.next_action.endswith(".")


def test_next_action_of_an_oriented_dossier():
    assert DossierFactory().next_action == (
        "Prendre contact avec l'entreprise et commencer l'instruction."
    )


def test_time_in_state():
    dossier = DossierFactory(state_changed_at=timezone.now() - datetime.timedelta(days=12, hours=3))
    assert dossier.days_in_state == 12
    assert dossier.time_in_state >= datetime.timedelta(days=12)


def test_transition_log_is_append_only():
    log = DossierTransitionFactory()
    log.comment = "réécrit"
    with pytest.raises(ProgrammingError), transaction.atomic():
        log.save()
    with pytest.raises(ProgrammingError), transaction.atomic():
        log.delete()


def test_transition_log_row_changes_state():
    with pytest.raises(IntegrityError), transaction.atomic():
        DossierTransitionFactory(from_state=DossierState.ORIENTED, to_state=DossierState.ORIENTED)


def test_evidence_gets_a_generated_name():
    first = hire_evidence_path(None, "Contrat Dupont <script>.PDF")
    second = hire_evidence_path(None, "Contrat Dupont <script>.PDF")
    assert first.startswith("pme/preuves/")
    assert first.endswith(".pdf")
    assert first != second
    assert "Dupont" not in first
    assert hire_evidence_path(None, "virus.exe").rsplit("/", 1)[1].isalnum()
