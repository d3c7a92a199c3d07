"""Two people logging days or payments at the same moment, on real transactions.

Each thread has its own database connection and closes it when done. A slowed-down
`full_clean` keeps the first transaction open while the second arrives, so the outcome
does not depend on luck: without the row locks of the services, both would write.
"""

import datetime
from decimal import Decimal

import pytest

from alize.models import Role
from grandes_entreprises.models import ConventionPayment, DayLog
from grandes_entreprises.services import (
    create_convention,
    log_days,
    record_convention_payment,
)
from tests.alize.factories import BasinFactory
from tests.concurrency import run_together, slow_down
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DayLogFactory,
    ExpertFactory,
    SupportMissionFactory,
)

# Real commits: the data migrations' roles and SMIC table are restored for each test.
pytestmark = pytest.mark.django_db(transaction=True)

D = datetime.date


@pytest.fixture
def setting():
    basin = BasinFactory()
    corporation = CorporationFactory(basin=basin)
    coordinator = make_user(Role.COORDINATOR)
    corporation.coordinators.add(coordinator)
    return {
        "corporation": corporation,
        "staff": make_user(Role.STAFF, basin),
        "coordinator": coordinator,
        "expert": ExpertFactory(corporation=corporation, name="Jean Dupuis"),
    }


def test_two_entries_that_together_pass_the_working_days(monkeypatch, setting):
    expert = setting["expert"]
    # Friday to Monday: two working days; Friday and half of Saturday already logged.
    mission = SupportMissionFactory(
        corporation=setting["corporation"],
        experts=[expert],
        running=True,
        planned_days=Decimal("2"),
        start_date=D(2007, 4, 6),
        end_date=D(2007, 4, 9),
    )
    DayLogFactory(mission=mission, date=D(2007, 4, 6))
    DayLogFactory(mission=mission, date=D(2007, 4, 7), half=True)
    slow_down(monkeypatch, DayLog)

    def entry(day, by):
        return lambda: log_days(
            mission=mission, expert=expert, date=day, days=Decimal("0.5"), by=by
        )

    outcomes = run_together(
        entry(D(2007, 4, 8), setting["staff"]), entry(D(2007, 4, 9), setting["coordinator"])
    )
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(messages for kind, messages in outcomes if kind == "refused")
    assert "Cette mission compte 2 jours ouvrés" in refused[0]
    assert sum(DayLog.objects.values_list("days", flat=True)) == Decimal("2.0")


def test_one_expert_on_two_missions_the_same_day(monkeypatch, setting):
    expert = setting["expert"]
    first, second = (
        SupportMissionFactory(corporation=setting["corporation"], experts=[expert], running=True)
        for _ in range(2)
    )
    slow_down(monkeypatch, DayLog)

    def entry(mission, by):
        return lambda: log_days(
            mission=mission, expert=expert, date=D(2007, 4, 2), days=Decimal("1"), by=by
        )

    # The missions are different rows: only the lock on the expert serialises these two.
    outcomes = run_together(entry(first, setting["staff"]), entry(second, setting["coordinator"]))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert DayLog.objects.count() == 1


def test_two_payments_that_together_pass_the_amount_due(monkeypatch, setting):
    staff = setting["staff"]
    convention = create_convention(
        by=staff,
        corporation=setting["corporation"],
        reference="REV-1",
        signature_date=D(2025, 3, 14),
        jobs_eliminated=120,
        employees_reclassified=20,
        multiple=Decimal("2"),
    )
    slow_down(monkeypatch, ConventionPayment)

    def payment():
        return lambda: record_convention_payment(
            convention=convention, by=staff, paid_on=D(2025, 6, 30), amount=Decimal("200000")
        )

    outcomes = run_together(payment(), payment())
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert ConventionPayment.objects.count() == 1
