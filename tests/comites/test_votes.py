"""Votes: the quorum to open one, recusals, who may vote for whom, closing, the tally."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction

from comites import permissions, services
from comites.models import ONE_VOTE_MESSAGE, Recusal, Vote
from comites.workflow import (
    AttendanceStatus,
    ItemStatus,
    RecusalReason,
    SessionStatus,
    VoteCapacity,
    VoteChoice,
)
from tests.comites.factories import (
    AgendaItemFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
    VoteFactory,
    close,
    move_session,
)

pytestmark = pytest.mark.django_db

FOR, AGAINST, ABSTAIN = VoteChoice.FOR, VoteChoice.AGAINST, VoteChoice.ABSTAIN
PRESENT, REMOTE, REPR, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.REMOTE,
    AttendanceStatus.REPRESENTED,
    AttendanceStatus.ABSENT,
)


def vote(item, member, choice=FOR, by=None):
    return services.cast_vote(item=item, member=member, choice=choice, by=by or member.person)


def open_(board, item):
    return services.open_item(item=item, by=board.chair.person)


# --- Quorum ------------------------------------------------------------------------------


def test_without_quorum_the_vote_does_not_open(board):
    board.attend(board.chair, board.members[1])
    item = board.item()
    with pytest.raises(ValidationError) as refused:
        open_(board, item)
    assert refused.value.messages == [
        "Le quorum n'est pas atteint : 2 membres sur 5 présents, à distance ou représentés "
        "(il en faut 3). Le vote ne peut pas s'ouvrir ; le dossier pourra être examiné en "
        "seconde convocation, sans condition de quorum."
    ]
    item.refresh_from_db()
    assert item.status == ItemStatus.PENDING


def test_a_proxy_makes_the_quorum(board):
    holder = board.members[1]
    board.attend(board.chair, holder)
    board.attend(board.members[2], status=REPR, proxy_holder=holder)
    assert open_(board, board.item()).status == ItemStatus.OPEN


def test_remote_members_make_the_quorum(board):
    board.attend(board.chair)
    board.attend(board.members[1], board.members[2], status=REMOTE)
    assert open_(board, board.item()).status == ItemStatus.OPEN


def test_exactly_half_is_a_quorum(board):
    # Alstom is proposed for the dossier: its representative is recused, four remain
    # eligible; two of them present are exactly half.
    board.attend(board.chair, board.members[1])
    item = board.item(proposed_corporations=[board.alstom.corporation])
    services.sync_automatic_recusals(item, by=board.secretary.person)
    assert services.item_quorum(item).summary == (
        "2 membres sur 4 présents, à distance ou représentés (il en faut 2)"
    )
    assert open_(board, item).status == ItemStatus.OPEN


def test_a_recused_member_present_does_not_count(board):
    board.attend(board.chair, board.alstom, board.members[1])
    item = board.item(proposed_corporations=[board.alstom.corporation])
    # Three of five present, but Alstom's representative is recused: two of four.
    assert open_(board, item).status == ItemStatus.OPEN
    assert services.item_quorum(item).counted == 2
    other = board.item(proposed_corporations=[board.alstom.corporation])
    services.close_item(item=item, by=board.chair.person)
    Recusal.objects.create(
        item=other,
        membership=board.members[1],
        reason=RecusalReason.DECLARED_INTEREST,
        details="Client de l'entreprise",
        recorded_by=board.secretary.person,
    )
    with pytest.raises(ValidationError, match="1 membre sur 3"):
        open_(board, other)


def test_a_second_convocation_votes_without_quorum(board):
    first = SessionFactory(committee=board.committee, sitting=True)
    move_session(first, SessionStatus.CLOSED)
    board.session.first_convocation = first
    board.session.save()
    board.attend(board.chair)
    item = open_(board, board.item())
    assert item.status == ItemStatus.OPEN
    vote(item, board.chair)
    services.close_item(item=item, by=board.chair.person)
    assert services.tally(item).adopted


def test_one_vote_open_at_a_time(board):
    board.everyone_present()
    open_(board, board.item())
    with pytest.raises(ValidationError) as refused:
        open_(board, board.item())
    assert refused.value.messages == [
        "Le vote sur le point n° 1 est encore ouvert : closez-le d'abord."
    ]


def test_only_the_chair_or_the_secretary_opens_and_closes_votes(board, staff):
    board.everyone_present()
    item = board.item()
    for outsider in (board.members[1].person, staff):
        with pytest.raises(PermissionDenied):
            services.open_item(item=item, by=outsider)
    services.open_item(item=item, by=board.secretary.person)
    with pytest.raises(PermissionDenied):
        services.close_item(item=item, by=board.members[1].person)
    services.close_item(item=item, by=board.secretary.person)


def test_no_vote_opens_outside_a_sitting_session(board):
    session = SessionFactory(committee=board.committee, convened=True)
    item = AgendaItemFactory(session=session)
    with pytest.raises(ValidationError, match="La séance n'est pas ouverte"):
        services.open_item(item=item, by=board.chair.person)


# --- Who votes for whom ----------------------------------------------------------------


@pytest.fixture
def voting(board):
    """Everyone present, a dossier with Alstom proposed, its vote open."""
    board.everyone_present()
    item = board.item(proposed_corporations=[board.alstom.corporation])
    return open_(board, item)


def test_a_member_votes_once(board, voting):
    member = board.members[1]
    cast = vote(voting, member, AGAINST)
    assert (cast.choice, cast.cast_by, cast.capacity) == (AGAINST, member, VoteCapacity.IN_PERSON)
    with pytest.raises(ValidationError) as refused:
        vote(voting, member, FOR)
    assert refused.value.messages == [ONE_VOTE_MESSAGE]
    assert Vote.objects.get(item=voting, member=member).choice == AGAINST


def test_no_vote_on_a_closed_item_nor_before_it_opens(board, voting):
    services.close_item(item=voting, by=board.chair.person)
    with pytest.raises(ValidationError) as refused:
        vote(voting, board.members[1])
    assert refused.value.messages == ["Le vote sur ce dossier est clos : il ne change plus."]
    pending = board.item()
    with pytest.raises(ValidationError) as refused:
        vote(pending, board.members[1])
    assert refused.value.messages == ["Le vote sur ce dossier n'est pas encore ouvert."]


def test_no_vote_for_someone_else_without_proxy(board, voting):
    with pytest.raises(PermissionDenied) as refused:
        vote(voting, board.members[2], by=board.members[1].person)
    assert str(refused.value) == services.ONLY_FOR_ONESELF
    assert not Vote.objects.exists()


def test_the_proxy_holder_votes_for_himself_and_for_the_member_he_represents(board):
    holder, giver = board.members[1], board.members[2]
    board.attend(board.chair, holder)
    board.attend(giver, status=REPR, proxy_holder=holder)
    item = open_(board, board.item())
    vote(item, holder, FOR)
    by_proxy = vote(item, giver, AGAINST, by=holder.person)
    assert (by_proxy.cast_by, by_proxy.capacity) == (holder, VoteCapacity.PROXY)
    # The member who gave his proxy does not vote himself.
    with pytest.raises(ValidationError) as refused:
        vote(item, giver, FOR)
    assert "c'est le détenteur de votre procuration qui vote pour vous" in refused.value.messages[0]
    with pytest.raises(PermissionDenied):
        vote(item, board.members[3], by=holder.person)


def test_an_absent_member_does_not_vote(board):
    board.attend(board.chair, board.members[1], board.members[2])
    board.attend(board.members[3], status=ABSENT)
    item = open_(board, board.item())
    with pytest.raises(ValidationError, match="noté\\(e\\) absent\\(e\\)"):
        vote(item, board.members[3])
    with pytest.raises(ValidationError, match="noté\\(e\\) absent\\(e\\)"):
        vote(item, board.members[0])  # no attendance recorded at all


def test_a_member_of_another_basins_committee_does_not_vote(board, voting, other_basin):
    stranger = MembershipFactory(committee=CommitteeFactory(basin=other_basin))
    with pytest.raises(PermissionDenied) as refused:
        vote(voting, stranger)
    assert str(refused.value) == (
        "Vous ne siégez pas à ce comité : vous ne pouvez pas voter sur ce dossier."
    )
    with pytest.raises(PermissionDenied):
        vote(voting, board.members[1], by=stranger.person)


def test_a_recused_member_does_not_vote(board, voting):
    assert voting.recusals.get().membership == board.alstom
    with pytest.raises(ValidationError) as refused:
        vote(voting, board.alstom)
    assert (
        "est déporté(e) sur ce dossier : il ou elle ne prend pas part au vote"
        in (refused.value.messages[0])
    )


def test_a_recused_proxy_holder_does_not_vote_for_the_member_he_represents(board):
    holder, giver = board.alstom, board.members[1]
    board.attend(board.chair, holder, board.members[2])
    board.attend(giver, status=REPR, proxy_holder=holder)
    item = open_(board, board.item(proposed_corporations=[board.alstom.corporation]))
    with pytest.raises(ValidationError, match="même par procuration"):
        vote(item, giver, by=holder.person)
    with pytest.raises(ValidationError, match="même par procuration"):
        vote(item, giver, by=board.secretary.person)


def test_the_secretary_records_votes_given_in_the_room(board):
    holder = board.members[1]
    board.attend(board.chair, holder, board.secretary)
    board.attend(board.members[2], status=REPR, proxy_holder=holder)
    board.attend(board.members[3], status=REMOTE)
    item = open_(board, board.item())
    secretary = board.secretary.person
    recorded = vote(item, board.chair, FOR, by=secretary)
    assert (recorded.cast_by, recorded.capacity) == (board.secretary, VoteCapacity.SECRETARY)
    vote(item, board.members[2], AGAINST, by=secretary)  # given in the room by the holder
    with pytest.raises(ValidationError, match="n'est pas dans la salle"):
        vote(item, board.members[3], by=secretary)
    with pytest.raises(ValidationError, match="Le secrétariat du comité ne vote pas"):
        vote(item, board.secretary, by=secretary)


def test_declaring_an_interest_withdraws_from_the_vote(board, voting):
    member = board.members[1]
    with pytest.raises(PermissionDenied):
        services.declare_interest(
            item=voting, membership=member, details="Actionnaire", by=board.members[2].person
        )
    recusal = services.declare_interest(
        item=voting, membership=member, details="Actionnaire de la PME", by=member.person
    )
    assert recusal.reason == RecusalReason.DECLARED_INTEREST
    with pytest.raises(ValidationError, match="déporté"):
        vote(voting, member)
    vote(voting, board.members[2])
    with pytest.raises(ValidationError, match="a déjà voté sur ce dossier"):
        services.declare_interest(
            item=voting, membership=board.members[2], details="Client", by=board.chair.person
        )
    services.close_item(item=voting, by=board.chair.person)
    with pytest.raises(ValidationError, match="clos"):
        services.declare_interest(
            item=voting, membership=board.members[3], details="Client", by=board.members[3].person
        )


# --- Majority and the chair's casting vote ------------------------------------------------


def run_vote(board, choices: dict, casting_vote=True):
    board.session.chair_casting_vote = casting_vote
    board.session.save()
    board.everyone_present()
    item = open_(board, board.item())
    for member, choice in choices.items():
        vote(item, member, choice)
    services.close_item(item=item, by=board.chair.person)
    return services.tally(item)


def test_a_tie_decided_by_the_chairs_casting_vote(board):
    chair, m = board.chair, board.members
    tally = run_vote(board, {chair: FOR, m[1]: FOR, m[2]: AGAINST, m[3]: AGAINST, m[0]: ABSTAIN})
    assert (tally.votes_for, tally.votes_against, tally.abstentions) == (2, 2, 1)
    assert tally.adopted and tally.decided_by_casting_vote


def test_a_tie_without_casting_vote_is_not_adopted(board):
    chair, m = board.chair, board.members
    tally = run_vote(board, {chair: FOR, m[1]: FOR, m[2]: AGAINST, m[3]: AGAINST}, False)
    assert tally.is_tie and not tally.adopted


def test_a_tie_with_the_chair_against_is_not_adopted(board):
    chair, m = board.chair, board.members
    tally = run_vote(board, {chair: AGAINST, m[1]: FOR})
    assert tally.is_tie and not tally.adopted


def test_the_casting_vote_is_not_given_by_proxy(board):
    holder = board.members[1]
    board.attend(holder, board.members[2])
    board.attend(board.chair, status=REPR, proxy_holder=holder)
    item = open_(board, board.item())
    vote(item, board.chair, FOR, by=holder.person)
    vote(item, board.members[2], AGAINST)
    services.close_item(item=item, by=board.secretary.person)
    tally = services.tally(item)
    assert tally.is_tie and tally.chair_choice is None and not tally.adopted


def test_the_tally_is_one_query(board, voting, django_assert_num_queries):
    for member, choice in zip(board.members[1:], (FOR, FOR, AGAINST), strict=True):
        vote(voting, member, choice)
    with django_assert_num_queries(1):
        tally = services.tally(voting)
    assert tally.summary == "2 pour, 1 contre, 0 abstention"


def test_a_vote_is_closed_once(board, voting):
    services.close_item(item=voting, by=board.chair.person)
    with pytest.raises(ValidationError) as refused:
        services.close_item(item=voting, by=board.chair.person)
    assert refused.value.messages == ["Le vote sur ce dossier est déjà clos."]
    with pytest.raises(ValidationError, match="clos"):
        open_(board, voting)


# --- The database's own guard --------------------------------------------------------------


def test_the_database_keeps_one_vote_per_member_and_item(board, voting):
    VoteFactory(item=voting, member=board.members[1])
    with pytest.raises(IntegrityError), transaction.atomic():
        VoteFactory(item=voting, member=board.members[1], against=True)


def test_the_database_refuses_votes_on_a_closed_item_and_any_change(board, voting):
    cast = VoteFactory(item=voting, member=board.members[1])
    close(voting)
    with pytest.raises(DatabaseError, match="n'est pas ouvert"), transaction.atomic():
        VoteFactory(item=voting, member=board.members[2])
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.filter(pk=cast.pk).update(choice=AGAINST)
    with pytest.raises(DatabaseError), transaction.atomic():
        Vote.objects.filter(pk=cast.pk).delete()
    with pytest.raises(DatabaseError, match="clos"), transaction.atomic():
        type(voting).objects.filter(pk=voting.pk).update(status=ItemStatus.OPEN)


def test_the_database_refuses_a_recused_members_vote(board, voting):
    with pytest.raises(DatabaseError, match="déporté"), transaction.atomic():
        VoteFactory(item=voting, member=board.alstom)


def test_members_see_the_result_once_the_vote_is_closed(board, voting, staff):
    member = board.members[1].person
    assert not permissions.can_see_live_tally(member, voting)
    assert permissions.can_see_live_tally(board.chair.person, voting)
    assert permissions.can_see_live_tally(staff, voting)
    services.close_item(item=voting, by=board.chair.person)
    voting.refresh_from_db()
    assert permissions.can_see_live_tally(member, voting)
