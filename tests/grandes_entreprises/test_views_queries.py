"""The lists, pages and the PDF of corporations and missions read the database a fixed
number of times, however many rows they show (2 rows, then 20)."""

import datetime
import itertools
from decimal import Decimal

import pghistory
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alize.models import Role
from grandes_entreprises.models import MissionStatus, MissionTransition
from tests.alize.factories import UserFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    MISSION_START,
    ConventionPaymentFactory,
    CorporationContactFactory,
    CorporationFactory,
    DailyRateFactory,
    DayLogFactory,
    ExpertFactory,
    MembershipFactory,
    MissionResultFactory,
    RevitalisationConventionFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory

pytestmark = pytest.mark.django_db

_days = itertools.count()


def workday(offset: int) -> datetime.date:
    """The offset-th working day from the missions' first Monday."""
    weeks, day = divmod(offset, 5)
    return MISSION_START + datetime.timedelta(weeks=weeks, days=day)


def helped_sme(corporation, *, logs=1, hires=1):
    """A mission of the corporation on a new SME, with days logged and hires."""
    expert = ExpertFactory(corporation=corporation)
    mission = SupportMissionFactory(
        corporation=corporation,
        experts=[expert],
        running=True,
        end_date=MISSION_START + datetime.timedelta(days=120),
        dossier=DossierFactory(approved=True, pme__basin=corporation.basin),
    )
    for rank in range(logs):
        DayLogFactory(mission=mission, expert=expert, date=workday(rank))
    for _ in range(hires):
        HireFactory(dossier=mission.dossier, hire_date=datetime.date(2007, 9, 3))
    return mission


def add_rows(kind, world, added):
    corporation, mission = world["corporation"], world["mission"]
    for _ in range(added):
        if kind == "corporation_list":
            helped_sme(CorporationFactory(basin=corporation.basin))
        elif kind == "mission_list":
            helped_sme(corporation, logs=2)
        elif kind == "corporation_detail":
            helped_sme(corporation, logs=2)
            DailyRateFactory(
                corporation=corporation, valid_from=datetime.date(2006, 1, 1) + next_days()
            )
            CorporationContactFactory(corporation=corporation)
            CorporationFactory(basin=corporation.basin, group_name=corporation.group_name)
            MembershipFactory(corporation=corporation)
            ConventionPaymentFactory(
                convention=RevitalisationConventionFactory(corporation=corporation),
                amount=Decimal("1000.00"),
            )
            with pghistory.context(user=UserFactory().pk):
                corporation.headcount += 1
                corporation.save()
        elif kind in {"mission_detail", "skills_statement_pdf"}:
            expert = ExpertFactory(corporation=corporation)
            mission.assignments.create(expert=expert)
            DayLogFactory(mission=mission, expert=expert, date=workday(next(_days) % 80))
            MissionResultFactory(mission=mission, recorded_by=UserFactory())
            if kind == "mission_detail":
                MissionTransition.objects.create(
                    mission=mission,
                    transition="start",
                    from_state=MissionStatus.PLANNED,
                    to_state=MissionStatus.RUNNING,
                    by=UserFactory(),
                )
                with pghistory.context(user=UserFactory().pk):
                    mission.objective += "."
                    mission.save()
            else:
                helped_sme(corporation, logs=1, hires=1)
        elif kind == "convention_detail":
            ConventionPaymentFactory(
                convention=world["convention"], amount=Decimal("10.00"), recorded_by=UserFactory()
            )
            helped_sme(corporation, logs=1, hires=1)


def next_days() -> datetime.timedelta:
    return datetime.timedelta(days=next(_days) + 1)


@pytest.fixture
def world(basin, corporation, mission):
    convention = RevitalisationConventionFactory(
        corporation=corporation,
        signature_date=datetime.date(2007, 1, 15),
        smic_monthly=Decimal("1254.28"),
        smic_valid_from=datetime.date(2006, 7, 1),
    )
    mission.end_date = MISSION_START + datetime.timedelta(days=120)
    mission.save()
    return {"corporation": corporation, "mission": mission, "convention": convention}


def url_for(kind, world) -> str:
    corporation = world["corporation"]
    name = f"grandes_entreprises:{kind}"
    if kind in {"corporation_list", "mission_list"}:
        return reverse(name)
    if kind == "corporation_detail":
        return reverse(name, args=[corporation.pk])
    if kind == "mission_detail":
        return reverse(name, args=[world["mission"].pk])
    if kind == "convention_detail":
        return reverse(name, args=[world["convention"].pk])
    return reverse(name, args=[corporation.pk, 2007])


# Every page pays 3: the session, the user and the user's roles.
QUERY_COUNTS = {
    # the rows and their count (2), the periods of the filter (1)
    "corporation_list": 3 + 2 + 1,
    # the rows and their count (2); the filter's corporations, dossiers and years (3)
    "mission_list": 3 + 2 + 3,
    # the corporation with its totals (1); its years (2), missions, experts, rates,
    # memberships, contacts, coordinators, representatives, the group's other sites,
    # conventions (9); the user's basins, to say what they may do (1); history: events, the
    # people who made them, and the basin and funder the trail names (3)
    "corporation_detail": 3 + 1 + 2 + 9 + 1 + 3,
    # the mission (1); whether the user is an operator of its basin (1; a coordinator is
    # also asked whether they coordinate its corporation); experts, moves, days, results
    # (4); history: events, the people who made them, and the dossier (with its SME), the
    # corporation and the person the trail names (6)
    "mission_detail": 3 + 1 + 1 + 4 + 6,
    # the convention (1); its progress: paid, days and value, jobs, SMEs (4) and the
    # advances' counter when that app registers one; payments (1); the user's basins (1);
    # history: events, people, the corporation and the person who recorded it (3)
    "convention_detail": 3 + 1 + 4 + 1 + 1 + 3,
    # the corporation (1); the statement: totals, hires by SME, SMEs, results (4)
    "skills_statement_pdf": 3 + 1 + 4,
}


@pytest.mark.parametrize("kind", QUERY_COUNTS)
def test_query_count_does_not_grow_with_rows(client, basin, world, kind):
    from grandes_entreprises.revitalisation import registered_counters

    user = make_user(Role.MANAGER, basin)
    client.force_login(user)
    address = url_for(kind, world)
    client.get(address)

    counts = []
    for added in (2, 18):  # 2 rows, then 20
        add_rows(kind, world, added)
        assert client.get(address).status_code == 200
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address)
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1], (
        f"{kind} : {counts[0]} requêtes avec 2 lignes, {counts[1]} avec 20"
    )
    expected = QUERY_COUNTS[kind]
    if kind == "convention_detail":
        expected += len(registered_counters())
    assert counts[1] == expected, "\n".join(q["sql"][:160] for q in queries.captured_queries)
