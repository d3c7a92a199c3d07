"""Factories of committees, mandates, sessions, attendance, agenda items, votes and decisions.

Written straight to the database for tests; real ones go through `comites.services`.
Sessions in the future are drafts or convened (`convened=True`); a sitting session
(`sitting=True`) started an hour ago, convened eight days before. The database's triggers
still apply: attendance is recorded while a session sits, votes while an item is open,
decisions once it is closed.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from comites.models import (
    AgendaItem,
    Attendance,
    Committee,
    CommitteeMembership,
    Decision,
    Recusal,
    Session,
    Vote,
)
from comites.workflow import (
    AttendanceStatus,
    CommitteeKind,
    DecisionOutcome,
    ItemStatus,
    MemberRole,
    RecusalReason,
    SessionKind,
    SessionStatus,
    VoteCapacity,
    VoteChoice,
)
from pme.models import Need
from tests.alize.factories import BasinFactory, UserFactory
from tests.grandes_entreprises.factories import CorporationFactory
from tests.pme.factories import DossierFactory

MANDATE_START = datetime.date(2005, 7, 1)


def in_days(days: float) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=days)


class CommitteeFactory(DjangoModelFactory):
    class Meta:
        model = Committee

    class Params:
        steering = factory.Trait(kind=CommitteeKind.STEERING)
        without_casting_vote = factory.Trait(chair_casting_vote=False)
        two_thirds = factory.Trait(quorum_numerator=2, quorum_denominator=3)

    basin = factory.SubFactory(BasinFactory)
    kind = CommitteeKind.APPROVAL


class MembershipFactory(DjangoModelFactory):
    """A mandate from July 2005, with no end; `for_corporation=True` links it to a
    corporation of the committee's basin (its representative is recused automatically)."""

    class Meta:
        model = CommitteeMembership

    class Params:
        chair = factory.Trait(role=MemberRole.CHAIR)
        secretary = factory.Trait(role=MemberRole.SECRETARY, organisation="CCI du Valenciennois")
        for_corporation = factory.Trait(
            corporation=factory.SubFactory(
                CorporationFactory, basin=factory.SelfAttribute("..committee.basin")
            ),
            organisation=factory.SelfAttribute("corporation.group_name"),
        )

    committee = factory.SubFactory(CommitteeFactory)
    person = factory.SubFactory(UserFactory)
    organisation = factory.Sequence(lambda n: f"Organisme {n}")
    role = MemberRole.MEMBER
    start_date = MANDATE_START


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    class Params:
        convened = factory.Trait(
            status=SessionStatus.CONVENED,
            convened_at=factory.LazyFunction(timezone.now),
            convened_by=factory.SubFactory(UserFactory),
        )
        sitting = factory.Trait(
            status=SessionStatus.OPEN,
            starts_at=factory.LazyFunction(lambda: in_days(-1 / 24)),
            convened_at=factory.LazyFunction(lambda: in_days(-8)),
            convened_by=factory.SubFactory(UserFactory),
            opened_at=factory.LazyFunction(timezone.now),
        )
        late = factory.Trait(convened_at=factory.LazyFunction(lambda: in_days(-2)))
        video = factory.Trait(place="", video_link="https://visio.example.test/comite")
        # A draft written consultation, to launch today: votes taken for three days.
        written = factory.Trait(
            kind=SessionKind.WRITTEN,
            place="",
            starts_at=factory.LazyFunction(lambda: in_days(-1 / 24)),
            closes_at=factory.LazyFunction(lambda: in_days(3)),
        )

    committee = factory.SubFactory(CommitteeFactory)
    starts_at = factory.LazyFunction(lambda: in_days(10))
    place = "CCI du Valenciennois, salle du conseil"
    status = SessionStatus.DRAFT
    created_by = factory.SubFactory(UserFactory)
    quorum_numerator = factory.SelfAttribute("committee.quorum_numerator")
    quorum_denominator = factory.SelfAttribute("committee.quorum_denominator")
    chair_casting_vote = factory.SelfAttribute("committee.chair_casting_vote")
    notice_days = factory.SelfAttribute("committee.notice_days")


class AttendanceFactory(DjangoModelFactory):
    class Meta:
        model = Attendance

    class Params:
        remote = factory.Trait(status=AttendanceStatus.REMOTE)
        absent = factory.Trait(status=AttendanceStatus.ABSENT)
        # Pass `proxy_holder=<membership>` with it.
        represented = factory.Trait(status=AttendanceStatus.REPRESENTED)

    session = factory.SubFactory(SessionFactory, sitting=True)
    membership = factory.SubFactory(
        MembershipFactory, committee=factory.SelfAttribute("..session.committee")
    )
    status = AttendanceStatus.PRESENT
    recorded_by = factory.SubFactory(UserFactory)


class AgendaItemFactory(DjangoModelFactory):
    """A submitted dossier of the committee's basin on the agenda; `voting=True` opens its
    vote (one per session at a time)."""

    class Meta:
        model = AgendaItem
        skip_postgeneration_save = True

    class Params:
        voting = factory.Trait(status=ItemStatus.OPEN, opened_at=factory.LazyFunction(timezone.now))

    session = factory.SubFactory(SessionFactory, sitting=True)
    dossier = factory.SubFactory(
        DossierFactory,
        submitted=True,
        pme__basin=factory.SelfAttribute("...session.committee.basin"),
    )
    order = factory.Sequence(lambda n: n + 1)

    @factory.post_generation
    def proposed_corporations(self, create, extracted, **kwargs):
        if create and extracted:
            self.proposed_corporations.set(extracted)


class RecusalFactory(DjangoModelFactory):
    class Meta:
        model = Recusal

    class Params:
        automatic = factory.Trait(reason=RecusalReason.PROPOSED_CORPORATION, details="")

    item = factory.SubFactory(AgendaItemFactory)
    membership = factory.SubFactory(
        MembershipFactory, committee=factory.SelfAttribute("..item.session.committee")
    )
    reason = RecusalReason.DECLARED_INTEREST
    details = "Administrateur de l'entreprise"
    recorded_by = factory.SubFactory(UserFactory)


class VoteFactory(DjangoModelFactory):
    """A vote cast in person on an open item."""

    class Meta:
        model = Vote

    class Params:
        against = factory.Trait(choice=VoteChoice.AGAINST)
        abstain = factory.Trait(choice=VoteChoice.ABSTAIN)

    item = factory.SubFactory(AgendaItemFactory, voting=True)
    member = factory.SubFactory(
        MembershipFactory, committee=factory.SelfAttribute("..item.session.committee")
    )
    choice = VoteChoice.FOR
    cast_by = factory.SelfAttribute("member")
    capacity = VoteCapacity.IN_PERSON


class DecisionFactory(DjangoModelFactory):
    """A decision on a closed item (pass one: `item=close(item)`); rejected by default."""

    class Meta:
        model = Decision

    class Params:
        approved = factory.Trait(
            outcome=DecisionOutcome.APPROVED,
            reason="",
            domains=factory.LazyFunction(lambda: [Need.QUALITY]),
            advance_granted=Decimal("10000.00"),
            cap_copied=Decimal("15000.00"),
        )
        deferred = factory.Trait(
            outcome=DecisionOutcome.DEFERRED, reason="", missing="Le plan de financement."
        )

    outcome = DecisionOutcome.REJECTED
    reason = "Projet sans création d'emploi."
    decision_date = factory.LazyAttribute(lambda o: o.item.session.day)
    advance_requested = factory.LazyAttribute(lambda o: o.item.dossier.advance_requested)
    recorded_by = factory.SubFactory(UserFactory)


def close(item: AgendaItem) -> AgendaItem:
    """Close an item's vote as the service would (opening it first if needed)."""
    now = timezone.now()
    item.opened_at = item.opened_at or now
    item.status = ItemStatus.CLOSED
    item.closed_at = now
    item.save()
    return item


def move_session(session: Session, status: str) -> Session:
    """Stamp a session into a later status directly (the services log each move)."""
    now = timezone.now()
    if status in (SessionStatus.CLOSED, SessionStatus.SIGNED):
        session.closed_at = session.closed_at or now
    if status == SessionStatus.SIGNED:
        session.signed_at = now
        session.signed_by = session.signed_by or UserFactory()
    session.status = status
    session.save()
    return session
