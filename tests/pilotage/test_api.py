"""The indicators API: token authentication, the basins, a basin's indicators, the schema."""

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from alize.models import Role
from pilotage import indicators
from pilotage.models import ApiToken, hash_token
from tests.alize.factories import PeriodFactory
from tests.conftest import make_user
from tests.pilotage.test_reports import make_programme

pytestmark = pytest.mark.django_db

INDICATORS = "/api/v1/indicators/"
BASINS = "/api/v1/basins/"


@pytest.fixture
def secret():
    return ApiToken.issue(name="Alizé national")[1]


@pytest.fixture
def api(client, secret):
    def get(url, **params):
        return client.get(url, params, headers={"Authorization": f"Bearer {secret}"})

    return get


@pytest.fixture
def programme():
    return make_programme(smes=2)


def test_urls_are_stable():
    assert reverse("api:indicators") == INDICATORS
    assert reverse("api:basins") == BASINS
    assert reverse("api:openapi-json") == "/api/v1/openapi.json"


@pytest.mark.parametrize("header", [None, "Bearer faux-jeton", "Token abc", "Bearer "])
def test_a_missing_or_bad_token_is_refused_with_401(client, programme, header):
    headers = {"Authorization": header} if header else {}
    for url in (BASINS, f"{INDICATORS}?basin={programme['basin'].slug}"):
        response = client.get(url, headers=headers)
        assert response.status_code == 401
        assert response.json() == {"detail": "Jeton d'accès absent ou invalide."}
        assert response["WWW-Authenticate"] == "Bearer"


def test_a_signed_in_session_is_not_a_token(client, programme):
    client.force_login(make_user(Role.ADMIN))
    assert client.get(BASINS).status_code == 401


def test_a_revoked_token_is_refused(client, programme, secret):
    ApiToken.objects.update(active=False)
    response = client.get(BASINS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 401


def test_only_the_tokens_hash_is_stored_and_its_use_is_stamped(api, programme, secret):
    token = ApiToken.objects.get()
    assert token.token_hash == hash_token(secret) != secret
    assert token.last_used_at is None
    assert api(BASINS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_basins_list_their_periods(api, programme):
    PeriodFactory(
        basin=programme["basin"],
        name="Renouvellement",
        start_date="2008-07-01",
        end_date="2011-06-30",
    )
    response = api(BASINS)
    assert response.status_code == 200
    [basin] = response.json()
    assert basin["slug"] == programme["basin"].slug
    assert basin["name"] == "Bassin Valenciennois"
    assert [p["name"] for p in basin["periods"]] == ["Première période", "Renouvellement"]
    assert basin["periods"][0] == {
        "id": programme["period"].pk,
        "name": "Première période",
        "start_date": "2005-07-01",
        "end_date": "2008-06-30",
        "target_jobs": 400,
        "target_smes": None,
    }


def test_indicators_give_the_dashboard_figures(api, programme):
    basin, period = programme["basin"], programme["period"]
    response = api(INDICATORS, basin=basin.slug, period=period.pk)

    assert response.status_code == 200
    data = response.json()
    assert data["basin"] == {"slug": basin.slug, "name": basin.name}
    assert data["period"]["id"] == period.pk
    assert set(data["indicators"]) == set(indicators.DEFINITIONS)
    assert set(data["breakdowns"]) == set(indicators.BREAKDOWNS)
    figures = indicators.compute(indicators.Scope(basin, period))
    for key, definition in indicators.DEFINITIONS.items():
        item = data["indicators"][key]
        assert item["label"] == definition.label
        assert item["unit"] == definition.unit
        expected = figures.values[key]
        if expected is None or isinstance(expected, int):
            assert item["value"] == expected, key
        else:
            assert isinstance(item["value"], str) and Decimal(item["value"]) == expected, key
    assert data["as_of"] == "2008-06-30"
    assert data["indicators"]["smes_supported"]["value"] == 2
    assert data["indicators"]["jobs_planned"]["value"] == 26
    # Amounts: decimal strings with two places, never floats.
    assert data["indicators"]["budget_committed"]["value"] == "156000.00"
    assert data["indicators"]["advances_outstanding"]["value"] == "0.00"
    assert data["indicators"]["jobs_per_sme"]["value"] == "13.0"
    by_funder = data["breakdowns"]["budget_by_funder"]
    assert by_funder["unit"] == "eur"
    assert {"label": "Diact Valenciennois", "value": "117000.00"} in by_funder["items"]
    assert '"value": 156000.0' not in response.content.decode()


def test_indicators_default_to_the_basins_current_period(api, programme):
    response = api(INDICATORS, basin=programme["basin"].slug)
    assert response.status_code == 200
    assert response.json()["period"]["id"] == programme["period"].pk


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"basin": "atlantide"}, "Bassin inconnu : « atlantide »."),
        ({"period": "999999"}, "Période inconnue pour le bassin Bassin Valenciennois"),
        ({"period": "abc"}, "Période inconnue"),
    ],
)
def test_an_unknown_basin_or_period_is_a_french_404(api, programme, params, message):
    response = api(INDICATORS, **{"basin": programme["basin"].slug, **params})
    assert response.status_code == 404
    assert message in response.json()["detail"]


def test_a_period_of_another_basin_is_a_404(api, programme):
    other = make_programme(smes=0, label="Sambre")
    response = api(INDICATORS, basin=programme["basin"].slug, period=other["period"].pk)
    assert response.status_code == 404


def test_the_indicators_take_the_same_queries_for_2_or_20_smes(api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for smes, label in ((2, "Deux"), (20, "Vingt")):
        programme = make_programme(smes=smes, label=label)
        with CaptureQueriesContext(connection) as queries:
            assert api(INDICATORS, basin=programme["basin"].slug).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_the_schema_documents_every_indicator_with_its_definition(client):
    client.force_login(make_user(Role.STAFF))
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["paths"]["/api/v1/indicators/"]["get"]["operationId"] == "get_indicators"
    assert schema["paths"]["/api/v1/basins/"]["get"]["operationId"] == "list_basins"
    documented = schema["components"]["schemas"]["Indicators"]["properties"]
    for key, definition in indicators.DEFINITIONS.items():
        assert documented[key]["description"] == definition.help
    breakdowns = schema["components"]["schemas"]["Breakdowns"]["properties"]
    assert set(breakdowns) == set(indicators.BREAKDOWNS)
    assert schema["components"]["securitySchemes"]["TokenAuth"]["scheme"] == "bearer"


def test_the_docs_page_loads_nothing_from_outside(client):
    client.force_login(make_user(Role.STAFF))
    html = client.get("/api/v1/docs/").content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert "https://" not in html and "http://" not in html


def test_the_command_creates_a_token_shown_once():
    out = io.StringIO()
    call_command("create_api_token", "Alizé national", stdout=out)
    secret = out.getvalue().strip().splitlines()[-1]
    token = ApiToken.objects.get(name="Alizé national")
    assert token.token_hash == hash_token(secret)


def test_a_missing_or_malformed_parameter_is_a_french_422(api, programme):
    response = api(INDICATORS)
    assert response.status_code == 422
    assert response.json() == {
        "detail": "Paramètres invalides : basin.",
        "errors": [{"location": "query", "field": "basin", "message": "Paramètre obligatoire."}],
    }
    response = api(INDICATORS, basin="x" * 61)
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "Valeur trop longue."


def test_a_control_character_is_a_french_400_in_json(api, programme):
    response = api(INDICATORS, basin="valenciennois\x00")
    assert response.status_code == 400
    assert "caractère de contrôle invisible" in response.json()["detail"]


def test_a_period_of_5000_digits_is_unknown(api, programme):
    response = api(INDICATORS, basin=programme["basin"].slug, period="9" * 20)
    assert response.status_code == 404


def test_the_schema_documents_every_status_with_its_body(client):
    client.force_login(make_user(Role.ADMIN))
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    assert set(paths[BASINS]["get"]["responses"]) == {"200", "400", "401", "429"}
    responses = paths[INDICATORS]["get"]["responses"]
    assert set(responses) == {"200", "400", "401", "404", "422", "429"}
    assert responses["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/InvalidError"
    }


def test_a_method_the_api_does_not_serve_is_a_french_405(client, secret, programme):
    response = client.post(BASINS, headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 405
    assert response.json() == {"detail": "Méthode POST non permise ici (permises : GET)."}
    assert response["Allow"] == "GET"
