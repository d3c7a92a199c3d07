"""The programme dashboard: who reads what, the defaults, the comparisons, the charts with
their tables, French messages for a wrong address, and a query count that does not grow."""

import datetime
import re
from decimal import Decimal
from html import unescape

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alize.models import Funder, Role
from tests.alize.factories import (
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    DailyRateFactory,
    DayLogFactory,
    SupportMissionFactory,
)
from tests.pme.factories import DossierFactory, HireFactory

pytestmark = pytest.mark.django_db
D = datetime.date
URL = reverse("pilotage:dashboard")


def text_of(response) -> str:
    """The page's text, French spaces read as plain ones, tags removed."""
    html = response.content.decode()
    html = re.sub(r"<svg.*?</svg>", " ", html, flags=re.S)
    return re.sub(r"[\s\u00a0\u202f]+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


@pytest.fixture
def programme(basin, other_basin):
    """Two periods in the basin (2 SMEs, 13 jobs each, in the first; 1 in the renewal), and
    another basin with 7 jobs per SME over the first period's dates."""
    first = PeriodFactory(
        basin=basin, name="Première période", start_date=D(2005, 7, 1), end_date=D(2008, 6, 30)
    )
    renewal = PeriodFactory(
        basin=basin, name="Renouvellement", start_date=D(2008, 7, 1), end_date=D(2011, 6, 30)
    )
    epci = EpciFactory(basin=basin, name="CA de la Porte du Hainaut")
    elsewhere = EpciFactory(basin=basin, name="CA Valenciennes Métropole")
    for commune_epci in (epci, elsewhere):
        dossier = DossierFactory(
            approved=True, pme__commune=CommuneFactory(epci=commune_epci), jobs_planned=13
        )
        HireFactory(dossier=dossier)
    DossierFactory(
        approved=True,
        pme__commune=CommuneFactory(epci=epci),
        jobs_planned=4,
        decision_date=D(2009, 3, 12),
    )
    PeriodFactory(basin=other_basin, start_date=D(2005, 7, 1), end_date=D(2008, 6, 30))
    DossierFactory(approved=True, pme__basin=other_basin, jobs_planned=7)
    territory = FunderFactory(
        basin=basin, name="CA de la Porte du Hainaut", kind=Funder.Kind.LOCAL_AUTHORITY, epci=epci
    )
    ContributionFactory(funder=territory, period=first, committed=Decimal("39000"))
    return {"first": first, "renewal": renewal, "epci": epci, "territory": territory}


@pytest.fixture
def steering_client(client, basin):
    client.force_login(make_user(Role.STEERING, basin))
    return client


def test_the_steering_committee_reads_its_basin_against_the_others(steering_client, programme):
    response = steering_client.get(URL, {"periode": programme["first"].pk})

    assert response.status_code == 200
    text = text_of(response)
    assert "Première période" in text
    # The period is over: its figures stand at its last day.
    assert "chiffres au 30/06/2008" in text
    # 26 jobs planned for 2 SMEs: 13 per SME, against 7 in the other basin.
    card = re.search(r"Emplois prévus par PME (.*?) Définition", text).group(1)
    assert card.strip() == "13 contre 7 dans les autres bassins"
    # Every figure carries its written definition.
    assert "Emplois prévus divisés par le nombre de PME accompagnées" in text
    # The charts are SVG images, and their figures are tables too.
    html = response.content.decode()
    assert html.count('role="img"') >= 5
    assert 'aria-label="PME accompagnées par intercommunalité"' in html
    assert '<th scope="row" class="fw-normal">CA de la Porte du Hainaut</th>' in html


def test_the_default_is_the_current_or_last_period_compared_with_the_previous(
    steering_client, programme
):
    response = steering_client.get(URL)

    assert response.context["scope"].period == programme["renewal"]
    assert response.context["previous_period"] == programme["first"]
    text = text_of(response)
    card = re.search(r"PME accompagnées (\d.*?) Définition", text).group(1)
    assert card.strip() == "1 contre 2 sur la période précédente"


def test_a_wrong_address_gets_a_french_message_not_an_error(steering_client, programme):
    response = steering_client.get(URL, {"bassin": "abc", "periode": "xyz"})
    assert response.status_code == 200
    text = text_of(response)
    assert "Le bassin demandé n'est pas valide" in text
    assert "La période demandée n'existe pas pour ce bassin" in text
    # A period of another basin: the same message, and this basin's default period.
    other = PeriodFactory()
    response = steering_client.get(URL, {"periode": other.pk})
    assert "La période demandée n'existe pas pour ce bassin" in text_of(response)
    assert response.context["scope"].period == programme["renewal"]
    assert steering_client.get(URL, {"bassin": "99999999"}).status_code == 404


def test_another_basins_dashboard_is_a_404_for_a_basin_bound_user(
    steering_client, programme, other_basin
):
    assert steering_client.get(URL, {"bassin": other_basin.pk}).status_code == 404
    other_url = reverse("pilotage:basin_dashboard", args=[other_basin.pk])
    assert steering_client.get(other_url).status_code == 404


def test_the_administrator_reads_every_basin(client, programme, basin, other_basin):
    client.force_login(make_user(Role.ADMIN))
    response = client.get(reverse("pilotage:basin_dashboard", args=[other_basin.pk]))
    assert response.status_code == 200
    assert response.context["scope"].basin == other_basin
    assert client.get(URL, {"bassin": basin.pk}).context["scope"].basin == basin


@pytest.mark.parametrize("role", [Role.COMMITTEE_MEMBER, Role.COORDINATOR])
def test_committee_members_and_coordinators_have_no_dashboard(client, basin, programme, role):
    client.force_login(make_user(role, basin))
    assert client.get(URL).status_code == 404


def test_an_intercommunality_funder_reads_the_programme_and_its_territory(client, basin, programme):
    user = make_user(Role.FUNDER, basin)
    user.funder = programme["territory"]
    user.save()
    client.force_login(user)

    response = client.get(URL, {"periode": programme["first"].pk})

    assert response.status_code == 200
    text = text_of(response)
    assert "Votre territoire : CA de la Porte du Hainaut" in text
    territory = response.context["extra"][0]
    smes = next(row for row in territory["rows"] if row["key"] == "smes_supported")
    assert smes["value"] == "1"
    programme_smes = response.context["sections"][0]["rows"][0]
    assert programme_smes["value"] == "2"
    # What each corporation gave is the operator's business, not a funder's.
    assert 'data-chart="skills_days_by_corporation"' not in response.content.decode()


def test_a_corporation_funder_reads_its_own_missions(client, basin, programme):
    funder = FunderFactory(basin=basin, name="Alstom Transport", kind=Funder.Kind.CORPORATION)
    alstom = CorporationFactory(basin=basin, group_name="Alstom", site_name="", funder=funder)
    toyota = CorporationFactory(basin=basin, group_name="Toyota", site_name="")
    for corporation in (alstom, toyota):
        DailyRateFactory(corporation=corporation)
        DayLogFactory(mission=SupportMissionFactory(corporation=corporation, running=True))
    user = make_user(Role.FUNDER, basin)
    user.funder = funder
    user.save()
    client.force_login(user)

    response = client.get(URL, {"periode": programme["first"].pk})

    missions = response.context["extra"][0]
    assert missions["title"] == "Les missions de Alstom"
    assert missions["charts"][0]["table"] == [
        {"label": "Alstom", "value": "1\u00a0j", "previous": None}
    ]


def test_operators_read_what_each_corporation_gave(client, basin, programme):
    corporation = CorporationFactory(basin=basin, group_name="Alstom", site_name="")
    DailyRateFactory(corporation=corporation)
    DayLogFactory(mission=SupportMissionFactory(corporation=corporation, running=True))
    client.force_login(make_user(Role.STAFF, basin))
    response = client.get(URL, {"periode": programme["first"].pk})
    assert 'data-chart="skills_days_by_corporation"' in response.content.decode()


def test_the_dashboard_takes_the_same_number_of_queries_with_2_and_20_smes(
    steering_client, basin, programme
):
    def add(count):
        for _ in range(count):
            dossier = DossierFactory(approved=True, pme__basin=basin)
            HireFactory(dossier=dossier)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            response = steering_client.get(URL, {"periode": programme["renewal"].pk})
        assert response.status_code == 200
        return len(captured)

    add(2)
    few = queries()
    add(18)
    assert queries() == few


def test_a_basin_without_any_period_says_so(steering_client):
    response = steering_client.get(URL)
    assert response.status_code == 200
    assert "aucune période de programme" in text_of(response)
