"""A Valenciennes approval committee in session: the scene most committee tests start from.

Five voting members (the chair, for Saint-Gobain; Alstom's representative; three others)
and a secretary, who is the operator's manager: `pme.services.transition_dossier` asks
for that role to record a committee's decision. The basin's cap is 15 000 €; its advance
fund holds 100 000 €, and every SME on the agenda has made its de minimis declaration, so
that an approval can grant an advance (`avances.services.grant_advance`).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

import pytest

from alize.models import Basin, User
from comites.models import AgendaItem, Attendance, Committee, CommitteeMembership, Session
from comites.workflow import AttendanceStatus
from tests.alize.factories import AdvanceCapFactory
from tests.avances.conftest import fund
from tests.avances.factories import DeMinimisDeclarationFactory, ReferenceRateFactory
from tests.comites.factories import (
    AgendaItemFactory,
    AttendanceFactory,
    CommitteeFactory,
    MembershipFactory,
    SessionFactory,
)
from tests.grandes_entreprises.factories import CorporationFactory

VALENCIENNES_CAP = Decimal("15000.00")
FUND = Decimal("100000.00")


@dataclass
class Board:
    basin: Basin
    committee: Committee
    chair: CommitteeMembership
    members: list[CommitteeMembership]
    secretary: CommitteeMembership
    session: Session
    items: list[AgendaItem] = field(default_factory=list)

    @property
    def voters(self) -> list[CommitteeMembership]:
        return [self.chair, *self.members]

    @property
    def alstom(self) -> CommitteeMembership:
        return self.members[0]

    def attend(self, *memberships, status=AttendanceStatus.PRESENT, proxy_holder=None):
        return [
            AttendanceFactory(
                session=self.session, membership=m, status=status, proxy_holder=proxy_holder
            )
            for m in memberships
        ]

    def everyone_present(self) -> list[Attendance]:
        return self.attend(*self.voters, self.secretary)

    def item(self, **kwargs) -> AgendaItem:
        kwargs.setdefault("order", len(self.items) + 1)
        item = AgendaItemFactory(session=self.session, **kwargs)
        DeMinimisDeclarationFactory(pme=item.dossier.pme)
        self.items.append(item)
        return item

    def user(self, membership: CommitteeMembership) -> User:
        return membership.person


@pytest.fixture
def board(basin, manager) -> Board:
    AdvanceCapFactory(basin=basin, amount=VALENCIENNES_CAP, valid_from=datetime.date(2005, 7, 1))
    ReferenceRateFactory()
    fund(basin, FUND)
    committee = CommitteeFactory(basin=basin)
    saint_gobain = CorporationFactory(basin=basin, group_name="Saint-Gobain")
    alstom = CorporationFactory(basin=basin, alstom=True)
    chair = MembershipFactory(
        committee=committee, chair=True, corporation=saint_gobain, organisation="Saint-Gobain"
    )
    members = [
        MembershipFactory(committee=committee, corporation=alstom, organisation="Alstom"),
        *(MembershipFactory(committee=committee) for _ in range(3)),
    ]
    secretary = MembershipFactory(committee=committee, secretary=True, person=manager)
    session = SessionFactory(committee=committee, sitting=True)
    return Board(
        basin=basin,
        committee=committee,
        chair=chair,
        members=members,
        secretary=secretary,
        session=session,
    )
