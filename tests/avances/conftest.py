"""The Valenciennes basin as the article has it: advances capped at 15,000 €, against
25,000 € in the comparison basin; a national reference rate of 5 %."""

import datetime
from decimal import Decimal

import pytest

from alize.models import Role
from avances.services import register_contribution
from avances.services.grant import grant_advance
from comites.models import Committee
from comites.workflow import CommitteeKind
from tests.alize.factories import AdvanceCapFactory, BasinFactory, ContributionFactory
from tests.avances.factories import DeMinimisDeclarationFactory, ReferenceRateFactory
from tests.comites.factories import AgendaItemFactory, DecisionFactory, close
from tests.conftest import make_user
from tests.pme.factories import DECISION_DAY, DossierFactory

CAP_START = datetime.date(2005, 7, 1)
FUNDING_DAY = datetime.date(2006, 12, 1)


@pytest.fixture
def basin(db):
    """Valenciennes: advances capped at 15,000 € since the first period began."""
    basin = BasinFactory(valenciennes=True)
    AdvanceCapFactory(basin=basin, amount=Decimal("15000.00"), valid_from=CAP_START)
    return basin


@pytest.fixture
def other_basin(db):
    """The comparison basin: advances capped at 25,000 €."""
    basin = BasinFactory(name="Bassin de comparaison", slug="comparaison")
    AdvanceCapFactory(basin=basin, amount=Decimal("25000.00"), valid_from=CAP_START)
    return basin


@pytest.fixture
def reference_rate(db):
    return ReferenceRateFactory()


def fund(basin, amount, *, by=None, on=FUNDING_DAY):
    """Pay `amount` of a funder's earmarked contribution into the basin's fund."""
    by = by or make_user(Role.STAFF, basin)
    contribution = ContributionFactory(
        funder__basin=basin, committed=amount, earmarked_for_advances=amount
    )
    return register_contribution(contribution=contribution, amount=amount, on=on, by=by)


@pytest.fixture
def funded(basin, reference_rate):
    """100,000 € paid into the Valenciennes fund."""
    fund(basin, Decimal("100000.00"))
    return basin


def approved_dossier(basin, requested=Decimal("15000.00"), **kwargs):
    """A dossier approved on 15 March 2007 whose SME declared no other de minimis aid."""
    dossier = DossierFactory(approved=True, pme__basin=basin, advance_requested=requested, **kwargs)
    DeMinimisDeclarationFactory(pme=dossier.pme)
    return dossier


@pytest.fixture
def dossier(basin):
    return approved_dossier(basin)


def committee_decision(dossier, amount: Decimal, *, by, on=DECISION_DAY):
    """The approval committee's decision granting `amount` on `dossier`, recorded by `by`
    after a closed vote: what `grant_advance` takes as its authority. Its copies of the
    request and the cap let through what the grant service itself must refuse."""
    basin = dossier.pme.commune.epci.basin
    committee = Committee.objects.filter(basin=basin, kind=CommitteeKind.APPROVAL).first()
    where = {"session__committee": committee} if committee else {"session__committee__basin": basin}
    item = close(AgendaItemFactory(dossier=dossier, **where))
    ceiling = max(amount, dossier.advance_requested, Decimal("0.01"))
    return DecisionFactory(
        item=item,
        approved=True,
        advance_granted=amount,
        advance_requested=ceiling,
        cap_copied=ceiling,
        decision_date=on,
        recorded_by=by,
    )


def grant(dossier, amount: Decimal, by, *, decision_date=DECISION_DAY, **terms):
    """Grant the advance a committee decision recorded by `by` gave on `dossier`."""
    decision = committee_decision(dossier, amount, by=by, on=decision_date)
    return grant_advance(decision=decision, by=by, **terms)
