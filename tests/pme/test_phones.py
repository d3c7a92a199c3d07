"""Contact phone numbers: validated, stored in E.164, shown the French way; the data
migration that converted the earlier entries."""

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse

from alize.formatting import phone
from pme.models import PmeContact
from pme.services import add_contact, update_contact
from tests.pme.factories import PmeFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "stored", "shown"),
    [
        ("03 27 51 31 31", "+33327513131", "03 27 51 31 31"),
        ("0327513131", "+33327513131", "03 27 51 31 31"),
        ("03.27.51.31.31", "+33327513131", "03 27 51 31 31"),
        ("+33 3 27 51 31 31", "+33327513131", "03 27 51 31 31"),
        ("06 12 34 56 78", "+33612345678", "06 12 34 56 78"),
        ("+32 2 555 12 12", "+3225551212", "+32 2 555 12 12"),  # Belgian: stays international
    ],
)
def test_a_phone_is_stored_in_e164_and_shown_the_french_way(basin, staff, typed, stored, shown):
    contact = add_contact(pme=PmeFactory(basin=basin), by=staff, data={"name": "C", "phone": typed})
    contact.refresh_from_db()
    assert str(contact.phone) == stored
    assert PmeContact.objects.filter(phone=stored).exists()
    assert phone(contact.phone) == shown


@pytest.mark.parametrize("typed", ["abc", "12", "03 27 51 31", "+33 0 00 00 00 00", "0800 00"])
def test_a_number_that_is_not_one_is_refused_in_french(basin, staff, typed):
    pme = PmeFactory(basin=basin)
    with pytest.raises(ValidationError) as excinfo:
        add_contact(pme=pme, by=staff, data={"name": "X", "phone": typed})
    assert excinfo.value.message_dict["phone"] == ["Le numéro saisi n'est pas valide."]
    assert not PmeContact.objects.filter(pme=pme).exists()


def test_the_contact_form_refuses_a_bad_number_and_shows_a_good_one_the_french_way(
    staff_client, basin
):
    pme = PmeFactory(basin=basin)
    url = reverse("pme:contact_create", args=[pme.pk])
    response = staff_client.post(url, {"name": "Jeanne", "phone": "03 27"})
    assert response.status_code == 200
    assert "Saisissez un numéro de téléphone valide" in response.content.decode()
    assert not PmeContact.objects.filter(pme=pme).exists()

    staff_client.post(url, {"name": "Jeanne", "phone": "0327513131"})
    contact = PmeContact.objects.get(pme=pme)
    assert str(contact.phone) == "+33327513131"
    page = staff_client.get(pme.get_absolute_url()).content.decode()
    assert "03 27 51 31 31" in page and "+33327513131" not in page


def test_the_data_migration_converts_what_reads_and_keeps_the_rest_to_check(basin, staff, capsys):
    pme = PmeFactory(basin=basin)
    good = PmeContact.objects.create(pme=pme, name="A", phone="+33327513131")
    bad = PmeContact.objects.create(pme=pme, name="B")
    none = PmeContact.objects.create(pme=pme, name="C")
    # What earlier versions let through: a French number written any way, free text.
    PmeContact.objects.filter(pk=good.pk).update(phone="03.27.51.31.31")
    PmeContact.objects.filter(pk=bad.pk).update(phone="demander à l'accueil")
    migration = importlib.import_module("pme.migrations.0006_contact_phone_e164")
    convert = migration.convert_phones("pme.PmeContact")

    convert.code(apps, None)

    good.refresh_from_db()
    bad.refresh_from_db()
    none.refresh_from_db()
    assert (str(good.phone), good.phone_to_check) == ("+33327513131", "")
    assert (str(bad.phone), bad.phone_to_check) == ("", "demander à l'accueil")
    assert (str(none.phone), none.phone_to_check) == ("", "")
    printed = capsys.readouterr().out
    assert "1 numéro(s) illisible(s), à vérifier" in printed
    assert f"contact {bad.pk} : « demander à l'accueil »" in printed
    # Staff see it to correct; typing a good number clears it.
    update_contact(contact=bad, by=staff, data={"phone": "03 27 00 00 01"})
    bad.refresh_from_db()
    assert (str(bad.phone), bad.phone_to_check) == ("+33327000001", "")
