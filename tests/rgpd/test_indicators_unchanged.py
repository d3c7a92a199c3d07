"""On the demo data: the retention policy, made to reach every finished dossier, anonymises
contacts and removes documents without changing a single figure of the dashboards or of the
advances' indicators; the audit trail stays intact; a second run changes nothing."""

import pytest
from django.db import connection

from alize import audit
from alize.models import Basin, ProgrammePeriod
from avances.models import Advance
from pilotage import indicators
from pme.models import Document, PmeContact
from rgpd import policy, services
from rgpd.models import Redaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(demo_output, settings):
    # Everything finished is past its retention; only an advance still owed holds data.
    settings.RGPD_RETENTION_DAYS = {
        "contacts_closed": 0,
        "contacts_refused": 0,
        "documents_closed": 0,
    }
    settings.RGPD_PUBLIC_FUNDS_CONTROL_DAYS = 0
    return demo_output


def figures() -> dict:
    every = {}
    for basin in Basin.objects.order_by("pk"):
        for period in ProgrammePeriod.objects.filter(basin=basin).order_by("pk"):
            computed = indicators.compute(indicators.Scope(basin, period))
            every[(basin.pk, period.pk)] = (computed.values, computed.breakdowns)
    every["advances"] = Advance.objects.indicators()
    return every


def trail() -> tuple:
    event = PmeContact.pgh_event_model
    return (
        list(PmeContact.objects.order_by("pk").values()),
        list(event.objects.order_by("pk").values()),
        list(audit.AuditSeal.objects.order_by("pk").values_list("digest", flat=True)),
        Redaction.objects.count(),
    )


def test_anonymising_the_demo_leaves_every_figure_as_it_was(demo):
    before = figures()
    dry = trail()
    services.apply_retention(apply=False)
    assert trail() == dry

    plans = services.apply_retention(apply=True)

    reached = {planned.retention.kind: planned.count for planned in plans}
    assert reached["contacts_closed"] + reached["contacts_refused"] > 0, reached
    assert PmeContact.objects.filter(name=policy.ANONYMOUS_NAME).count() == (
        reached["contacts_closed"] + reached["contacts_refused"]
    )
    assert figures() == before
    assert audit.verify(connection).intact
    if reached["documents_closed"]:
        assert not Document.objects.filter(pk__in=plans[2].pks).exists()

    after = trail()
    again = services.apply_retention(apply=True)
    assert trail() == after
    assert all(planned.count == 0 for planned in again[:4])
