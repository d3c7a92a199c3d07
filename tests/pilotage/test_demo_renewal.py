"""The renewal period of `load_demo`: the period the dashboard opens on by default and the
Porte du Hainaut's quarterly report covers shows real figures, not "0 PME accompagnées"."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from alize.models import Basin, ProgrammePeriod, User
from avances.models import Advance, Payment
from pilotage import indicators, reports
from pilotage.models import Frequency, ReportSubscription, last_complete_period
from pilotage.permissions import funder_scope

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def valenciennois(output):
    return Basin.objects.get(slug="valenciennois")


@pytest.fixture
def renewal(valenciennois):
    return ProgrammePeriod.objects.get(basin=valenciennois, start_date="2008-07-01")


def test_the_renewal_supported_smes_with_advances_repayments_and_missions(renewal):
    values = indicators.compute(indicators.Scope(renewal.basin, renewal)).values
    assert values["smes_supported"] == 5
    assert values["jobs_planned"] == 36
    assert values["hires"] == 19
    assert values["advances_granted_count"] == values["advances_disbursed_count"] == 3
    assert values["advances_granted"] == Decimal("30000.00")
    assert values["skills_days"] > 50
    repaid = Payment.objects.filter(
        advance__in=Advance.objects.for_basin(renewal.basin).filter(
            decision_date__range=(renewal.start_date, renewal.end_date)
        )
    )
    assert repaid.count() == 3 * 30
    assert indicators.default_period(renewal.basin) == renewal


def test_the_quarterly_funder_report_covers_the_renewal_with_real_figures(renewal):
    subscription = ReportSubscription.objects.get(funder__epci__siren="200042190")
    assert subscription.frequency == Frequency.QUARTERLY
    _start, end = last_complete_period(Frequency.QUARTERLY, timezone.localdate())
    # What `build_funder_report_pdf` measures for that quarter.
    assert reports.period_on(renewal.basin, end) == renewal
    figures = indicators.compute(indicators.Scope(renewal.basin, renewal), today=end)
    assert not reports.is_empty(figures)
    own = funder_scope(subscription.funder, renewal.basin, renewal)
    own_values = indicators.compute(own, today=end).values
    # Wallers, Denain and Raismes are on the Porte du Hainaut's territory.
    assert own_values["smes_supported"] == 3
    assert own_values["advances_granted_count"] == 2
    # Its own contribution to the renewal, against the programme's.
    money = reports.contribution_share(subscription.funder, renewal)
    assert money["own_committed"] == money["own_paid"] == Decimal("39000.00")
    assert money["committed"] > money["own_committed"]


def test_the_dashboard_opens_on_the_renewal_with_its_smes(client, renewal):
    client.force_login(User.objects.get(email="sous-prefecture@alize.demo"))
    page = client.get(reverse("pilotage:dashboard"))
    assert page.status_code == 200
    assert page.context["choice"].period == renewal
    assert page.context["scope"].period == renewal
    assert "0 PME accompagnées" not in page.content.decode()
