"""The retention policy: a dry run changes nothing, the real run anonymises exactly the rows
past their retention (and their audit events), the figures stay the same, a second run is a
no-op, and the audit trail stays intact."""

import datetime
import json

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from alize import audit
from pme.models import Document, PmeContact
from rgpd import policy, services
from rgpd.models import Redaction
from tests.pme.factories import DossierFactory, PmeContactFactory, PmeFactory

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - datetime.timedelta(days=12 * 365)
RECENTLY = timezone.now() - datetime.timedelta(days=30)


def snapshot():
    """Every row the policy could touch, as plain values."""
    from axes.models import AccessAttempt
    from django.contrib.sessions.models import Session

    event = PmeContact.pgh_event_model
    return {
        "contacts": list(PmeContact.objects.order_by("pk").values()),
        "contact_events": list(event.objects.order_by("pk").values()),
        "documents": list(Document.objects.order_by("pk").values()),
        "attempts": list(AccessAttempt.objects.order_by("pk").values()),
        "sessions": list(Session.objects.order_by("pk").values()),
        "seals": list(audit.AuditSeal.objects.order_by("pk").values()),
        "redactions": Redaction.objects.count(),
    }


def finished_at(dossier, when):
    type(dossier).objects.filter(pk=dossier.pk).update(state_changed_at=when)


@pytest.fixture
def people(basin):
    old_closed = PmeFactory(basin=basin, name="Fonderie Ancienne")
    finished_at(DossierFactory(pme=old_closed, closed=True), LONG_AGO)
    old_refused = PmeFactory(basin=basin, name="Atelier Refusé")
    finished_at(DossierFactory(pme=old_refused, rejected=True), LONG_AGO)
    recent = PmeFactory(basin=basin, name="Usine Récente")
    finished_at(DossierFactory(pme=recent, closed=True), RECENTLY)
    running = PmeFactory(basin=basin, name="Chantier Ouvert")
    DossierFactory(pme=running)
    contacts = {
        "old_closed": PmeContactFactory(pme=old_closed, name="Jeanne Martin", email="jm@a.fr"),
        "old_refused": PmeContactFactory(pme=old_refused, name="Paul Durand", email="pd@b.fr"),
        "recent": PmeContactFactory(pme=recent, name="Lise Petit", email="lp@c.fr"),
        "running": PmeContactFactory(pme=running, name="Marc Roux", email="mr@d.fr"),
    }
    # A change: the audit trail now holds two versions of the person.
    contact = contacts["old_closed"]
    contact.phone = "+33327513131"
    contact.role = "Gérante"
    contact.save()
    return contacts


def test_dry_run_changes_nothing_and_lists_what_it_would_do(people):
    before = snapshot()

    plans = services.apply_retention(apply=False)

    assert snapshot() == before
    by_kind = {planned.retention.kind: planned for planned in plans}
    assert by_kind["contacts_closed"].pks == [people["old_closed"].pk]
    assert by_kind["contacts_refused"].pks == [people["old_refused"].pk]


def test_the_command_is_a_dry_run_without_apply(people):
    from io import StringIO

    before = snapshot()
    out = StringIO()
    call_command("apply_retention", stdout=out)
    assert snapshot() == before
    assert "Simulation" in out.getvalue()
    assert "Fonderie Ancienne" in out.getvalue()


def test_the_task_only_lists_unless_the_setting_says_so(people, settings):
    from rgpd.tasks import apply_retention

    before = snapshot()
    assert apply_retention() == {
        "contacts_closed": 1,
        "contacts_refused": 1,
        "documents_closed": 0,
        "signin_records": 0,
        "expired_sessions": 0,
    }
    assert snapshot() == before
    settings.RGPD_RETENTION_APPLY = True
    apply_retention()
    assert PmeContact.objects.get(pk=people["old_closed"].pk).name == policy.ANONYMOUS_NAME


def test_apply_anonymises_exactly_the_expected_rows_and_their_events(people):
    untouched = {
        key: PmeContact.objects.filter(pk=people[key].pk).values().get()
        for key in ("recent", "running")
    }

    services.apply_retention(apply=True)

    for key in ("old_closed", "old_refused"):
        contact = PmeContact.objects.get(pk=people[key].pk)
        assert (contact.name, contact.email, str(contact.phone), contact.role) == (
            policy.ANONYMOUS_NAME,
            "",
            "",
            "",
        )
    for key, values in untouched.items():
        assert PmeContact.objects.filter(pk=people[key].pk).values().get() == values
    # No personal value is left in the audit trail of the anonymised contacts.
    events = PmeContact.pgh_event_model.objects.filter(
        pgh_obj_id__in=[people["old_closed"].pk, people["old_refused"].pk]
    )
    dumped = json.dumps(list(events.values()), default=str)
    for value in ("Jeanne", "Martin", "jm@a.fr", "Paul", "pd@b.fr", "3327513131", "Gérante"):
        assert value not in dumped
    assert events.count() >= 4  # the history is kept, redacted
    # The other contacts' events still say who they are.
    others = PmeContact.pgh_event_model.objects.filter(pgh_obj_id=people["recent"].pk)
    assert others.filter(name="Lise Petit").exists()
    # The trail is intact, and the redaction log says what was rewritten.
    assert audit.verify(connection).intact
    redactions = Redaction.objects.filter(table_name="pme_pmecontactevent")
    assert redactions.count() == 2  # one per kind of data
    redacted = {pk for redaction in redactions for pk in redaction.row_pks}
    # The events that held a personal value, not the anonymisation's own event.
    assert redacted <= set(events.values_list("pk", flat=True))
    redaction = redactions.get(subject=f"contacts {people['old_closed'].pk}")
    assert len(redaction.row_pks) == 2  # its creation and its change
    assert set(redaction.digests_before) == {str(pk) for pk in redaction.row_pks}
    assert redaction.head_before != redaction.head_after


def test_a_second_run_is_a_no_op(people):
    services.apply_retention(apply=True)
    before = snapshot()

    plans = services.apply_retention(apply=True)

    assert snapshot() == before
    assert all(
        planned.count == 0 for planned in plans if planned.retention.kind != "expired_sessions"
    )


def test_verify_audit_trail_command_stays_intact(people):
    services.apply_retention(apply=True)
    call_command("verify_audit_trail")  # exits 1 when a chain is broken


def test_a_contact_of_an_advance_still_owed_is_kept(people, monkeypatch):
    held = people["old_closed"].pme
    monkeypatch.setattr(
        services,
        "legal_hold",
        lambda pme, today=None: "avance due" if pme.pk == held.pk else None,
    )
    plans = services.apply_retention(apply=True)
    closed = next(p for p in plans if p.retention.kind == "contacts_closed")
    assert closed.pks == [] and closed.held == [held.name]
    assert PmeContact.objects.get(pk=people["old_closed"].pk).name == "Jeanne Martin"


def test_durations_are_configurable(people, settings):
    settings.RGPD_RETENTION_DAYS = {"contacts_closed": 10}
    plans = services.plan_retention()
    closed = next(p for p in plans if p.retention.kind == "contacts_closed")
    assert people["recent"].pk in closed.pks


def test_a_redaction_never_reseals_a_forged_row(people):
    import pgtrigger

    event = PmeContact.pgh_event_model
    forged = event.objects.filter(pgh_obj_id=people["running"].pk).latest("pk")
    with pgtrigger.ignore(f"{event._meta.label}:append_only"):
        event.objects.filter(pk=forged.pk).update(name="Faux nom")

    with pytest.raises(ValueError, match="chaîne rompue"):
        services.apply_retention(apply=True)

    broken = audit.verify(connection).breaks
    assert [(b.table, b.row_pk) for b in broken] == [("pme_pmecontactevent", str(forged.pk))]
    assert PmeContact.objects.get(pk=people["old_closed"].pk).name == "Jeanne Martin"
    assert not Redaction.objects.exists()
