"""Two people acting on the same thing at the same moment, on real transactions.

Each thread has its own database connection (Django's connections are per thread) and
closes it when done. A slowed-down `full_clean` keeps the first transaction open while the
second one arrives, so the tests do not depend on luck: without the row locks in the
services, both threads would write.
"""

import datetime
from decimal import Decimal

import pytest

from alize.models import Role
from pme.models import ONE_OPEN_DOSSIER_MESSAGE, Dossier, DossierState, DossierTransition, Pme
from pme.services import create_pme_with_dossier, transition_dossier
from tests.alize.factories import BasinFactory, CommuneFactory, EpciFactory
from tests.concurrency import run_together, slow_down
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

# Real commits: the data migration's role groups are restored for each test.
pytestmark = pytest.mark.django_db(transaction=True)


def test_two_staff_submitting_the_same_dossier_at_once(monkeypatch):
    basin = BasinFactory()
    dossier = DossierFactory(pme__basin=basin, under_instruction=True)
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    # Each saw the dossier "under instruction" on their own page.
    alice_copy = Dossier.objects.get(pk=dossier.pk)
    bob_copy = Dossier.objects.get(pk=dossier.pk)
    slow_down(monkeypatch, Dossier)

    outcomes = run_together(
        lambda: transition_dossier(dossier=alice_copy, to_state=DossierState.SUBMITTED, by=alice),
        lambda: transition_dossier(dossier=bob_copy, to_state=DossierState.SUBMITTED, by=bob),
    )

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused == ["Ce dossier est déjà « Soumis au comité »."]
    assert DossierTransition.objects.filter(dossier=dossier).count() == 1
    dossier.refresh_from_db()
    assert dossier.state == DossierState.SUBMITTED


def test_submit_and_withdraw_at_once_leave_one_consistent_story(monkeypatch):
    basin = BasinFactory()
    dossier = DossierFactory(pme__basin=basin, under_instruction=True)
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    copies = [Dossier.objects.get(pk=dossier.pk) for _ in range(2)]
    slow_down(monkeypatch, Dossier)

    outcomes = run_together(
        lambda: transition_dossier(
            dossier=copies[0],
            to_state=DossierState.SUBMITTED,
            by=alice,
            expected_state=DossierState.UNDER_INSTRUCTION,
        ),
        lambda: transition_dossier(
            dossier=copies[1],
            to_state=DossierState.WITHDRAWN,
            by=bob,
            expected_state=DossierState.UNDER_INSTRUCTION,
        ),
    )

    # Whoever came second is told the dossier moved; exactly one move is logged.
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    logs = list(DossierTransition.objects.filter(dossier=dossier))
    assert len(logs) == 1
    dossier.refresh_from_db()
    assert dossier.state == logs[0].to_state


def test_two_staff_registering_the_same_siret_at_once(monkeypatch):
    basin = BasinFactory()
    commune = CommuneFactory(epci=EpciFactory(basin=basin))
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    pme_data = {
        "name": "Heuille",
        "siret": "73282932000074",
        "legal_form": "SAS",
        "naf_code": "25.62B",
        "headcount": 23,
        "address": "12 rue de l'Industrie",
        "commune": commune,
    }
    dossier_data = {
        "project_summary": "Certification ISO 9001.",
        "needs": ["qualite"],
        "jobs_planned": 7,
        "advance_requested": Decimal("15000"),
        "orientation_source": "spontanee",
        "orientation_date": datetime.date(2006, 9, 18),
    }
    slow_down(monkeypatch, Pme)

    outcomes = run_together(
        lambda: create_pme_with_dossier(by=alice, pme_data=pme_data, dossier_data=dossier_data),
        lambda: create_pme_with_dossier(by=bob, pme_data=pme_data, dossier_data=dossier_data),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused == [ONE_OPEN_DOSSIER_MESSAGE]
    assert Pme.objects.count() == 1
    assert Dossier.objects.count() == 1
