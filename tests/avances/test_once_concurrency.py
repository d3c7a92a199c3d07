"""A double click whose two requests arrive at the same instant, and two colleagues saving
the same record at the same instant, on real transactions (see `tests.concurrency`)."""

import datetime
import uuid
from decimal import Decimal

import pytest

from alize import once
from alize.models import Role, Submission
from alize.versioning import CONFLICT_MESSAGE
from avances.models import Payment
from avances.services import record_payment
from pme.models import Pme
from pme.services import update_pme
from tests.alize.factories import BasinFactory
from tests.avances.factories import AdvanceFactory
from tests.concurrency import run_together, slow_down
from tests.conftest import make_user
from tests.pme.factories import PmeFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_same_token_at_the_same_instant_records_one_payment(monkeypatch):
    basin = BasinFactory()
    advance = AdvanceFactory(basin=basin, disbursed=True)
    alice = make_user(Role.STAFF, basin)
    token = uuid.uuid4()
    slow_down(monkeypatch, Payment)

    def submit():
        def perform():
            record_payment(
                advance=advance,
                paid_on=datetime.date(2007, 11, 16),
                amount=Decimal("500"),
                by=alice,
            )
            return "/avances/", "Le remboursement est enregistré."

        return once.run_once(token=token, user=alice, path="/paiement", perform=perform)

    outcomes = run_together(submit, submit)

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    results = sorted((result is None for _, result in outcomes))
    assert results == [False, True]  # one recorded, the other got the first result back
    replay = next(result for _, result in outcomes if result is not None)
    assert replay.message == "Le remboursement est enregistré."
    assert Payment.objects.filter(advance=advance).count() == 1
    assert Submission.objects.filter(token=token).count() == 1


def test_two_saves_of_the_same_version_at_the_same_instant_keep_the_first(monkeypatch):
    basin = BasinFactory()
    pme = PmeFactory(basin=basin, name="Heuille", headcount=12)
    alice, bob = make_user(Role.STAFF, basin), make_user(Role.STAFF, basin)
    slow_down(monkeypatch, Pme)

    outcomes = run_together(
        lambda: update_pme(pme=pme, by=alice, data={"headcount": 15}, version=1),
        lambda: update_pme(pme=pme, by=bob, data={"headcount": 20}, version=1),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(detail for kind, detail in outcomes if kind == "refused")
    assert refused == [CONFLICT_MESSAGE]
    pme.refresh_from_db()
    assert pme.version == 2 and pme.headcount in (15, 20)
