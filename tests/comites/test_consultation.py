"""A written consultation: a session of its own kind, decided outside any sitting.

No room, no attendance: the members vote in the application until the closing time, the
quorum counts those who voted, the secretary or the chair closes it, the decisions go
through the same service as a sitting's, and the chair signs the relevé de décisions.
"""

import datetime
import io
import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from comites import services
from comites.models import Attendance, Session, SessionTransition
from comites.pdf import build_minutes_pdf
from comites.workflow import (
    AttendanceStatus,
    DecisionOutcome,
    ItemStatus,
    SessionKind,
    SessionStatus,
    VoteChoice,
)
from pme.models import DossierState
from tests.comites.factories import (
    CommitteeFactory,
    SessionFactory,
    in_days,
)
from tests.comites.test_views import login, move, text

pytestmark = pytest.mark.django_db

REJECTED = {"outcome": DecisionOutcome.REJECTED, "reason": "Projet sans création d'emploi."}


@pytest.fixture
def consultation(board):
    """A draft written consultation of the board's committee, two dossiers on its agenda."""
    session = SessionFactory(committee=board.committee, written=True)
    board.session = session
    board.item()
    board.item()
    return session


@pytest.fixture
def launched(board, consultation, manager):
    services.transition_session(session=consultation, name="launch", by=manager)
    consultation.refresh_from_db()
    return consultation


def vote(board, item, *members, choice=VoteChoice.FOR):
    for member in members:
        services.cast_vote(item=item, member=member, choice=choice, by=member.person)


def past_closing(session):
    Session.objects.filter(pk=session.pk).update(closes_at=in_days(-1 / 24 / 60))
    session.refresh_from_db()
    return session


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return re.sub(r"[\s\u202f\u00a0]+", " ", " ".join(p.extract_text() for p in reader.pages))


# --- Creating and launching -----------------------------------------------------------------


def test_a_consultation_is_created_without_place_but_with_its_closing(board, manager):
    starts_at, closes_at = in_days(1), in_days(4)
    session = services.create_session(
        committee=board.committee,
        kind=SessionKind.WRITTEN,
        starts_at=starts_at,
        closes_at=closes_at,
        place="Salle du conseil",
        by=manager,
    )
    assert session.is_written and session.closes_at == closes_at
    assert session.place == "" and session.status == SessionStatus.DRAFT


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"closes_at": None}, "Indiquez jusqu'à quand les membres votent."),
        ({"closes_at": "before"}, "Les votes se closent après l'ouverture de la consultation."),
        ({"steering": True}, "Le comité de pilotage ne vote pas"),
    ],
)
def test_a_consultation_needs_a_closing_after_its_launch(board, manager, changes, message):
    committee = board.committee
    if changes.get("steering"):
        committee = CommitteeFactory(basin=board.basin, steering=True)
    starts_at = in_days(1)
    closes_at = {"before": in_days(0.5), None: None}.get(changes.get("closes_at", ""), in_days(3))
    with pytest.raises(ValidationError) as refusal:
        services.create_session(
            committee=committee,
            kind=SessionKind.WRITTEN,
            starts_at=starts_at,
            closes_at=closes_at,
            by=manager,
        )
    assert message in " ".join(refusal.value.messages)
    assert not Session.objects.filter(kind=SessionKind.WRITTEN).exists()


def test_launching_opens_every_vote_at_once(board, launched, manager):
    assert launched.status == SessionStatus.OPEN
    assert launched.convened_at is not None and launched.opened_at is not None
    assert [i.status for i in launched.items.order_by("order")] == [ItemStatus.OPEN] * 2
    log = SessionTransition.objects.get(session=launched)
    assert (log.transition, log.from_state, log.to_state) == ("launch", "brouillon", "ouverte")


def test_a_consultation_is_neither_convened_nor_opened_and_a_sitting_not_launched(
    board, consultation, manager
):
    for name in ("convene", "open"):
        with pytest.raises(ValidationError, match="ne s'applique pas à une consultation écrite"):
            services.transition_session(session=consultation, name=name, by=manager)
    sitting = SessionFactory(committee=board.committee)
    with pytest.raises(ValidationError, match="ne s'applique pas à une séance"):
        services.transition_session(session=sitting, name="launch", by=manager)
    consultation.refresh_from_db()
    assert consultation.status == SessionStatus.DRAFT


def test_a_consultation_launches_on_its_day_and_before_its_closing(board, consultation, manager):
    Session.objects.filter(pk=consultation.pk).update(starts_at=in_days(2), closes_at=in_days(4))
    with pytest.raises(ValidationError, match="elle se lance ce jour-là"):
        services.launch_consultation(session=consultation, by=manager)
    Session.objects.filter(pk=consultation.pk).update(starts_at=in_days(-1))
    past_closing(consultation)
    with pytest.raises(ValidationError, match="La date de clôture des votes est passée"):
        services.launch_consultation(session=consultation, by=manager)


# --- No room: attendance refused, each member votes for themselves ----------------------------


def test_no_attendance_is_recorded_for_a_consultation(board, launched, manager):
    with pytest.raises(ValidationError, match="Une consultation écrite n'a pas de présences"):
        services.record_attendance(
            session=launched,
            membership=board.members[1],
            status=AttendanceStatus.PRESENT,
            by=manager,
        )
    # The database says it too.
    with (
        pytest.raises(IntegrityError, match="jamais pour une consultation écrite"),
        transaction.atomic(),
    ):
        Attendance.objects.create(
            session=launched,
            membership=board.members[1],
            status=AttendanceStatus.PRESENT,
            recorded_by=manager,
        )
    assert not Attendance.objects.exists()


def test_members_vote_for_themselves_without_attendance(board, launched):
    first, second = board.items
    vote(board, first, board.chair, board.members[1])
    vote(board, second, board.members[2], choice=VoteChoice.AGAINST)
    assert services.tally(first).summary == "2 pour, 0 contre, 0 abstention"
    assert services.tally(second).summary == "0 pour, 1 contre, 0 abstention"
    # Nobody votes for another: neither the secretary (no room) nor anyone else (no proxy).
    for acting in (board.secretary, board.members[3]):
        with pytest.raises((ValidationError, PermissionDenied)):
            services.cast_vote(
                item=first, member=board.members[2], choice=VoteChoice.FOR, by=acting.person
            )
    # The votes of a consultation close with it, not one by one.
    with pytest.raises(ValidationError, match="se closent tous ensemble"):
        services.close_item(item=first, by=board.chair.person)


def test_votes_are_refused_after_the_closing_time(board, launched):
    past_closing(launched)
    with pytest.raises(ValidationError, match="a pris fin le"):
        vote(board, board.items[0], board.members[1])
    assert not board.items[0].votes.exists()


# --- Closing: quorum on the voters, decisions by the committee's service ----------------------


def test_it_closes_early_only_when_everyone_has_voted(board, launched, manager):
    first, second = board.items
    vote(board, first, *board.voters)
    with pytest.raises(ValidationError, match="tous n'ont pas voté sur le point n° 2"):
        services.transition_session(session=launched, name="close", by=board.chair.person)
    vote(board, second, *board.voters)
    services.transition_session(session=launched, name="close", by=board.chair.person)
    launched.refresh_from_db()
    assert launched.status == SessionStatus.CLOSED
    assert set(launched.items.values_list("status", flat=True)) == {ItemStatus.CLOSED}


def test_the_quorum_counts_the_voters_and_the_decision_goes_through_the_service(
    board, launched, manager
):
    first, second = board.items
    # Five voting members, half of them needed: three voters reach it, two do not.
    vote(board, first, board.chair, board.members[1], board.members[2], choice=VoteChoice.AGAINST)
    vote(board, second, board.members[1], board.members[2])
    past_closing(launched)
    services.close_session(session=launched, by=board.secretary.person)
    first.refresh_from_db()
    second.refresh_from_db()
    assert services.item_quorum(first).summary == "3 membres sur 5 ont voté (il en faut 3)"

    decision = services.record_decision(item=first, by=board.secretary.person, **REJECTED)
    assert decision.decision_date == launched.day
    first.dossier.refresh_from_db()
    assert first.dossier.state == DossierState.REJECTED

    with pytest.raises(ValidationError) as refusal:
        services.record_decision(item=second, by=board.secretary.person, **REJECTED)
    assert (
        "Le quorum n'est pas atteint : 2 membres sur 5 ont voté (il en faut 3). La "
        "consultation écrite ne décide pas de ce dossier" in " ".join(refusal.value.messages)
    )
    second.dossier.refresh_from_db()
    assert second.dossier.state == DossierState.SUBMITTED

    # Closed: no vote comes in any more.
    with pytest.raises(ValidationError, match="Le vote sur ce dossier est clos"):
        vote(board, second, board.members[3])

    # Signed as a sitting's minutes, the dossier without quorum left undecided.
    services.transition_session(session=launched, name="sign", by=board.chair.person)
    launched.refresh_from_db()
    assert launched.status == SessionStatus.SIGNED
    pdf = pdf_text(build_minutes_pdf(launched))
    assert "Relevé de décisions de la consultation écrite" in pdf
    assert "Présences" not in pdf
    assert "3 membres sur 5 ont voté" in pdf and "Décision : Refusé" in pdf
    assert "quorum non atteint, la consultation ne décide pas de ce dossier" in pdf


def test_the_chair_signs_only_once_every_quorate_dossier_is_decided(board, launched):
    first, _second = board.items
    vote(board, first, board.chair, board.members[1], board.members[2], choice=VoteChoice.AGAINST)
    past_closing(launched)
    services.close_session(session=launched, by=board.chair.person)
    with pytest.raises(ValidationError, match="n'a pas encore de décision"):
        services.sign_off(session=launched, by=board.chair.person)


# --- Screens ------------------------------------------------------------------------------------


def test_the_creation_form_offers_the_kind(client, board, staff):
    url = reverse("comites:session_create", args=[board.committee.pk])
    page = text(login(client, staff).get(url))
    assert "Consultation écrite" in page and "Clôture des votes" in page
    local = timezone.localtime(in_days(1))
    data = {
        "kind": SessionKind.WRITTEN,
        "starts_at": f"{local:%Y-%m-%dT%H:%M}",
        "duration_minutes": "120",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "Indiquez jusqu'à quand les membres votent." in text(response)
    assert not Session.objects.filter(kind=SessionKind.WRITTEN).exists()

    data["closes_at"] = f"{local + datetime.timedelta(days=3):%Y-%m-%dT%H:%M}"
    response = client.post(url, data)
    assert response.status_code == 302
    session = Session.objects.get(kind=SessionKind.WRITTEN)
    assert session.place == "" and session.closes_at is not None


def test_the_consultation_page_shows_what_applies(client, board, consultation, staff):
    url = reverse("comites:session_detail", args=[consultation.pk])
    page = text(login(client, staff).get(url))
    assert "Consultation écrite du" in page and "Clôture des votes" in page
    assert "Lancer la consultation" in page and "Convoquer les membres" not in page
    assert "Présences" not in page

    response = move(client, consultation, "launch", follow=True)
    assert "La consultation écrite est lancée" in text(response)
    assert client.get(reverse("comites:attendance", args=[consultation.pk])).status_code == 404

    # A member votes from the page, no attendance needed.
    member = board.members[1]
    page = text(login(client, member.person).get(url))
    assert "Votre vote" in page and "absent" not in page
    item = board.items[0]
    response = client.post(
        reverse("comites:vote", args=[item.pk]), {"member": member.pk, "choice": "pour"}
    )
    assert response.status_code == 302
    assert item.votes.get().member == member

    # The chair closes it early: not everyone has voted.
    response = move(login(client, board.chair.person), consultation, "close", follow=True)
    assert "tous n'ont pas voté" in text(response)
    consultation.refresh_from_db()
    assert consultation.status == SessionStatus.OPEN


def test_the_closed_consultation_page_says_the_quorum_of_voters(client, board, launched):
    first, second = board.items
    vote(board, first, *board.voters)
    vote(board, second, board.members[1])
    past_closing(launched)
    services.close_session(session=launched, by=board.chair.person)
    page = text(
        login(client, board.secretary.person).get(
            reverse("comites:session_detail", args=[launched.pk])
        )
    )
    assert "5 membres sur 5 ont voté" in page
    assert "Quorum non atteint : la consultation écrite ne décide pas de ce dossier." in page
    assert page.count("Enregistrer la décision") == 1
    minutes = text(client.get(reverse("comites:minutes", args=[launched.pk])))
    assert "Relevé de décisions de la consultation écrite" in minutes
