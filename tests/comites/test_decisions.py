"""Decisions: they follow the vote, respect the request and the basin's cap at the session
date, and move the dossier in the same transaction."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from comites import services
from comites.models import Decision
from comites.workflow import DecisionOutcome, SessionStatus, VoteChoice
from pme.models import Dossier, DossierState, DossierTransition, Need
from tests.alize.factories import AdvanceCapFactory
from tests.comites.factories import DecisionFactory, close, move_session

pytestmark = pytest.mark.django_db

APPROVED, DEFERRED, REJECTED = (
    DecisionOutcome.APPROVED,
    DecisionOutcome.DEFERRED,
    DecisionOutcome.REJECTED,
)


def voted(board, choice=VoteChoice.FOR, advance_requested=Decimal("20000.00")):
    """A dossier asking for `advance_requested`, Alstom proposed; all vote `choice`."""
    board.everyone_present()
    item = board.item(
        proposed_corporations=[board.alstom.corporation],
        dossier__advance_requested=advance_requested,
    )
    services.open_item(item=item, by=board.chair.person)
    for member in (board.chair, *board.members[1:]):
        services.cast_vote(item=item, member=member, choice=choice, by=member.person)
    return services.close_item(item=item, by=board.chair.person)


def decide(board, item, outcome=APPROVED, **kwargs):
    if outcome == APPROVED:
        kwargs.setdefault("corporations", [board.alstom.corporation])
        kwargs.setdefault("domains", [Need.QUALITY, Need.PRODUCTION])
    return services.record_decision(item=item, outcome=outcome, by=board.secretary.person, **kwargs)


def test_an_approval_moves_the_dossier_and_copies_the_cap(board):
    item = voted(board)
    decision = decide(board, item, advance_granted=Decimal("15000"))
    assert decision.cap_copied == Decimal("15000.00")
    assert decision.advance_requested == Decimal("20000.00")
    assert decision.decision_date == board.session.day
    assert list(decision.corporations.all()) == [board.alstom.corporation]
    assert decision.domains == [Need.PRODUCTION, Need.QUALITY]
    dossier = item.dossier
    dossier.refresh_from_db()
    assert dossier.state == DossierState.APPROVED
    assert dossier.decision_date == board.session.day
    log = DossierTransition.objects.get(dossier=dossier)
    assert log.to_state == DossierState.APPROVED and log.by == board.secretary.person
    assert "4 pour, 0 contre, 0 abstention" in log.comment


def test_a_cent_over_the_valenciennes_cap_is_refused(board):
    item = voted(board)
    with pytest.raises(ValidationError) as refused:
        decide(board, item, advance_granted=Decimal("15000.01"))
    # The one cap check (`Basin.check_advance_cap`) says it as the advances' grant does.
    assert refused.value.message_dict["advance_granted"] == [
        f"15\u202f000,01\u00a0€ dépasse le plafond des avances du bassin {board.basin} en "
        f"vigueur au {board.session.day:%d/%m/%Y} (15\u202f000,00\u00a0€)."
    ]
    assert not Decision.objects.exists()
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.SUBMITTED


def test_the_same_amount_is_accepted_in_a_25000_basin(board):
    board.basin.advance_caps.all().delete()
    AdvanceCapFactory(basin=board.basin, amount=Decimal("25000.00"))
    decision = decide(board, voted(board), advance_granted=Decimal("15000.01"))
    assert decision.advance_granted == Decimal("15000.01")
    assert decision.cap_copied == Decimal("25000.00")


def test_the_cap_in_force_on_the_session_day_applies(board):
    # A higher cap from tomorrow does not help a session held today.
    AdvanceCapFactory(
        basin=board.basin,
        amount=Decimal("25000.00"),
        valid_from=board.session.day + datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="dépasse le plafond"):
        decide(board, voted(board), advance_granted=Decimal("16000"))


def test_no_more_than_requested(board):
    item = voted(board, advance_requested=Decimal("8000.00"))
    with pytest.raises(ValidationError) as refused:
        decide(board, item, advance_granted=Decimal("9000"))
    assert refused.value.message_dict["advance_granted"] == [
        "L'avance accordée (9\u202f000\u00a0€) dépasse l'avance demandée (8\u202f000\u00a0€)."
    ]


def test_no_advance_without_a_cap(board):
    board.basin.advance_caps.all().delete()
    item = voted(board)
    with pytest.raises(ValidationError, match="Aucun plafond d'avance"):
        decide(board, item, advance_granted=Decimal("5000"))
    decision = decide(board, item)
    assert decision.advance_granted == 0 and decision.cap_copied is None


def test_the_database_keeps_the_advance_within_the_copied_cap(board):
    item = close(board.item(voting=True))
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(item=item, approved=True, advance_granted=Decimal("15000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(item=item, approved=True, cap_copied=None)


def test_the_decision_follows_the_vote(board):
    adopted = voted(board)
    with pytest.raises(ValidationError) as refused:
        decide(board, adopted, REJECTED, reason="Trop risqué.")
    assert refused.value.message_dict["outcome"] == [
        "Le comité a adopté ce dossier (4 pour, 0 contre, 0 abstention) : la décision est un "
        "agrément."
    ]


def test_a_dossier_not_adopted_is_rejected_with_a_reason(board):
    item = voted(board, VoteChoice.AGAINST)
    with pytest.raises(ValidationError, match="qu'ajourné ou refusé"):
        decide(board, item)
    with pytest.raises(ValidationError) as refused:
        decide(board, item, REJECTED)
    assert "Un refus est motivé." in refused.value.messages
    decision = decide(board, item, REJECTED, reason="Aucune création d'emploi prévue.")
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.REJECTED
    assert decision.advance_granted == 0 and decision.cap_copied is None


def test_a_deferral_says_what_is_missing(board):
    item = voted(board, VoteChoice.ABSTAIN)
    with pytest.raises(ValidationError) as refused:
        decide(board, item, DEFERRED)
    assert "Un ajournement dit ce qui manque au dossier." in refused.value.messages
    with pytest.raises(ValidationError, match="n'accorde ni accompagnement ni avance"):
        decide(board, item, DEFERRED, missing="Bilan 2006.", advance_granted=Decimal("1000"))
    decide(board, item, DEFERRED, missing="Le bilan 2006 et le plan de financement.")
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.DEFERRED
    log = DossierTransition.objects.get(dossier=item.dossier)
    assert "Éléments manquants : Le bilan 2006 et le plan de financement." in log.comment


def test_the_support_plan_names_proposed_corporations_and_domains(board):
    item = voted(board)
    other = board.chair.corporation  # Saint-Gobain, not proposed: its chair voted
    with pytest.raises(ValidationError, match="n'était pas proposée pour ce dossier"):
        decide(board, item, corporations=[other])
    with pytest.raises(ValidationError, match="nomme la ou les grandes entreprises"):
        decide(board, item, corporations=[])
    with pytest.raises(ValidationError, match="dans quels domaines"):
        decide(board, item, domains=[])


def test_a_decision_waits_for_the_vote_and_is_recorded_once(board):
    item = voted(board, VoteChoice.AGAINST)
    with pytest.raises(ValidationError, match="n'est pas clos"):
        decide(board, board.item(), REJECTED, reason="Non.")
    decide(board, item, REJECTED, reason="Non.")
    with pytest.raises(ValidationError, match="déjà enregistrée"):
        decide(board, item, REJECTED, reason="Non.")


def test_a_decision_never_changes(board):
    decision = decide(board, voted(board, VoteChoice.AGAINST), REJECTED, reason="Non.")
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(reason="Oui.")
    with pytest.raises(DatabaseError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).delete()


def test_no_decision_on_signed_minutes(board):
    item = voted(board, VoteChoice.AGAINST)
    move_session(board.session, SessionStatus.SIGNED)
    with pytest.raises(ValidationError, match="une correction se fait par avenant"):
        decide(board, item, REJECTED, reason="Non.")


def test_the_chair_records_the_decision_and_the_dossier_moves_with_it(board):
    item = voted(board)
    decision = services.record_decision(
        item=item,
        outcome=APPROVED,
        corporations=[board.alstom.corporation],
        domains=[Need.QUALITY],
        by=board.chair.person,
    )
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.APPROVED
    assert item.dossier.decision_date == board.session.day
    assert Decision.objects.get() == decision


def test_decision_and_dossier_move_together_or_not_at_all(board):
    """If the dossier cannot move (it changed meanwhile), no decision is saved either."""
    item = voted(board)
    Dossier.objects.filter(pk=item.dossier.pk).update(state=DossierState.WITHDRAWN)
    with pytest.raises(ValidationError, match="a changé d'état"):
        services.record_decision(
            item=item,
            outcome=APPROVED,
            corporations=[board.alstom.corporation],
            domains=[Need.QUALITY],
            by=board.chair.person,
        )
    assert not Decision.objects.exists()
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.WITHDRAWN


def test_members_do_not_record_decisions(board):
    item = voted(board)
    with pytest.raises(PermissionDenied):
        services.record_decision(
            item=item,
            outcome=APPROVED,
            by=board.members[1].person,
            corporations=[board.alstom.corporation],
            domains=[Need.QUALITY],
        )
