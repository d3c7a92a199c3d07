"""The official referential (the etalab files `make install` brings) read by alize.geo, and
the screens that add a commune or an intercommunality with its communes from it."""

import pytest
from django.urls import reverse
from pghistory.models import Events

from alize import geo
from alize.models import Commune, Epci, Role
from tests.alize.factories import CommuneFactory, EpciFactory
from tests.conftest import make_user

VALENCIENNES_METROPOLE = "245901160"
COMMUNES = reverse("alize:commune_import")
EPCIS = reverse("alize:epci_import")


# --- Reading and searching ---------------------------------------------------------------


def test_reads_the_real_files_once():
    assert len(geo.communes()) > 34_000
    assert geo.communes() is geo.communes()
    valenciennes = geo.communes()["59606"]
    assert (valenciennes.name, valenciennes.postcode) == ("Valenciennes", "59300")
    assert valenciennes.epci_siren == VALENCIENNES_METROPOLE
    metropole = geo.epcis()[VALENCIENNES_METROPOLE]
    assert (metropole.kind, "59606" in metropole.members) == ("CA", True)
    assert len(metropole.members) == 35


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("Valenciennes", "59606"),
        ("valenciennes", "59606"),
        ("saint amand les eaux", "59526"),
        ("Saint-Amand-les-Eaux", "59526"),
        ("59300", "59606"),  # postcode
        ("59300", "59300"),  # the same digits as an INSEE code
        ("59606", "59606"),  # INSEE code
        ("2A004", "2A004"),  # Ajaccio
    ],
)
def test_search_communes(query, first):
    # 59300 is Valenciennes' postcode and another commune's INSEE code: both are offered.
    assert first in [commune.code for commune in geo.search_communes(query)[:2]]


def test_search_communes_by_the_siren_of_their_intercommunality():
    found = geo.search_communes(VALENCIENNES_METROPOLE)
    assert len(found) == 35 and "Valenciennes" in {commune.name for commune in found}


def test_search_epcis_by_name_and_siren():
    assert geo.search_epcis("Valenciennes Métropole")[0].siren == VALENCIENNES_METROPOLE
    assert geo.search_epcis("245 901 160")[0].name == "CA Valenciennes Métropole"
    assert geo.search_epcis("Métropole de Lyon")[0].kind == Epci.Kind.METRO
    assert geo.search_epcis("zzzz") == []


def test_missing_files_say_to_run_make_install(tmp_path):
    with pytest.raises(geo.ReferentialMissing, match="make install"):
        geo.read_records("communes.json", tmp_path)


# --- The screens --------------------------------------------------------------------------


@pytest.fixture
def epci(basin):
    return EpciFactory(basin=basin, siren=VALENCIENNES_METROPOLE, name="CA Valenciennes Métropole")


@pytest.mark.django_db
def test_search_page_lists_the_official_communes(manager_client, epci):
    html = manager_client.get(COMMUNES, {"q": "59300"}).content.decode()
    assert "Valenciennes" in html and "59606" in html
    # The basin's intercommunality of that SIREN is chosen in advance.
    assert f'<option value="{epci.pk}" selected>' in html


@pytest.mark.django_db
def test_add_a_commune_from_the_referential(manager_client, manager, epci):
    response = manager_client.post(COMMUNES, {"code": "59606", "epci": epci.pk, "q": "59300"})

    commune = Commune.objects.get(insee_code="59606")
    assert response.status_code == 302 and response.url == commune.get_absolute_url()
    assert (commune.name, commune.postcode, commune.epci) == ("Valenciennes", "59300", epci)
    assert commune.population == geo.communes()["59606"].population
    event = Events.objects.references(commune).filter(pgh_label="insert").get()
    assert event.pgh_context["user"] == manager.pk


@pytest.mark.django_db
def test_a_commune_already_in_the_basin_is_refused(manager_client, epci):
    CommuneFactory(epci=epci, insee_code="59606", name="Valenciennes", postcode="59300")

    page = manager_client.get(COMMUNES, {"q": "Valenciennes"}).content.decode()
    assert "Déjà enregistrée" in page
    response = manager_client.post(COMMUNES, {"code": "59606", "epci": epci.pk, "q": "x"})

    assert response.status_code == 200
    assert "Déjà dans le bassin" in response.content.decode()
    assert Commune.objects.filter(insee_code="59606").count() == 1


@pytest.mark.django_db
def test_an_unknown_code_or_another_basins_epci_is_refused(manager_client, epci, other_basin):
    foreign = EpciFactory(basin=other_basin)
    unknown = manager_client.post(COMMUNES, {"code": "00000", "epci": epci.pk})
    assert "pas dans le référentiel officiel" in unknown.content.decode()
    other = manager_client.post(COMMUNES, {"code": "59606", "epci": foreign.pk})
    assert "Sélectionnez un choix valide" in other.content.decode()
    assert not Commune.objects.exists()


@pytest.mark.django_db
def test_add_an_intercommunality_with_all_its_communes(manager_client, basin):
    response = manager_client.post(EPCIS, {"siren": VALENCIENNES_METROPOLE, "basin": basin.pk})

    epci = Epci.objects.get(siren=VALENCIENNES_METROPOLE)
    assert response.url == epci.get_absolute_url()
    assert (epci.name, epci.kind, epci.basin) == ("CA Valenciennes Métropole", "CA", basin)
    assert epci.communes.count() == 35
    assert "avec ses 35 communes" in manager_client.get(response.url).content.decode()


@pytest.mark.django_db
def test_an_intercommunality_with_a_recorded_commune_saves_nothing(manager_client, basin):
    hand_typed = EpciFactory(basin=basin)
    CommuneFactory(epci=hand_typed, insee_code="59014", name="Anzin", postcode="59410")

    response = manager_client.post(EPCIS, {"siren": VALENCIENNES_METROPOLE, "basin": basin.pk})

    assert response.status_code == 200
    assert "Déjà dans le bassin" in response.content.decode() and "Anzin" in (
        response.content.decode()
    )
    assert not Epci.objects.filter(siren=VALENCIENNES_METROPOLE).exists()
    assert Commune.objects.count() == 1


@pytest.mark.django_db
def test_an_intercommunality_recorded_twice_is_refused(manager_client, basin, epci):
    response = manager_client.post(EPCIS, {"siren": VALENCIENNES_METROPOLE, "basin": basin.pk})
    assert "est déjà dans ce bassin" in response.content.decode()
    assert Epci.objects.count() == 1


@pytest.mark.django_db
def test_the_list_pages_offer_the_referential(manager_client):
    for list_name, import_url in (("commune_list", COMMUNES), ("epci_list", EPCIS)):
        assert import_url in manager_client.get(reverse(f"alize:{list_name}")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.FUNDER, Role.COORDINATOR])
def test_other_roles_get_a_404(client, basin, role):
    client.force_login(make_user(role, basin))
    assert client.get(COMMUNES, {"q": "Valenciennes"}).status_code == 404
    refused = client.post(EPCIS, {"siren": VALENCIENNES_METROPOLE, "basin": basin.pk})
    assert refused.status_code == 404
    assert not Epci.objects.exists()
