import pytest

from alize.models import Role
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DailyRateFactory,
    ExpertFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory


@pytest.fixture
def corporation(basin):
    corporation = CorporationFactory(alstom=True, basin=basin)
    DailyRateFactory(corporation=corporation)
    return corporation


@pytest.fixture
def other_corporation(basin):
    return CorporationFactory(toyota=True, basin=basin)


@pytest.fixture
def expert(corporation):
    return ExpertFactory(corporation=corporation, quality=True, name="Jean Dupuis")


@pytest.fixture
def dossier(basin):
    """Heuille's dossier, approved by the committee on 15 March 2007."""
    return DossierFactory(approved=True, pme__basin=basin, pme__name="Heuille")


@pytest.fixture
def mission(corporation, dossier, expert):
    return SupportMissionFactory(
        corporation=corporation, dossier=dossier, experts=[expert], running=True
    )


@pytest.fixture
def coordinator(corporation):
    user = make_user(Role.COORDINATOR)
    corporation.coordinators.add(user)
    return user


@pytest.fixture
def other_coordinator(other_corporation):
    user = make_user(Role.COORDINATOR)
    other_corporation.coordinators.add(user)
    return user
