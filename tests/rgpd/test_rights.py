"""A contact's rights: access (JSON, PDF) and erasure on request, refused with the reason
where a legal retention applies; the register of processing activities."""

import datetime
import json

import pytest
from django.db import connection
from django.urls import reverse

from alize import audit
from pme.models import PmeContact
from rgpd import services
from rgpd.models import Reason, Redaction
from tests.pme.factories import DossierFactory, PmeContactFactory, PmeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def contact(basin):
    pme = PmeFactory(basin=basin, name="Fonderie du Hainaut")
    DossierFactory(pme=pme, closed=True)
    contact = PmeContactFactory(pme=pme, name="Jeanne Martin", email="jeanne@fonderie.fr")
    contact.role = "Gérante"
    contact.save()
    return contact


def test_export_json_holds_the_person_and_their_history(staff_client, contact):
    response = staff_client.get(reverse("rgpd:contact_export_json", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["personne"]["name"] == "Jeanne Martin"
    assert data["personne"]["email"] == "jeanne@fonderie.fr"
    assert data["entreprise"]["raison_sociale"] == "Fonderie du Hainaut"
    assert [event["evenement"] for event in data["historique"]] == ["insert", "update"]


def test_export_pdf(staff_client, contact):
    response = staff_client.get(reverse("rgpd:contact_export_pdf", args=[contact.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_rights_page_is_linked_from_the_sme_page(staff_client, contact):
    response = staff_client.get(contact.pme.get_absolute_url())
    assert reverse("rgpd:contact_rights", args=[contact.pk]) in response.content.decode()
    page = staff_client.get(reverse("rgpd:contact_rights", args=[contact.pk]))
    assert "Effacer les données de ce contact" in page.content.decode()


def test_erasure_deletes_the_contact_and_redacts_its_events(staff_client, staff, contact):
    pk = contact.pk

    response = staff_client.post(reverse("rgpd:contact_erase", args=[pk]))

    assert response.status_code == 302
    assert not PmeContact.objects.filter(pk=pk).exists()
    events = PmeContact.pgh_event_model.objects.filter(pgh_obj_id=pk)
    assert events.count() == 3  # created, changed, deleted: the history stays, redacted
    dumped = json.dumps(list(events.values()), default=str)
    assert "Jeanne" not in dumped and "jeanne@" not in dumped and "Gérante" not in dumped
    assert audit.verify(connection).intact
    redaction = Redaction.objects.get()
    assert (redaction.by, redaction.reason, len(redaction.row_pks)) == (staff, Reason.ERASURE, 3)


def test_erasure_is_refused_while_an_advance_is_owed_or_under_control(
    staff_client, contact, monkeypatch
):
    reason = "L'avance remboursable AV-1 de l'entreprise n'est pas entièrement remboursée."
    monkeypatch.setattr(services, "legal_hold", lambda pme, today=None: reason)

    page = staff_client.get(reverse("rgpd:contact_rights", args=[contact.pk]))
    assert "L'effacement n'est pas possible" in page.content.decode()
    response = staff_client.post(reverse("rgpd:contact_erase", args=[contact.pk]), follow=True)

    assert PmeContact.objects.filter(pk=contact.pk).exists()
    assert "n'est pas entièrement remboursée".replace("'", "&#x27;") in response.content.decode()
    assert not Redaction.objects.exists()


def test_an_advance_still_owed_then_the_control_period_hold_the_data(basin):
    from tests.avances.factories import AdvanceFactory

    advance = AdvanceFactory(basin=basin, disbursed=True)
    contact = PmeContactFactory(pme=advance.dossier.pme, name="Luc Lefebvre")

    owed = services.erasure_refusal(contact)
    assert advance.reference in owed and "entièrement remboursée" in owed
    # Once nothing is owed (here: written off), the control period still holds it.
    type(advance).objects.filter(pk=advance.pk).update(written_off_on=datetime.date(2010, 1, 4))
    day = advance.decision_date
    under_control = services.erasure_refusal(contact, day + datetime.timedelta(days=400))
    assert "contrôle des fonds publics" in under_control
    assert services.erasure_refusal(contact, day + datetime.timedelta(days=3660)) is None


def test_the_register_is_the_administrators(client, contact):
    from alize.models import Role
    from tests.conftest import make_user

    client.force_login(make_user(Role.ADMIN))
    response = client.get(reverse("rgpd:register"))
    html = response.content.decode()
    assert "Registre des activités de traitement" in html
    assert "Base légale" in html and "Durée de conservation" in html
    home = client.get(reverse("home"))
    assert reverse("rgpd:register") in home.content.decode()


def test_the_redaction_goes_through_the_owner_connection_when_there_is_one(monkeypatch):
    from types import SimpleNamespace

    from rgpd import redaction

    assert redaction.write_alias() == "default"
    owner = SimpleNamespace(DATABASES={"default": {}, "owner": {}})
    monkeypatch.setattr(redaction, "settings", owner)
    assert redaction.write_alias() == "owner"
