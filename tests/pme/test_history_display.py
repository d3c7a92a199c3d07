"""The audit trail reads in French on the dossier page, credited to who made each change."""

import pytest
from django.urls import reverse

from alize.history import history_for
from pme import services
from pme.models import Need
from pme.workflow import DossierState as State
from tests.alize.factories import CommuneFactory, EpciFactory
from tests.pme.factories import DossierFactory, PmeFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def dossier(basin, staff):
    commune = CommuneFactory(epci=EpciFactory(basin=basin))
    pme = PmeFactory(basin=basin, commune=commune)
    return DossierFactory(pme=pme, staff_member=staff, needs=[Need.QUALITY, Need.SALES])


def test_changes_are_shown_in_french_and_credited_to_their_author(dossier, staff, staff_client):
    services.transition_dossier(dossier=dossier, to_state=State.UNDER_INSTRUCTION, by=staff)

    entries = history_for(dossier)
    moved = entries[0]
    assert moved.who == str(staff)
    changes = {label: after for label, _before, after in moved.changes}
    # Timestamps read as 26/11/2026 14:05, never as ISO strings.
    timestamp = next(value for label, value in changes.items() if "depuis" in label.lower())
    assert "T" not in timestamp and "/" in timestamp
    created = {label: after for label, _before, after in entries[-1].changes}
    assert any(value == "Qualité, Commercial" for value in created.values())

    html = staff_client.get(reverse("pme:dossier_detail", args=[dossier.pk])).content.decode()
    assert "Qualité, Commercial" in html
    assert f"par {staff}" in html
