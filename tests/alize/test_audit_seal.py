# ruff: noqa: S608 - table names of the models, no user input
"""The audit trail is out of the app's reach and any change to it is seen (alize/audit.py)."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from alize import audit
from alize.models import AuditSeal, Basin, Role
from alize.tasks import verify_audit_trail
from tests.alize.factories import BasinFactory
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

APP_ROLE = "alize_app_test"


def basin_events_table() -> str:
    return next(iter(Basin.pgh_event_models.values()))._meta.db_table


@pytest.fixture
def app_role():
    """A role that owns nothing, granted what the post-migrate step grants the app's role."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
        )
    audit.install(connection, app_role=APP_ROLE)
    return APP_ROLE


def as_app_role(sql: str, params=None) -> None:
    """Run `sql` as the app's role, in a savepoint rolled back whatever happens."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {APP_ROLE}")
        cursor.execute(sql, params)
        cursor.execute("RESET ROLE")


def test_every_audit_table_is_sealed_by_a_trigger():
    tables = [model._meta.db_table for model in audit.audit_models()]
    # pghistory's events and the app's append-only tables (votes, payments, logs...).
    assert basin_events_table() in tables
    assert "comites_vote" in tables
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE t.tgname = %s",
            [audit.SEAL_TRIGGER],
        )
        sealed = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= sealed


def test_each_event_is_sealed_and_chained_to_the_previous_one():
    first, second = BasinFactory(), BasinFactory()
    first.operator_name = "CCI Grand Hainaut"
    first.save()
    seals = list(AuditSeal.objects.filter(table_name=basin_events_table()).order_by("id"))
    assert len(seals) == 3
    assert seals[0].previous_digest == ""
    assert [seal.previous_digest for seal in seals[1:]] == [seal.digest for seal in seals[:-1]]
    assert len({seal.digest for seal in seals}) == 3
    result = audit.verify(connection)
    assert result.intact, result.breaks
    assert result.heads[basin_events_table()] == seals[-1].digest
    assert second.pk


@pytest.mark.parametrize(
    "sql",
    [
        pytest.param("TRUNCATE {table}", id="truncate"),
        pytest.param("DELETE FROM {table}", id="delete"),
        pytest.param("UPDATE {table} SET name = 'effacé'", id="update"),
        pytest.param("ALTER TABLE {table} DISABLE TRIGGER ALL", id="disable-trigger"),
        pytest.param(
            "SELECT set_config('pgtrigger.ignore', '{{}}', true); DELETE FROM {table}",
            id="pgtrigger-ignore",
        ),
        pytest.param("SET LOCAL session_replication_role = replica", id="replica"),
        pytest.param("DELETE FROM alize_auditseal", id="delete-seals"),
        pytest.param(
            "INSERT INTO alize_auditseal (table_name, row_pk, keys, previous_digest, digest,"
            " sealed_at) VALUES ('x', '1', '[]', '', 'forged', now())",
            id="forge-a-seal",
        ),
    ],
)
def test_the_app_role_cannot_remove_or_alter_the_trail(app_role, sql):
    BasinFactory()
    table = basin_events_table()
    with pytest.raises(DatabaseError, match=r"permission denied|must be owner"):
        as_app_role(sql.format(table=table))
    assert audit.verify(connection).intact


def test_the_app_role_still_writes_tracked_rows_and_they_are_sealed(app_role):
    basin = BasinFactory()
    as_app_role("UPDATE alize_basin SET operator_name = 'CCI du Hainaut' WHERE id = %s", [basin.pk])
    assert AuditSeal.objects.filter(table_name=basin_events_table()).count() == 2
    assert audit.verify(connection).intact


def test_a_forged_event_breaks_the_chain_at_that_row():
    BasinFactory()
    forged, _ = BasinFactory(), BasinFactory()
    table = basin_events_table()
    with connection.cursor() as cursor:
        # The owner (or a superuser) rewrites history with the triggers off.
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {table} SET operator_name = 'CCI falsifiée' WHERE pgh_obj_id = %s",
            [forged.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
        cursor.execute(f"SELECT pgh_id FROM {table} WHERE pgh_obj_id = %s", [forged.pk])
        forged_event = cursor.fetchone()[0]
    result = audit.verify(connection)
    assert not result.intact
    [broken] = [b for b in result.breaks if b.table == table]
    assert broken.row_pk == str(forged_event)
    assert broken.reason == "la ligne a été modifiée"
    with pytest.raises(CommandError, match="Journal d'audit altéré"):
        call_command("verify_audit_trail")


def test_a_removed_event_and_an_unsealed_one_are_named():
    first = BasinFactory()
    BasinFactory()
    table = basin_events_table()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(f"DELETE FROM {table} WHERE pgh_obj_id = %s", [first.pk])
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    [broken] = [b for b in audit.verify(connection).breaks if b.table == table]
    assert broken.reason == "la ligne a été supprimée"

    AuditSeal.objects.filter(table_name=table).delete()  # as the owner could
    [broken] = [b for b in audit.verify(connection).breaks if b.table == table]
    assert broken.reason.startswith("la ligne n'a pas de sceau")


def test_adding_a_column_later_keeps_old_links_whole():
    BasinFactory()
    table = basin_events_table()
    with connection.cursor() as cursor:
        cursor.execute(f"ALTER TABLE {table} ADD COLUMN added_later text DEFAULT 'x'")
    assert audit.verify(connection).intact


def test_the_command_says_the_trail_is_intact(capsys):
    BasinFactory()
    call_command("verify_audit_trail", "--heads")
    out = capsys.readouterr().out
    assert "Journal d'audit intact" in out
    assert basin_events_table() in out


def test_the_nightly_task_tells_the_administrators_once_a_day_when_broken(settings):
    admin = make_user(Role.ADMIN)
    admin.email = "admin@alize.test"
    admin.save()
    assert verify_audit_trail() is True
    assert mail.outbox == []
    basin = BasinFactory()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            f"UPDATE {basin_events_table()} SET name = 'x' WHERE pgh_obj_id = %s", [basin.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = DEFAULT")
    assert verify_audit_trail() is False
    assert verify_audit_trail() is False  # the next run the same day: no second alert
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["admin@alize.test"]
    assert "altéré" in mail.outbox[0].subject
