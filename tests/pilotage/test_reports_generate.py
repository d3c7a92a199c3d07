"""« Générer maintenant » on the reports page: offered only where a report has somewhere to
go, and never archiving a failed « Aucun destinataire » report."""

import pytest
from django.urls import reverse

from alize.models import Role
from pilotage.models import Report, ReportSubscription
from tests.conftest import make_user
from tests.pilotage.test_reports import make_programme

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return make_programme(smes=1)


@pytest.fixture
def staff_client(client, programme):
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    return client


def generate_button(funder) -> str:
    return reverse("pilotage:report_generate", args=[funder.pk])


def test_generate_now_only_for_funders_with_a_subscription(staff_client, programme):
    subscribed, unsubscribed = programme["funder"], programme["state"]
    html = staff_client.get(reverse("pilotage:report_list")).content.decode()

    assert generate_button(subscribed) in html
    assert generate_button(unsubscribed) not in html
    # Where there is none, the page says how to create it.
    assert "créez son abonnement" in html
    assert reverse("pilotage:subscription_update", args=[unsubscribed.pk]) in html


def test_generating_for_a_funder_without_subscription_archives_nothing(
    staff_client, programme, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(generate_button(programme["state"]), follow=True)

    assert response.status_code == 200
    assert not Report.objects.exists()
    html = response.content.decode()
    assert "n&#x27;a pas d&#x27;abonnement aux rapports" in html
    assert "Aucun destinataire" not in html


def test_a_subscription_without_recipients_is_no_subscription(staff_client, programme):
    ReportSubscription.objects.filter(funder=programme["funder"]).update(
        recipients=[], active=False
    )
    html = staff_client.get(reverse("pilotage:report_list")).content.decode()
    assert generate_button(programme["funder"]) not in html
    staff_client.post(generate_button(programme["funder"]))
    assert not Report.objects.exists()


def test_the_programme_report_needs_an_active_steering_committee(staff_client, programme):
    url = reverse("pilotage:report_generate_programme", args=[programme["period"].pk])
    html = staff_client.get(reverse("pilotage:report_list")).content.decode()
    assert url not in html
    assert "aucun destinataire" in html

    response = staff_client.post(url, follow=True)
    assert "n&#x27;a aucun membre actif" in response.content.decode()
    assert not Report.objects.exists()

    make_user(Role.STEERING, programme["basin"])
    assert url in staff_client.get(reverse("pilotage:report_list")).content.decode()
