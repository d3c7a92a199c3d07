"""Sessions: creation, agenda, convocation, attendance and proxies, signature, amendments."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone

from alize.models import Role
from comites import services
from comites.models import Amendment, Attendance, SessionTransition
from comites.workflow import AttendanceStatus, ItemStatus, SessionStatus
from tests.comites.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
    close,
    in_days,
    move_session,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db

P, REMOTE, REPR, ABSENT = (
    AttendanceStatus.PRESENT,
    AttendanceStatus.REMOTE,
    AttendanceStatus.REPRESENTED,
    AttendanceStatus.ABSENT,
)


@pytest.fixture
def draft(board):
    """A draft session in twelve days, with one submitted dossier on its agenda."""
    session = SessionFactory(committee=board.committee, starts_at=in_days(12))
    AgendaItemFactory(session=session)
    return session


# --- Creating and convening --------------------------------------------------------------


def test_staff_plan_a_session(board, staff):
    session = services.create_session(
        committee=board.committee,
        starts_at=in_days(20),
        video_link="https://visio.example.test/comite",
        by=staff,
    )
    assert session.status == SessionStatus.DRAFT
    assert (session.quorum_numerator, session.quorum_denominator) == (1, 2)


def test_a_session_needs_a_place_or_a_link(board, staff):
    with pytest.raises(ValidationError) as refused:
        services.create_session(committee=board.committee, starts_at=in_days(20), by=staff)
    assert "Indiquez le lieu de la séance ou son lien de visioconférence." in refused.value.messages


def test_no_session_is_planned_or_convened_in_the_past(board, staff, draft):
    with pytest.raises(ValidationError) as refused:
        services.create_session(
            committee=board.committee, starts_at=in_days(-1), place="CCI", by=staff
        )
    assert refused.value.message_dict["starts_at"] == ["Une séance se prévoit à une date à venir."]
    draft.starts_at = in_days(-1)
    draft.save()
    with pytest.raises(ValidationError) as refused:
        services.convene_session(session=draft, by=staff)
    assert refused.value.message_dict["starts_at"] == [services.PAST_SESSION_MESSAGE]
    draft.refresh_from_db()
    assert draft.status == SessionStatus.DRAFT


def test_convening_in_time(board, staff, draft):
    session = services.convene_session(session=draft, by=staff)
    assert session.status == SessionStatus.CONVENED
    assert session.convened_by == staff and session.notice_given_days == 12
    assert not session.is_late_convocation
    log = SessionTransition.objects.get(session=session)
    assert (log.from_state, log.to_state, log.by) == (
        SessionStatus.DRAFT,
        SessionStatus.CONVENED,
        staff,
    )


def test_a_late_convocation_is_allowed_and_flagged(board, staff, draft):
    draft.starts_at = in_days(2)
    draft.save()
    session = services.convene_session(session=draft, by=staff)
    assert session.status == SessionStatus.CONVENED
    assert session.notice_given_days == 2
    assert session.is_late_convocation


def test_the_rules_are_copied_at_convocation(board, manager, staff, draft):
    services.update_committee_rules(
        committee=board.committee, by=manager, chair_casting_vote=False, notice_days=10
    )
    session = services.convene_session(session=draft, by=staff)
    assert not session.chair_casting_vote and session.notice_days == 10
    services.update_committee_rules(committee=board.committee, by=manager, notice_days=15)
    session.refresh_from_db()
    assert session.notice_days == 10


def test_an_approval_session_is_convened_with_an_agenda_and_a_chair(board, staff):
    empty = SessionFactory(committee=board.committee, starts_at=in_days(12))
    with pytest.raises(ValidationError) as refused:
        services.convene_session(session=empty, by=staff)
    assert refused.value.messages == [
        "Inscrivez au moins un dossier à l'ordre du jour avant de convoquer."
    ]
    chairless = SessionFactory(committee=CommitteeFactory(basin=board.basin, steering=True))
    with pytest.raises(ValidationError) as refused:
        services.convene_session(session=chairless, by=staff)
    assert "Le comité n'a pas de président(e) le" in refused.value.messages[0]


def test_a_steering_session_has_no_dossiers_but_is_convened(board, staff):
    steering = CommitteeFactory(basin=board.basin, steering=True)
    MembershipFactory(committee=steering, chair=True, organisation="Sous-préfecture")
    session = services.create_session(
        committee=steering,
        starts_at=in_days(30),
        place="Sous-préfecture de Valenciennes",
        agenda_notes="Bilan de la première période du programme.",
        by=staff,
    )
    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(session=session, dossier=DossierFactory(submitted=True), by=staff)
    assert refused.value.messages == [
        "Le comité de pilotage n'examine pas de dossiers : il n'y vote pas."
    ]
    assert services.convene_session(session=session, by=staff).status == SessionStatus.CONVENED


def test_members_do_not_prepare_sessions(board, draft):
    with pytest.raises(PermissionDenied):
        services.convene_session(session=draft, by=board.members[1].person)
    with pytest.raises(PermissionDenied):
        services.convene_session(session=draft, by=make_user(Role.STAFF))


# --- Agenda ------------------------------------------------------------------------------


def test_only_submitted_dossiers_of_the_basin_go_on_the_agenda(board, staff, other_basin):
    session = SessionFactory(committee=board.committee)
    first = services.add_agenda_item(
        session=session, dossier=DossierFactory(submitted=True, pme__basin=board.basin), by=staff
    )
    second = services.add_agenda_item(
        session=session, dossier=DossierFactory(submitted=True, pme__basin=board.basin), by=staff
    )
    assert (first.order, second.order) == (1, 2)

    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(
            session=session,
            dossier=DossierFactory(under_instruction=True, pme__basin=board.basin),
            by=staff,
        )
    assert refused.value.message_dict["dossier"] == [
        "Seul un dossier « Soumis au comité » s'inscrit à l'ordre du jour ; celui-ci est "
        "« En instruction »."
    ]
    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(
            session=session,
            dossier=DossierFactory(submitted=True, pme__basin=other_basin),
            by=staff,
        )
    assert refused.value.message_dict["dossier"] == [
        "Ce dossier relève d'un autre bassin que le comité."
    ]
    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(session=session, dossier=first.dossier, by=staff)
    assert "Ce dossier est déjà à l'ordre du jour de cette séance." in refused.value.messages


def test_a_dossier_is_on_one_coming_session_at_a_time(board, staff):
    item = AgendaItemFactory(session=SessionFactory(committee=board.committee))
    later = SessionFactory(committee=board.committee, starts_at=in_days(40))
    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(session=later, dossier=item.dossier, by=staff)
    assert "Ce dossier est déjà à l'ordre du jour de la séance du" in refused.value.messages[0]


def test_the_agenda_is_fixed_at_convocation(board, staff, draft):
    services.convene_session(session=draft, by=staff)
    with pytest.raises(ValidationError):
        services.add_agenda_item(
            session=draft, dossier=DossierFactory(submitted=True, pme__basin=board.basin), by=staff
        )
    with pytest.raises(ValidationError):
        services.remove_agenda_item(item=draft.items.get(), by=staff)


def test_proposing_a_corporation_recuses_its_representatives(board, staff, draft):
    item = draft.items.get()
    alstom = board.alstom.corporation
    # A representative named on the corporation's record is recused too.
    other = board.members[1]
    alstom.committee_representatives.add(other.person)
    services.set_proposed_corporations(item=item, corporations=[alstom], by=staff)
    assert set(item.recusals.values_list("membership", flat=True)) == {board.alstom.pk, other.pk}
    services.set_proposed_corporations(item=item, corporations=[], by=staff)
    assert not item.recusals.exists()
    services.remove_agenda_item(item=item, by=staff)
    assert not draft.items.exists()


# --- Attendance and proxies --------------------------------------------------------------


def test_a_member_represented_by_a_present_member(board, manager):
    holder, giver = board.members[1], board.members[2]
    services.record_attendance(session=board.session, membership=holder, status=P, by=manager)
    attendance = services.record_attendance(
        session=board.session, membership=giver, status=REPR, proxy_holder=holder, by=manager
    )
    assert attendance.proxy_holder == holder
    # Recording again updates the same row.
    services.record_attendance(session=board.session, membership=giver, status=REMOTE, by=manager)
    assert Attendance.objects.get(membership=giver).status == REMOTE


def test_a_proxy_holder_is_present_or_remote(board, manager):
    holder, giver = board.members[1], board.members[2]
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(
            session=board.session, membership=giver, status=REPR, proxy_holder=holder, by=manager
        )
    assert "doit être noté(e) présent(e) ou à distance" in refused.value.messages[0]
    services.record_attendance(session=board.session, membership=holder, status=REMOTE, by=manager)
    services.record_attendance(
        session=board.session, membership=giver, status=REPR, proxy_holder=holder, by=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(
            session=board.session, membership=holder, status=ABSENT, by=manager
        )
    assert "détient la procuration de" in refused.value.messages[0]


def test_a_member_holds_one_proxy(board, manager):
    holder, first, second = board.members[1], board.members[2], board.members[3]
    services.record_attendance(session=board.session, membership=holder, status=P, by=manager)
    services.record_attendance(
        session=board.session, membership=first, status=REPR, proxy_holder=holder, by=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(
            session=board.session, membership=second, status=REPR, proxy_holder=holder, by=manager
        )
    assert "un membre ne détient qu'une procuration" in refused.value.messages[0]


def test_the_database_keeps_one_proxy_per_holder(board):
    holder = board.members[1]
    board.attend(holder)
    board.attend(board.members[2], status=REPR, proxy_holder=holder)
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(
            session=board.session,
            membership=board.members[3],
            status=REPR,
            proxy_holder=holder,
            recorded_by=board.secretary.person,
        )


def test_the_database_refuses_a_proxy_to_an_absent_member(board):
    holder = board.members[1]
    board.attend(holder, status=ABSENT)
    with pytest.raises(DatabaseError, match="présent ou à distance"), transaction.atomic():
        board.attend(board.members[2], status=REPR, proxy_holder=holder)


def test_proxies_pass_between_voting_members_only(board, manager):
    services.record_attendance(
        session=board.session, membership=board.secretary, status=P, by=manager
    )
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(
            session=board.session,
            membership=board.members[1],
            status=REPR,
            proxy_holder=board.secretary,
            by=manager,
        )
    assert refused.value.messages == [
        "Seuls les membres votants donnent ou reçoivent une procuration."
    ]


def test_attendance_is_for_the_members_in_office(board, manager):
    stranger = MembershipFactory(committee=CommitteeFactory(basin=board.basin, steering=True))
    with pytest.raises(ValidationError):
        services.record_attendance(session=board.session, membership=stranger, status=P, by=manager)
    ended = MembershipFactory(committee=board.committee, end_date=datetime.date(2008, 6, 30))
    with pytest.raises(ValidationError) as refused:
        services.record_attendance(session=board.session, membership=ended, status=P, by=manager)
    assert "ne siège pas à ce comité à la date de la séance" in refused.value.messages[0]


def test_attendance_is_fixed_once_the_session_is_closed(board, manager):
    board.attend(board.members[1])
    services.close_session(session=board.session, by=manager)
    with pytest.raises(ValidationError):
        services.record_attendance(
            session=board.session, membership=board.members[2], status=P, by=manager
        )
    with pytest.raises(DatabaseError, match="convoquée ou en cours"), transaction.atomic():
        Attendance.objects.filter(session=board.session).update(status=ABSENT)


# --- The session's course, signature, amendments -------------------------------------------


def test_a_session_opens_on_its_day(board, manager):
    session = SessionFactory(committee=board.committee, convened=True)
    with pytest.raises(ValidationError) as refused:
        services.open_session(session=session, by=manager)
    assert "elle s'ouvre ce jour-là" in refused.value.messages[0]
    session.starts_at = in_days(-1 / 48)
    session.convened_at = in_days(-6)
    session.save()
    assert services.open_session(session=session, by=manager).status == SessionStatus.OPEN


def test_a_session_closes_once_no_vote_is_open(board, manager):
    board.item(voting=True)
    with pytest.raises(ValidationError) as refused:
        services.close_session(session=board.session, by=manager)
    assert refused.value.messages == ["Le vote sur le point n° 1 est encore ouvert : closez-le."]


def test_only_the_chair_signs_and_every_examined_dossier_has_its_decision(board, manager):
    item = close(board.item(voting=True))
    services.close_session(session=board.session, by=manager)
    with pytest.raises(PermissionDenied):
        services.sign_off(session=board.session, by=manager)
    with pytest.raises(ValidationError) as refused:
        services.sign_off(session=board.session, by=board.chair.person)
    assert f"({item.dossier.pme}) n'a pas encore de décision" in refused.value.messages[0]


def test_signed_minutes_are_locked_and_corrected_by_amendment(board, manager):
    board.item()  # left unexamined: no decision needed
    services.close_session(session=board.session, by=manager)
    with pytest.raises(ValidationError):
        services.amend_minutes(session=board.session, text="Coquille.", by=manager)
    session = services.sign_off(session=board.session, by=board.chair.person)
    assert session.status == SessionStatus.SIGNED and session.signed_by == board.chair.person

    session.place = "Ailleurs"
    locked = pytest.raises(DatabaseError, match="Une correction se fait par un avenant")
    with locked, transaction.atomic():
        session.save()

    before = timezone.now()
    amendment = services.amend_minutes(
        session=session,
        text="M. Durand est arrivé à 10 h 15, après le vote sur le point n° 1.",
        by=board.secretary.person,
    )
    assert amendment.by == board.secretary.person and amendment.at >= before
    with pytest.raises(DatabaseError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).update(text="Autre chose.")
    with pytest.raises(DatabaseError), transaction.atomic():
        Amendment.objects.filter(pk=amendment.pk).delete()
    with pytest.raises(PermissionDenied):
        services.amend_minutes(session=session, text="Non.", by=board.members[1].person)


# --- Second convocation ------------------------------------------------------------------


def test_a_second_convocation_follows_a_failed_quorum(board, staff):
    unexamined = board.item()
    examined = close(board.item(voting=True))
    move_session(board.session, SessionStatus.CLOSED)

    second = services.create_session(
        committee=board.committee,
        starts_at=in_days(10),
        place="CCI du Valenciennois",
        first_convocation=board.session,
        by=staff,
    )
    assert second.is_second_convocation
    services.add_agenda_item(session=second, dossier=unexamined.dossier, by=staff)
    with pytest.raises(ValidationError) as refused:
        services.add_agenda_item(
            session=second, dossier=DossierFactory(submitted=True, pme__basin=board.basin), by=staff
        )
    assert (
        "Une seconde convocation porte sur les dossiers non examinés" in (refused.value.messages[0])
    )
    assert examined.status == ItemStatus.CLOSED
    with pytest.raises(ValidationError) as refused:
        services.create_session(
            committee=board.committee,
            starts_at=in_days(11),
            place="CCI",
            first_convocation=board.session,
            by=staff,
        )
    assert refused.value.message_dict["first_convocation"] == [
        "Cette séance a déjà sa seconde convocation."
    ]


def test_no_second_convocation_after_a_session_that_decided_everything(board, staff):
    close(board.item(voting=True))
    with pytest.raises(ValidationError):
        services.create_session(  # still sitting
            committee=board.committee,
            starts_at=in_days(10),
            place="CCI",
            first_convocation=board.session,
            by=staff,
        )
    move_session(board.session, SessionStatus.CLOSED)
    with pytest.raises(ValidationError) as refused:
        services.create_session(
            committee=board.committee,
            starts_at=in_days(10),
            place="CCI",
            first_convocation=board.session,
            by=staff,
        )
    assert refused.value.message_dict["first_convocation"] == [
        "Tous les dossiers de cette séance ont été examinés : le quorum y était atteint."
    ]


def test_attendance_factory_respects_the_session(board):
    # The factories write through the same triggers as the services.
    closed = move_session(SessionFactory(committee=board.committee, sitting=True), "close")
    with pytest.raises(DatabaseError), transaction.atomic():
        AttendanceFactory(session=closed, membership=board.members[1])
