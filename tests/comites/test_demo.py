"""The committees of `load_demo`: the Valenciennes approval committee's first period as the
minutes tell it, the session to come and the steering committee, measured in the database."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone

from alize.models import Role, User
from comites.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMembership,
    Decision,
    Recusal,
    Session,
    SessionTransition,
    Vote,
)
from comites.selectors import minutes_data
from comites.services import item_quorum
from comites.workflow import (
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
    SessionStatus,
)
from demo.comites import first_period_decisions
from demo.pme_data import SESSIONS
from grandes_entreprises.models import SupportMission
from pme.models import DossierState
from tests.conftest import load_demo

pytestmark = pytest.mark.django_db

MEMBER_EMAIL = "membre.comite@alize.demo"
STAFF_EMAIL = "chargee.mission@alize.demo"
STEERING_EMAIL = "sous-prefecture@alize.demo"
FUNDER_EMAIL = "financeur@alize.demo"


run = load_demo


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def approval(output):
    return Committee.objects.get(basin__slug="valenciennois", kind=CommitteeKind.APPROVAL)


@pytest.fixture
def past_sessions(approval):
    return Session.objects.filter(committee=approval, starts_at__lt=timezone.now()).order_by(
        "starts_at"
    )


def test_the_27_approvals_of_the_first_period(output):
    approved = first_period_decisions().filter(outcome=DecisionOutcome.APPROVED)
    assert approved.count() == 27
    assert approved.values("item__dossier__pme").distinct().count() == 27
    assert {d.item.dossier.state for d in approved.select_related("item__dossier")} <= {
        DossierState.APPROVED,
        DossierState.UNDER_SUPPORT,
        DossierState.CLOSED,
    }
    # Each decision is dated like the dossier the committee approved.
    for decision in approved.select_related("item__dossier"):
        assert decision.decision_date == decision.item.dossier.decision_date


def test_every_approval_follows_an_adopted_vote(output):
    items = (
        AgendaItem.objects.with_tally()
        .filter(decision__outcome=DecisionOutcome.APPROVED)
        .select_related("session")
    )
    assert items.filter(decision__in=first_period_decisions()).count() == 27
    for item in items:
        assert item.tally.adopted, item
        assert item.votes_for >= 2
    refused = AgendaItem.objects.with_tally().exclude(decision__outcome=DecisionOutcome.APPROVED)
    for item in refused.filter(decision__isnull=False).select_related("session"):
        assert not item.tally.adopted


def test_support_plans_name_the_corporations_of_the_missions(output):
    approved = first_period_decisions().filter(outcome=DecisionOutcome.APPROVED)
    for decision in approved.select_related("item__dossier").prefetch_related("corporations"):
        dossier = decision.item.dossier
        named = {c.pk for c in decision.corporations.all()}
        missions = set(
            SupportMission.objects.filter(dossier=dossier).values_list("corporation", flat=True)
        )
        assert named and named == missions, dossier
        assert decision.domains
        assert set(decision.item.proposed_corporations.values_list("pk", flat=True)) == named


def test_advances_granted_as_requested_within_the_cap(output):
    approved = first_period_decisions().filter(outcome=DecisionOutcome.APPROVED)
    with_advance = approved.filter(advance_granted__gt=0).select_related("item__dossier")
    assert with_advance.count() == 13
    for decision in with_advance:
        assert decision.advance_granted == decision.item.dossier.advance_requested
        assert decision.advance_granted <= Decimal("15000.00") == decision.cap_copied


def test_one_deferral_and_one_refusal_with_their_reasons(output):
    deferred = Decision.objects.get(outcome=DecisionOutcome.DEFERRED)
    rejected = Decision.objects.get(outcome=DecisionOutcome.REJECTED)
    assert "financement" in deferred.missing
    assert deferred.item.dossier.state == DossierState.DEFERRED
    assert "emplois" in rejected.reason
    assert rejected.item.dossier.state == DossierState.REJECTED
    # The refusal moved the dossier at the session's date, in its transition log.
    move = rejected.item.dossier.transitions.get(to_state=DossierState.REJECTED)
    assert timezone.localtime(move.at).date() == rejected.decision_date
    assert rejected.item.dossier.decision_date == rejected.decision_date
    for decision in (deferred, rejected):
        assert decision.advance_granted == 0 and not decision.domains
        assert not decision.corporations.exists()


def test_recusals_of_the_members_whose_company_is_proposed(output, past_sessions):
    recusals = Recusal.objects.filter(item__session__in=past_sessions).select_related(
        "membership", "item"
    )
    assert recusals.exists()
    for recusal in recusals:
        assert recusal.reason == RecusalReason.PROPOSED_CORPORATION
        proposed = set(recusal.item.proposed_corporations.values_list("pk", flat=True))
        assert recusal.membership.corporation_id in proposed
        assert not Vote.objects.filter(item=recusal.item, member=recusal.membership).exists()
    # Every member linked to a proposed corporation was recused, and only they.
    expected = 0
    for item in AgendaItem.objects.filter(session__in=past_sessions).select_related("session"):
        proposed = item.proposed_corporations.all()
        expected += (
            CommitteeMembership.objects.voting()
            .active_on(item.session.day)
            .filter(committee=item.session.committee, corporation__in=proposed)
            .count()
        )
    assert recusals.count() == expected
    # The demo committee member (Vallourec) stood aside on Escaut Logiciels.
    member = User.objects.get(email=MEMBER_EMAIL)
    assert recusals.filter(
        membership__person=member, item__dossier__pme__name="Escaut Logiciels"
    ).exists()


def test_the_chair_changes_in_july_2008(approval):
    chairs = CommitteeMembership.objects.chairs().filter(committee=approval).order_by("start_date")
    assert [(c.organisation, c.end_date) for c in chairs] == [
        ("Saint-Gobain", datetime.date(2008, 6, 30)),
        ("Vallourec, direction des ressources humaines", None),
    ]
    assert chairs[1].start_date == datetime.date(2008, 7, 1)
    secretary = CommitteeMembership.objects.get(committee=approval, role=MemberRole.SECRETARY)
    assert secretary.person.email == STAFF_EMAIL
    member = CommitteeMembership.objects.get(committee=approval, person__email=MEMBER_EMAIL)
    assert member.role == MemberRole.MEMBER and member.end_date is None


def test_the_sessions_sat_on_the_committee_dates_and_were_signed(past_sessions):
    assert [s.day for s in past_sessions] == SESSIONS
    for session in past_sessions:
        assert session.status == SessionStatus.SIGNED
        chair = (
            CommitteeMembership.objects.chairs()
            .active_on(session.day)
            .get(committee=session.committee)
        )
        assert session.signed_by == chair.person
        assert session.signed_at.date() > session.day
        moves = list(session.transitions.values_list("transition", flat=True))
        assert moves == ["convene", "open", "close", "sign"]
        assert session.items.exists()
        assert not session.items.exclude(status=ItemStatus.CLOSED).exists()
        assert not session.items.filter(decision__isnull=True).exists()


def test_one_convocation_sent_late_and_the_minutes_say_so(past_sessions):
    late = [s for s in past_sessions if s.is_late_convocation]
    assert len(late) == 1
    assert late[0].notice_given_days == 3
    minutes = minutes_data(late[0])
    assert minutes.late_convocation
    assert all(not minutes_data(s).late_convocation for s in past_sessions if s not in late)


def test_attendance_proxies_and_quorum(past_sessions):
    attendance = Attendance.objects.filter(session__in=past_sessions)
    statuses = set(attendance.values_list("status", flat=True))
    assert statuses == set(AttendanceStatus.values)
    for represented in attendance.filter(status=AttendanceStatus.REPRESENTED):
        holder = attendance.get(session=represented.session, membership=represented.proxy_holder)
        assert holder.status in (AttendanceStatus.PRESENT, AttendanceStatus.REMOTE)
        assert (
            attendance.filter(session=represented.session, proxy_holder=holder.membership).count()
            == 1
        )
    for item in AgendaItem.objects.filter(session__in=past_sessions).select_related("session"):
        assert item_quorum(item).reached


def test_votes_are_dated_in_their_session(past_sessions):
    for vote in Vote.objects.filter(item__session__in=past_sessions).select_related(
        "item__session"
    ):
        session = vote.item.session
        assert session.starts_at < vote.at < session.ends_at
        assert vote.item.opened_at < vote.at < vote.item.closed_at
    for recusal in Recusal.objects.filter(item__session__in=past_sessions).select_related(
        "item__session"
    ):
        assert recusal.recorded_at < recusal.item.session.starts_at
    assert not SessionTransition.objects.filter(
        session__in=past_sessions, at__year__gt=2008
    ).exists()


def test_a_convened_session_to_come_with_the_renewal_dossiers(approval):
    # The session of the day of the load: tests/comites/test_demo_session.py.
    today = timezone.localdate()
    (upcoming,) = [
        s
        for s in Session.objects.filter(committee=approval, starts_at__gt=timezone.now())
        if s.day > today
    ]
    assert upcoming.status == SessionStatus.CONVENED
    assert not upcoming.is_late_convocation
    assert upcoming.day - today >= datetime.timedelta(weeks=4)
    items = list(upcoming.items.select_related("dossier__pme"))
    assert len(items) == 1
    assert {item.status for item in items} == {ItemStatus.PENDING}
    assert {item.dossier.state for item in items} == {DossierState.SUBMITTED}
    # The demo committee member sees it, with its agenda.
    member = User.objects.get(email=MEMBER_EMAIL)
    assert Session.objects.visible_to(member).filter(pk=upcoming.pk).exists()
    assert Session.objects.visible_to(member).filter(committee=approval).count() >= 13


def test_the_steering_committee_chaired_by_the_sub_prefecture(output):
    steering = Committee.objects.get(basin__slug="valenciennois", kind=CommitteeKind.STEERING)
    chair = CommitteeMembership.objects.chairs().get(committee=steering)
    assert chair.person.email == STEERING_EMAIL
    assert chair.person.has_role(Role.STEERING)
    session = Session.objects.get(committee=steering)
    assert session.status == SessionStatus.SIGNED
    assert session.signed_by == chair.person
    assert "première période" in session.agenda_notes
    present = session.attendances.values_list("membership__person__email", flat=True)
    assert {STEERING_EMAIL, FUNDER_EMAIL} <= set(present)


def test_the_comparison_basin_has_its_approval_committee(output):
    assert Committee.objects.filter(
        basin__slug="sambre-avesnois", kind=CommitteeKind.APPROVAL
    ).exists()


def test_output_sums_up_the_committees(output):
    assert "Comités : 12 séances du comité d'agrément au procès-verbal signé" in output
    assert "27 agréments en première période, 1 ajournement, 1 refus" in output
    assert "1 séance du comité de pilotage" in output


def row_counts() -> dict[str, int]:
    """Rows of the committee tables, the accounts and the audit trail."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"comites", "alize", "pghistory"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_second_run_writes_nothing(output):
    before = row_counts()
    assert before["comites.Vote"] and before["comites.VoteEvent"]
    output = run()
    assert row_counts() == before
    assert "Rien à changer" in output
