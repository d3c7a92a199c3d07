"""No silent overwrite: two staff editing the same SME, dossier, corporation or advance
terms at once; the second save gets the conflict page with what changed meanwhile."""

import datetime

import pytest
from django.urls import reverse

from alize.models import Role
from alize.versioning import EditConflict
from avances.services import reschedule_advance
from grandes_entreprises.services import update_corporation
from pme.models import Dossier, Pme
from pme.services import update_dossier, update_pme
from tests.alize.test_form_actions import FormCollector
from tests.avances.factories import AdvanceFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationFactory
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = pytest.mark.django_db


def form_data(page: str, action: str = "") -> dict:
    """The values of the page's form that posts to `action` (or to the page itself)."""
    collector = FormCollector()
    collector.feed(page)
    forms = [f for f in collector.forms if f["method"] == "post" and f["action"] in ("", action)]
    return dict(max(forms, key=lambda f: len(f["data"]))["data"])


@pytest.fixture
def colleagues(basin):
    return make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)


def test_a_second_save_of_an_sme_gets_the_conflict_page(client, basin, colleagues):
    first, second = colleagues
    pme = PmeFactory(basin=basin, name="Heuille", headcount=12)
    url = reverse("pme:pme_update", args=[pme.pk])
    client.force_login(second)
    data = form_data(client.get(url).content.decode())  # the second opens the form...
    assert data["version"] == "1"
    # ...the first saves a change meanwhile...
    update_pme(pme=pme, by=first, data={"name": "Heuille Mécanique"}, version=1)
    # ...the second saves its own edit of the form it opened before.
    data["headcount"] = "15"
    response = client.post(url, data)

    assert response.status_code == 409
    page = response.content.decode()
    assert "modifiée par quelqu&#x27;un d&#x27;autre" in page
    changes = response.context["changes"]
    assert [(entry.who, entry.changes) for entry in changes] == [
        (str(first), [("raison sociale", "Heuille", "Heuille Mécanique")])
    ]
    assert ("Effectif salarié", "15") in response.context["typed"]
    pme.refresh_from_db()
    assert (pme.name, pme.headcount, pme.version) == ("Heuille Mécanique", 12, 2)
    # The form to redo the edit shows the record as it is now, at its new version.
    redo = response.context["form"]
    assert redo["version"].value() == 2 and redo["name"].value() == "Heuille Mécanique"
    data = form_data(page, url)
    data["headcount"] = "15"
    assert client.post(url, data).status_code == 302
    pme.refresh_from_db()
    assert (pme.name, pme.headcount, pme.version) == ("Heuille Mécanique", 15, 3)


def test_a_dossier_saved_from_an_older_version_is_refused_with_the_changes(basin, colleagues):
    first, second = colleagues
    dossier = DossierFactory(pme__basin=basin, jobs_planned=5)
    update_dossier(dossier=dossier, by=first, data={"jobs_planned": 8}, version=1)
    with pytest.raises(EditConflict) as conflict:
        update_dossier(dossier=dossier, by=second, data={"jobs_planned": 3}, version=1)
    (entry,) = conflict.value.changes
    assert entry.who == str(first)
    assert [(before, after) for _, before, after in entry.changes] == [("5", "8")]
    assert Dossier.objects.get(pk=dossier.pk).jobs_planned == 8


def test_the_dossier_form_gets_the_conflict_page(client, basin, colleagues):
    first, second = colleagues
    dossier = DossierFactory(pme__basin=basin, jobs_planned=5)
    url = reverse("pme:dossier_update", args=[dossier.pk])
    client.force_login(second)
    data = form_data(client.get(url).content.decode(), url)
    update_dossier(dossier=dossier, by=first, data={"jobs_planned": 8}, version=1)
    data["jobs_planned"] = "3"
    response = client.post(url, data)
    assert response.status_code == 409
    assert response.context["changes"][0].changes[0][1:] == ("5", "8")
    assert Dossier.objects.get(pk=dossier.pk).jobs_planned == 8


def test_the_corporation_form_gets_the_conflict_page(client, basin, colleagues):
    first, second = colleagues
    corporation = CorporationFactory(basin=basin)
    url = reverse("grandes_entreprises:corporation_update", args=[corporation.pk])
    client.force_login(second)
    data = form_data(client.get(url).content.decode(), url)
    update_corporation(
        corporation=corporation, by=first, data={"site_name": "Site de Valenciennes"}, version=1
    )
    data["site_name"] = "Site d'Onnaing"
    response = client.post(url, data)
    assert response.status_code == 409
    (entry,) = response.context["changes"]
    assert entry.changes[0][2] == "Site de Valenciennes"
    corporation.refresh_from_db()
    assert corporation.site_name == "Site de Valenciennes"


def test_rescheduling_from_a_stale_page_gets_the_conflict_page(client, basin, colleagues):
    manager, other_manager = make_user(Role.MANAGER, basin), make_user(Role.MANAGER, basin)
    advance = AdvanceFactory(
        basin=basin,
        dossier=DossierFactory(pme=PmeFactory(basin=basin), approved=True),
        disbursed=True,
    )
    detail = reverse("avances:advance_detail", args=[advance.pk])
    url = reverse("avances:reschedule", args=[advance.pk])
    client.force_login(other_manager)
    data = form_data(client.get(detail).content.decode(), url)
    assert data["reechelonnement-version"] == str(advance.version)
    reschedule_advance(
        advance=advance,
        from_date=datetime.date(2008, 1, 7),
        duration_months=24,
        grace_months=0,
        reason="Trésorerie",
        by=manager,
        version=advance.version,
    )
    schedules = advance.schedules.count()
    data.update(
        {
            "reechelonnement-from_date": "2008-01-07",
            "reechelonnement-duration_months": "30",
            "reechelonnement-grace_months": "0",
            "reechelonnement-reason": "Demande de la PME",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 409
    (entry,) = response.context["changes"]
    assert entry.who == str(manager) and entry.subject == "Échéancier"
    assert ("Motif", "Demande de la PME") in response.context["typed"]
    assert advance.schedules.count() == schedules


def test_a_save_without_a_version_still_works(basin, colleagues):
    """A script or a service called without a form skips the check, and still counts."""
    pme = PmeFactory(basin=basin)
    update_pme(pme=pme, by=colleagues[0], data={"headcount": 20})
    assert Pme.objects.get(pk=pme.pk).version == 2
