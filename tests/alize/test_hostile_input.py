"""Control characters are refused, in French, before anything reads the database.

`alize.middleware.ControlCharactersMiddleware` checks the address, the query string and
the form fields (names and values) of every request.
"""

import pytest
from django.urls import reverse

from alize.forms import parse_id
from alize.middleware import has_control_characters
from alize.models import Basin, Role
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

REFUSED = "caractère de contrôle invisible"


@pytest.mark.parametrize(
    "text", ["\x00", "a\x01b", "\x1b[31m", "\x7f", "\x85", "\x9f", "\x0b", "\x0c"]
)
def test_control_characters_are_spotted(text):
    assert has_control_characters(text)


@pytest.mark.parametrize("text", ["", "Saint-Amand", "a\tb", "ligne 1\r\nligne 2\n", "é€…‮😀"])
def test_tabs_line_breaks_and_printable_unicode_are_not(text):
    assert not has_control_characters(text)


def test_a_nul_byte_in_a_query_string_answers_400_in_french(
    staff_client, django_assert_num_queries
):
    # Not even the session is read: the refusal comes before any SQL.
    with django_assert_num_queries(0):
        response = staff_client.get(reverse("pme:pme_list"), {"q": "Heuille\x00"})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert REFUSED in page
    assert '<html lang="fr">' in page


def test_a_control_character_in_a_field_name_or_the_address_is_refused(staff_client):
    assert staff_client.post(reverse("alize:basin_list"), {"nom\x00": "x"}).status_code == 400
    assert staff_client.get("/pme/\x00/").status_code == 400


def test_a_nul_byte_in_the_sign_in_form_is_refused(client):
    # The sign-in throttle (axes) writes the typed username to the database.
    response = client.post(reverse("login"), {"username": "a\x00@b.fr", "password": "x"})

    assert response.status_code == 400
    assert REFUSED in response.content.decode()


def test_a_tab_in_a_field_is_kept(client, basin):
    manager = make_user(Role.MANAGER, basin)
    client.force_login(manager)
    url = reverse("alize:basin_update", args=[basin.pk])
    data = {
        "name": basin.name,
        "slug": basin.slug,
        "operator_name": "CCI\tdu Valenciennois",
        "operator_short_name": "CCIV",
        "departement": basin.departement,
        "due_date_rule": basin.due_date_rule,
    }

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()
    assert Basin.objects.get(pk=basin.pk).operator_name == "CCI\tdu Valenciennois"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("", None),
        (None, None),
        ("²", None),
        ("١٢", None),
        ("9" * 5000, None),
        ("9" * 19, None),
        ("-1", None),
        ("1.0", None),
    ],
)
def test_an_id_in_an_address_is_ascii_digits_a_bigint_holds(raw, expected):
    # "²".isdigit() is true and int() of 5,000 digits raises: the mission form's
    # `?corporation=` once answered 500 to both (found by test_hostile_forms).
    assert parse_id(raw) == expected
