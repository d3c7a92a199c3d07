"""The indicators API keeps its contract: schemathesis against its own OpenAPI schema.

Schemathesis reads the schema the API publishes and sends every operation generated
requests, valid and invalid (missing, malformed or hostile parameters, no token or a bad
one), to the Django application itself (WSGI, in the test's transaction). Each answer must
have a documented status, the documented content type and a body that matches its schema;
no server error. The seed is fixed (`derandomize`) and the examples bounded.
"""

import json
from collections import Counter

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from pilotage.api import api
from pilotage.models import ApiToken
from tests.pilotage.test_reports import make_programme

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(json.loads(json.dumps(api.get_openapi_schema())))
# Every request, the checks' own included, goes to the Django application (WSGI).
schema.app = WSGIHandler()


# Generated cases per operation (the checks send a few requests of their own besides).
SENT = Counter()


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    print(f"\nschemathesis : {dict(SENT)}")


@pytest.fixture
def app(db):
    """The application inside the test's transaction: the connection is not closed at the
    end of each request (as Django's test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schema.app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(db):
    make_programme(smes=1)
    return {"Authorization": f"Bearer {ApiToken.issue(name='Contrat')[1]}"}


# Django's, ninja's and pydantic's English (ninja's 422 said "Field required").
ENGLISH = ("Field required", "field required", "Not Found", "Unauthorized", "Input should")


def errors_in_french(ctx, response, case):
    """An error's body is `{"detail": "<French sentence>", …}`, with no English phrase."""
    if response.status_code < 400:
        return None
    detail = response.json()["detail"]
    assert isinstance(detail, str), detail
    english = [phrase for phrase in ENGLISH if phrase in response.text]
    assert not english, f"{response.status_code} en anglais : {response.text[:300]}"
    return True


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_answers_as_its_schema_says(case, app, bearer):
    SENT[f"{case.method} {case.path}"] += 1
    case.call_and_validate(app=app, headers=bearer, additional_checks=[errors_in_french])
