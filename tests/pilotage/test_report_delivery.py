"""Each report's messages go through the outbox (`alize.outbox`): claimed before they
leave, stamped right after; an interrupted hand-off is never resent on its own, staff
confirm or resend it from the archive."""

import datetime
import smtplib
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from alize.models import Delivery, DeliveryState, Role
from alize.services import outbox
from pilotage import services
from pilotage.models import Report, ReportStatus
from tests.alize.factories import BasinFactory
from tests.conftest import make_user
from tests.pilotage.test_reports import built_report, funder_user, make_programme

pytestmark = pytest.mark.django_db

RECIPIENTS = ["financeur@agglo.test", "dga@agglo.test"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def programme():
    return make_programme(smes=0)


def interrupted_report(programme) -> Report:
    """A report whose worker died while handing its first message to the mail server:
    the first message claimed and « remise en cours », the second only claimed."""
    report = built_report(programme)
    first, _ = outbox.claim(
        kind="rapport", key=report.pk, recipients=RECIPIENTS, period=report.delivery_period
    )
    real_send = services.EmailMessage.send
    with (
        mock.patch.object(services.EmailMessage, "send", side_effect=SystemExit("tué")),
        pytest.raises(SystemExit),
    ):
        services.send_report(report_id=report.pk)
    first.refresh_from_db()
    assert first.state == DeliveryState.HANDING_OFF
    assert services.EmailMessage.send is real_send
    return report


def test_a_send_interrupted_during_a_hand_off_is_not_resent_and_shows_to_verify(
    programme, mailoutbox
):
    report = interrupted_report(programme)
    # The task comes back (redelivered after the worker's death).
    assert services.send_report(report_id=report.pk) is False
    report.refresh_from_db()
    assert report.status == ReportStatus.TO_VERIFY
    # The message that may have left is not resent; the other recipient is served.
    assert [m.to for m in mailoutbox] == [["dga@agglo.test"]]
    states = dict(Delivery.objects.values_list("recipient", "state"))
    assert states == {
        "financeur@agglo.test": DeliveryState.TO_VERIFY,
        "dga@agglo.test": DeliveryState.HANDED_OFF,
    }
    assert "a pu partir" in report.last_error
    # Nothing sends it again on its own: not the task, not the daily run.
    assert services.send_report(report_id=report.pk) is False
    assert report not in services.create_due_reports(today=report.period_end, enqueue=False)
    assert len(mailoutbox) == 1


def test_a_connection_lost_once_the_server_may_have_the_message_is_to_verify(programme, mailoutbox):
    report = built_report(programme)
    with mock.patch.object(
        services.EmailMessage, "send", side_effect=smtplib.SMTPServerDisconnected("coupé")
    ):
        services.send_report(report_id=report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.TO_VERIFY
    assert set(Delivery.objects.values_list("state", flat=True)) == {DeliveryState.TO_VERIFY}


def test_a_refused_message_stays_claimed_and_leaves_on_the_next_attempt(programme, mailoutbox):
    report = built_report(programme)
    with (
        mock.patch.object(
            services.EmailMessage, "send", side_effect=ConnectionRefusedError("injoignable")
        ),
        pytest.raises(ConnectionRefusedError),
    ):
        services.send_report(report_id=report.pk)
    delivery = Delivery.objects.get(recipient="financeur@agglo.test")
    assert delivery.state == DeliveryState.CLAIMED
    assert "injoignable" in delivery.last_error
    assert services.send_report(report_id=report.pk) is True
    assert sorted(m.to[0] for m in mailoutbox) == sorted(RECIPIENTS)
    # Each message carries its recipient's Message-ID, the same whichever attempt sent it.
    assert {m.extra_headers["Message-ID"] for m in mailoutbox} == set(
        Delivery.objects.values_list("message_id", flat=True)
    )


def test_staff_see_what_is_known_and_confirm_the_send(client, programme, mailoutbox):
    report = interrupted_report(programme)
    services.send_report(report_id=report.pk)
    delivery = Delivery.objects.get(recipient="financeur@agglo.test")
    staff = make_user(Role.STAFF, programme["basin"])
    client.force_login(staff)
    html = client.get(reverse("pilotage:report_list")).content.decode()
    assert "Envoi à vérifier" in html
    assert "financeur@agglo.test" in html
    assert delivery.message_id.strip("<>") in html
    assert "Confirmer l'envoi" in html and "Renvoyer" in html

    response = client.post(reverse("pilotage:report_confirm", args=[report.pk]), follow=True)
    assert "envoi confirmé, rien n&#x27;est renvoyé" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    delivery.refresh_from_db()
    assert (delivery.state, delivery.confirmed_by) == (DeliveryState.CONFIRMED, staff)
    assert len(mailoutbox) == 1  # the second recipient's only

    # Done: a second click says so, in French, and changes nothing.
    response = client.post(reverse("pilotage:report_resend", args=[report.pk]), follow=True)
    assert "n&#x27;a pas d&#x27;envoi à vérifier" in response.content.decode()
    assert len(mailoutbox) == 1


def test_staff_resend_the_interrupted_message_only_with_its_message_id(
    client, programme, mailoutbox, django_capture_on_commit_callbacks
):
    report = interrupted_report(programme)
    services.send_report(report_id=report.pk)
    delivery = Delivery.objects.get(recipient="financeur@agglo.test")
    client.force_login(make_user(Role.MANAGER, programme["basin"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("pilotage:report_resend", args=[report.pk]), follow=True)
    assert "renvoi lancé" in response.content.decode()
    report.refresh_from_db()
    assert report.status == ReportStatus.SENT
    assert [m.to for m in mailoutbox] == [["dga@agglo.test"], ["financeur@agglo.test"]]
    assert mailoutbox[1].extra_headers["Message-ID"] == delivery.message_id
    delivery.refresh_from_db()
    assert delivery.state == DeliveryState.HANDED_OFF


def test_only_the_basin_operators_settle_a_send_to_verify(client, programme, mailoutbox):
    report = interrupted_report(programme)
    services.send_report(report_id=report.pk)
    client.force_login(funder_user(programme["funder"]))
    html = client.get(reverse("pilotage:report_list")).content.decode()
    assert "en cours de vérification" in html
    assert "Message-ID" not in html and "Renvoyer" not in html
    for name in ("pilotage:report_confirm", "pilotage:report_resend"):
        assert client.post(reverse(name, args=[report.pk])).status_code == 404
        client.force_login(make_user(Role.STAFF, BasinFactory()))
        assert client.post(reverse(name, args=[report.pk])).status_code == 404
        client.force_login(funder_user(programme["funder"]))
    client.force_login(make_user(Role.STAFF, programme["basin"]))
    assert client.get(reverse("pilotage:report_confirm", args=[report.pk])).status_code == 405
    report.refresh_from_db()
    assert report.status == ReportStatus.TO_VERIFY


def test_generate_now_refuses_a_report_to_verify(programme):
    report = interrupted_report(programme)
    services.send_report(report_id=report.pk)
    staff = make_user(Role.STAFF, programme["basin"])
    with (
        mock.patch("pilotage.services.timezone.localdate", return_value=datetime.date(2007, 4, 10)),
        pytest.raises(ValidationError, match="à vérifier"),
    ):
        services.request_report_now(by=staff, funder=programme["funder"])
