"""An approval granting an advance creates it in the same transaction; a refused grant
(fund, de minimis, rights) leaves no decision, no dossier move and no advance."""

import datetime
import time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alize.models import Role
from avances.models import Advance, DeMinimisDeclaration
from avances.selectors import fund_balance
from avances.services import NO_DECLARATION_MESSAGE
from comites import services
from comites.models import Decision
from comites.workflow import AttendanceStatus, DecisionOutcome, VoteChoice
from pme.models import Dossier, DossierState, Need
from tests.alize.factories import AdvanceCapFactory, BasinFactory
from tests.avances.conftest import fund
from tests.avances.factories import (
    DeMinimisAidFactory,
    DeMinimisDeclarationFactory,
    ReferenceRateFactory,
)
from tests.comites.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
)
from tests.concurrency import run_together
from tests.conftest import make_user
from tests.grandes_entreprises.factories import CorporationFactory

APPROVED = DecisionOutcome.APPROVED


def voted(board, advance_requested=Decimal("15000.00")):
    """A dossier adopted unanimously (Alstom proposed, its representative recused)."""
    if not board.items:
        board.everyone_present()
    item = board.item(
        proposed_corporations=[board.alstom.corporation],
        dossier__advance_requested=advance_requested,
    )
    services.open_item(item=item, by=board.chair.person)
    for member in (board.chair, *board.members[1:]):
        services.cast_vote(item=item, member=member, choice=VoteChoice.FOR, by=member.person)
    return services.close_item(item=item, by=board.chair.person)


def approve(board, item, advance, by=None):
    return services.record_decision(
        item=item,
        outcome=APPROVED,
        corporations=[board.alstom.corporation],
        domains=[Need.QUALITY],
        advance_granted=advance,
        by=by or board.secretary.person,
    )


def assert_nothing_saved(item):
    assert not Decision.objects.filter(item=item).exists()
    assert not Advance.objects.exists()
    assert Dossier.objects.get(pk=item.dossier_id).state == DossierState.SUBMITTED


@pytest.mark.django_db
def test_an_approval_with_an_advance_creates_exactly_one_advance(board):
    item = voted(board)

    decision = approve(board, item, Decimal("12000"))

    advance = Advance.objects.get()
    assert advance.dossier_id == item.dossier_id
    assert advance.basin == board.basin
    assert advance.amount == decision.advance_granted == Decimal("12000.00")
    assert advance.cap_copied == decision.cap_copied == Decimal("15000.00")
    assert advance.decision_date == decision.decision_date == board.session.day
    assert advance.granted_by == board.secretary.person
    assert fund_balance(board.basin.pk).committed == Decimal("12000.00")


@pytest.mark.django_db
def test_an_approval_without_an_advance_creates_none(board):
    approve(board, voted(board), Decimal("0"))

    assert not Advance.objects.exists()
    assert Decision.objects.get().outcome == APPROVED


@pytest.mark.django_db
def test_an_advance_beyond_the_funds_available_balance_refuses_the_decision(board):
    first, second = voted(board), voted(board)
    approve(board, first, Decimal("15000"))
    # The fund holds 100 000 €: spend all but 5 000 € of what is left.
    for _ in range(5):
        approve(board, voted(board), Decimal("15000"))
    assert fund_balance(board.basin.pk).available == Decimal("10000.00")

    with pytest.raises(ValidationError) as refusal:
        approve(board, second, Decimal("15000"))

    assert list(refusal.value.message_dict) == ["advance_granted"]
    assert "ne dispose que de" in refusal.value.message_dict["advance_granted"][0]
    assert not Decision.objects.filter(item=second).exists()
    assert not Advance.objects.filter(dossier=second.dossier).exists()
    assert Dossier.objects.get(pk=second.dossier_id).state == DossierState.SUBMITTED
    assert Advance.objects.count() == 6


@pytest.mark.django_db
def test_an_sme_without_a_de_minimis_declaration_is_refused_until_staff_record_it(board):
    item = voted(board)
    DeMinimisDeclaration.objects.filter(pme=item.dossier.pme).delete()

    with pytest.raises(ValidationError) as refusal:
        approve(board, item, Decimal("12000"))

    assert refusal.value.message_dict == {"advance_granted": [NO_DECLARATION_MESSAGE]}
    assert_nothing_saved(item)

    DeMinimisDeclarationFactory(pme=item.dossier.pme)
    approve(board, item, Decimal("12000"))
    assert Advance.objects.count() == 1


@pytest.mark.django_db
def test_the_de_minimis_ceiling_refuses_the_decision(board):
    item = voted(board)
    # A recent declaration: 299 900 € of aid received in the three years to the session.
    declaration = DeMinimisDeclaration.objects.get(pme=item.dossier.pme)
    declaration.declared_on = board.session.day - datetime.timedelta(days=1)
    declaration.save()
    DeMinimisAidFactory(
        declaration=declaration,
        granted_on=board.session.day - datetime.timedelta(days=30),
        amount=Decimal("299900.00"),
    )

    with pytest.raises(ValidationError) as refusal:
        approve(board, item, Decimal("12000"))

    assert "de minimis" in refusal.value.message_dict["advance_granted"][0]
    assert_nothing_saved(item)


@pytest.mark.django_db
def test_the_chair_records_an_approval_granting_an_advance_as_the_committee_decided(board):
    """The committee grants the advance; whoever records its decision creates it, even
    when that person is not an operator manager (here the chair, a corporation's
    representative). The amount's rules still hold."""
    item = voted(board)

    with pytest.raises(ValidationError, match="dépasse l'avance demandée"):
        approve(board, item, Decimal("15000.01"), by=board.chair.person)
    assert_nothing_saved(item)

    approve(board, item, Decimal("12000"), by=board.chair.person)

    advance = Advance.objects.get()
    assert advance.amount == Decimal("12000.00")
    assert advance.granted_by == board.chair.person


@pytest.mark.django_db
def test_a_member_of_another_basin_cannot_record_the_decision_nor_grant(board):
    item = voted(board)
    outsider = make_user(Role.MANAGER, BasinFactory())

    with pytest.raises(PermissionDenied):
        approve(board, item, Decimal("12000"), by=outsider)

    assert_nothing_saved(item)


# --- Concurrency -----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_approvals_racing_for_the_funds_last_euros_neither_deadlock_nor_overspend(
    monkeypatch,
):
    basin = BasinFactory()
    AdvanceCapFactory(basin=basin, amount=Decimal("15000.00"), valid_from=datetime.date(2005, 7, 1))
    ReferenceRateFactory()
    fund(basin, Decimal("20000.00"))
    manager = make_user(Role.MANAGER, basin)
    committee = CommitteeFactory(basin=basin)
    chair = MembershipFactory(committee=committee, chair=True)
    secretary = MembershipFactory(committee=committee, secretary=True, person=manager)
    session = SessionFactory(committee=committee, sitting=True)
    AttendanceFactory(session=session, membership=chair, status=AttendanceStatus.PRESENT)
    corporation = CorporationFactory(basin=basin)
    items = []
    for _ in range(2):
        item = AgendaItemFactory(session=session, proposed_corporations=[corporation])
        DeMinimisDeclarationFactory(pme=item.dossier.pme)
        services.open_item(item=item, by=chair.person)
        services.cast_vote(item=item, member=chair, choice=VoteChoice.FOR, by=chair.person)
        items.append(services.close_item(item=item, by=chair.person))
    original = Advance.full_clean

    def slow_full_clean(self, *args, **kwargs):
        time.sleep(0.4)  # the first grant holds its locks while the second arrives
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Advance, "full_clean", slow_full_clean)

    def decide(item):
        return lambda: services.record_decision(
            item=item,
            outcome=APPROVED,
            domains=[Need.QUALITY],
            corporations=[corporation],
            advance_granted=Decimal("15000"),
            by=secretary.person,
        )

    outcomes = run_together(*(decide(item) for item in items))

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert Advance.objects.count() == 1
    assert Decision.objects.count() == 1
    assert fund_balance(basin.pk).available == Decimal("5000.00")
