"""The approval committee's session of the day of `load_demo`, run end to end by the demo's
own accounts: attendance, opening, the vote, the decision granting the advance, closing and
the chair's signature."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from alize.models import Role, User
from avances.models import Advance, DeMinimisDeclaration
from avances.selectors import fund_balance
from comites import services
from comites.models import Committee, CommitteeMembership, Session
from comites.workflow import (
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    SessionStatus,
    VoteChoice,
)
from pme.models import DossierState

pytestmark = pytest.mark.django_db

PASSWORD = "alize-demo-2026"
CHAIR_EMAIL = "agnes.vallourec-drh@alize.demo"
MEMBER_EMAILS = {
    "membre.comite@alize.demo",
    "nathalie.toyota@alize.demo",
    "philippe.alstom@alize.demo",
    "gerard.psa@alize.demo",
}
SECRETARY_EMAIL = "chargee.mission@alize.demo"
MANAGER_EMAIL = "responsable@alize.demo"


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def approval(output):
    return Committee.objects.get(basin__slug="valenciennois", kind=CommitteeKind.APPROVAL)


@pytest.fixture
def session(approval):
    today = timezone.localdate()
    sessions = [s for s in Session.objects.filter(committee=approval) if s.day == today]
    assert len(sessions) == 1
    return sessions[0]


def account(email: str) -> User:
    user = User.objects.get(email=email)
    assert user.is_active and user.check_password(PASSWORD), email
    return user


def test_the_chair_and_members_in_office_are_demo_accounts(approval, output):
    today = timezone.localdate()
    sitting = CommitteeMembership.objects.active_on(today).filter(committee=approval)
    chair = sitting.get(role=MemberRole.CHAIR)
    assert chair.person.email == CHAIR_EMAIL
    members = sitting.filter(role=MemberRole.MEMBER)
    assert set(members.values_list("person__email", flat=True)) == MEMBER_EMAILS
    for membership in sitting.select_related("person"):
        user = account(membership.person.email)
        assert list(user.basins.values_list("slug", flat=True)) == ["valenciennois"]
        # Listed with the demo accounts the command prints.
        assert f"  {user.email} " in output
        if membership.role != MemberRole.SECRETARY:
            assert user.has_role(Role.COMMITTEE_MEMBER)
    assert sitting.get(role=MemberRole.SECRETARY).person.email == SECRETARY_EMAIL


def test_a_session_today_convened_in_time_with_a_dossier_ready_for_its_advance(session):
    now = timezone.localtime()
    assert session.status == SessionStatus.CONVENED
    assert timezone.localtime(session.starts_at).date() == now.date()
    assert not session.is_late_convocation
    item = session.items.select_related("dossier__pme").get()
    assert item.status == ItemStatus.PENDING
    assert item.dossier.state == DossierState.SUBMITTED
    assert item.dossier.advance_requested == Decimal("15000.00")
    assert DeMinimisDeclaration.objects.filter(
        pme=item.dossier.pme, declared_on__lte=session.day
    ).exists()
    assert not Advance.objects.filter(dossier=item.dossier).exists()


def test_the_demo_users_run_the_session_to_the_signed_minutes(session, client):
    secretary, manager, chair = (
        account(SECRETARY_EMAIL),
        account(MANAGER_EMAIL),
        account(CHAIR_EMAIL),
    )
    seats = {
        m.person.email: m
        for m in CommitteeMembership.objects.active_on(session.day)
        .filter(committee=session.committee)
        .select_related("person")
    }
    item = session.items.select_related("dossier__pme").get()
    basin_id = session.committee.basin_id
    available_before = fund_balance(basin_id).available

    # A member sees the session and its dossier before it sits.
    client.force_login(account("nathalie.toyota@alize.demo"))
    page = client.get(reverse("comites:session_detail", args=[session.pk]))
    assert page.status_code == 200
    assert escape(item.dossier.pme.name) in page.content.decode()

    # The secretary takes the attendance and opens the session.
    for membership in seats.values():
        services.record_attendance(
            session=session, membership=membership, status=AttendanceStatus.PRESENT, by=secretary
        )
    session = services.open_session(session=session, by=secretary)
    assert session.status == SessionStatus.OPEN

    # The chair opens the vote; Alstom's member stood aside (Alstom is proposed).
    item = services.open_item(item=item, by=chair)
    assert item.recusals.get().membership == seats["philippe.alstom@alize.demo"]
    voters = [chair.email, *sorted(MEMBER_EMAILS - {"philippe.alstom@alize.demo"})]
    choices = {"gerard.psa@alize.demo": VoteChoice.ABSTAIN}
    for email in voters:
        services.cast_vote(
            item=item,
            member=seats[email],
            choice=choices.get(email, VoteChoice.FOR),
            by=account(email),
        )
    item = services.close_item(item=item, by=chair)
    result = services.tally(item)
    assert (result.adopted, item.votes.count()) == (True, 4)

    # The operator's manager records the approval, which grants the advance.
    decision = services.record_decision(
        item=item,
        outcome=DecisionOutcome.APPROVED,
        by=manager,
        corporations=list(item.proposed_corporations.all()),
        domains=list(item.dossier.needs),
        advance_granted=Decimal("15000.00"),
    )
    advance = Advance.objects.get(dossier=item.dossier)
    assert advance.amount == decision.advance_granted == Decimal("15000.00")
    assert advance.decision_date == timezone.localdate()
    assert advance.granted_by == manager
    item.dossier.refresh_from_db()
    assert item.dossier.state == DossierState.APPROVED
    # Granted, not yet paid out: committed in the fund, no row written by hand.
    balance = fund_balance(basin_id)
    assert balance.committed == Decimal("15000.00")
    assert balance.available == available_before - Decimal("15000.00")

    # The secretary closes the session; the chair signs the minutes.
    session = services.close_session(session=session, by=secretary)
    session = services.sign_off(session=session, by=chair)
    assert session.status == SessionStatus.SIGNED
    assert session.signed_by == chair
    client.force_login(chair)
    minutes = client.get(reverse("comites:minutes", args=[session.pk]))
    assert minutes.status_code == 200
    assert escape(item.dossier.pme.name) in minutes.content.decode()
