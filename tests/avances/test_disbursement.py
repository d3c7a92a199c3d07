"""Contract, disbursements in tranches, and the schedule they generate."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import ProgrammingError, transaction

from avances.models import FundMovement, Instalment, MovementKind, Schedule, ScheduleKind
from avances.selectors import fund_balance
from avances.services import close_disbursements, disburse_advance, sign_contract
from tests.avances.factories import CONTRACT_DAY, DISBURSEMENT_DAY, AdvanceFactory

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def advance(basin):
    return AdvanceFactory(basin=basin, signed=True)


def active_instalments(advance):
    return list(
        Instalment.objects.filter(schedule__advance=advance, schedule__is_active=True).order_by(
            "number"
        )
    )


def test_first_disbursement_generates_the_schedule(advance, staff):
    disbursement = disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), by=staff)

    assert disbursement.amount == Decimal("10000.00")
    schedule = Schedule.objects.get(advance=advance)
    assert (schedule.version, schedule.kind, schedule.is_active) == (1, ScheduleKind.INITIAL, True)
    assert schedule.starts_on == D(2007, 4, 16)
    instalments = active_instalments(advance)
    assert len(instalments) == 30
    assert sum(i.amount for i in instalments) == Decimal("10000.00")
    assert instalments[0].due_date == D(2007, 11, 16)
    assert instalments[-1].due_date == D(2010, 4, 16)
    assert instalments[-1].amount == Decimal("333.43")
    movement = FundMovement.objects.get(disbursement=disbursement)
    assert (movement.kind, movement.amount) == (MovementKind.DISBURSEMENT, Decimal("-10000.00"))


def test_a_disbursement_on_31_january_falls_due_at_month_ends(basin, staff):
    advance = AdvanceFactory(
        basin=basin,
        decision_date=D(2007, 12, 10),
        contract_signed_on=D(2008, 1, 15),
        grace_months=0,
        duration_months=6,
        amount=Decimal("6000.00"),
    )
    disburse_advance(advance=advance, disbursed_on=D(2008, 1, 31), by=staff)

    assert [i.due_date for i in active_instalments(advance)] == [
        D(2008, 2, 29),
        D(2008, 3, 31),
        D(2008, 4, 30),
        D(2008, 5, 31),
        D(2008, 6, 30),
        D(2008, 7, 31),
    ]


def test_a_second_tranche_during_the_grace_period_respreads_the_principal(advance, staff):
    disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), by=staff, amount=Decimal("6000"))
    disburse_advance(
        advance=advance, disbursed_on=D(2007, 7, 2), by=staff, amount=Decimal("4000.00")
    )

    first, second = Schedule.objects.filter(advance=advance).order_by("version")
    assert (first.is_active, first.principal) == (False, Decimal("6000.00"))
    assert (second.is_active, second.kind) == (True, ScheduleKind.TRANCHE)
    assert second.principal == Decimal("10000.00")
    # Same calendar: counted from the first disbursement.
    assert second.starts_on == D(2007, 4, 16)
    instalments = active_instalments(advance)
    assert instalments[0].due_date == D(2007, 11, 16)
    assert sum(i.amount for i in instalments) == Decimal("10000.00")
    assert first.instalments.count() == 30


def test_tranches_never_exceed_the_amount_granted(advance, staff):
    disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), by=staff, amount=Decimal("6000"))
    with pytest.raises(ValidationError) as refusal:
        disburse_advance(
            advance=advance, disbursed_on=D(2007, 5, 2), by=staff, amount=Decimal("4000.01")
        )
    assert "au-delà du montant accordé" in refusal.value.message_dict["amount"][0]
    assert advance.disbursements.count() == 1


def test_a_tranche_after_the_first_instalment_is_refused(advance, staff):
    disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), by=staff, amount=Decimal("6000"))
    with pytest.raises(ValidationError) as refusal:
        disburse_advance(advance=advance, disbursed_on=D(2007, 11, 16), by=staff)
    assert refusal.value.message_dict["disbursed_on"][0].startswith(
        "Une nouvelle tranche se verse avant la première échéance (16/11/2007)"
    )


def test_no_disbursement_before_the_contract_is_signed(basin, staff):
    advance = AdvanceFactory(basin=basin)
    with pytest.raises(ValidationError) as refusal:
        disburse_advance(advance=advance, disbursed_on=D(2007, 4, 16), by=staff)
    assert refusal.value.messages == [
        "Le contrat de l'avance n'est pas signé : enregistrez sa signature avant de verser "
        "l'avance."
    ]
    sign_contract(advance=advance, signed_on=CONTRACT_DAY, by=staff)
    with pytest.raises(ValidationError) as refusal:
        disburse_advance(advance=advance, disbursed_on=D(2007, 4, 1), by=staff)
    assert refusal.value.message_dict["disbursed_on"] == [
        "Un versement ne peut précéder la signature du contrat (02/04/2007)."
    ]
    assert not Schedule.objects.exists()


def test_the_contract_is_signed_after_the_decision(basin, staff):
    advance = AdvanceFactory(basin=basin)
    with pytest.raises(ValidationError) as refusal:
        sign_contract(advance=advance, signed_on=D(2007, 3, 14), by=staff)
    assert "après la décision d'octroi (15/03/2007)" in refusal.value.messages[0]


def test_the_contract_date_is_frozen_once_disbursed(basin, staff):
    advance = AdvanceFactory(basin=basin, disbursed=True)
    with pytest.raises(ValidationError):
        sign_contract(advance=advance, signed_on=D(2007, 4, 3), by=staff)


def test_closing_disbursements_releases_the_commitment(basin, staff):
    advance = AdvanceFactory(basin=basin, signed=True)
    disburse_advance(
        advance=advance, disbursed_on=DISBURSEMENT_DAY, by=staff, amount=Decimal("6000")
    )
    assert fund_balance(basin.pk).committed == Decimal("4000.00")

    close_disbursements(advance=advance, closed_on=D(2007, 12, 1), by=staff)

    assert fund_balance(basin.pk).committed == Decimal("0.00")
    with pytest.raises(ValidationError):
        disburse_advance(advance=advance, disbursed_on=D(2007, 12, 2), by=staff)


def test_disbursements_schedules_and_instalments_cannot_be_rewritten(basin):
    advance = AdvanceFactory(basin=basin, disbursed=True)
    with pytest.raises(ProgrammingError, match="Cannot"), transaction.atomic():
        advance.disbursements.update(amount=Decimal("1.00"))
    with pytest.raises(ProgrammingError, match="Cannot"), transaction.atomic():
        Instalment.objects.filter(schedule__advance=advance).update(amount=Decimal("1.00"))
    with pytest.raises(ProgrammingError, match="Cannot"), transaction.atomic():
        FundMovement.objects.filter(advance=advance).delete()
    with pytest.raises(ProgrammingError), transaction.atomic():
        Schedule.objects.filter(advance=advance).update(principal=Decimal("1.00"))
    # Only the active flag of a schedule changes (when a new version replaces it).
    Schedule.objects.filter(advance=advance).update(is_active=False)
