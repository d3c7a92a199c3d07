import email
from decimal import Decimal

from django.core.mail import EmailMessage

from alize.database import database_settings
from alize.formatting import euros, integer
from alize.mail import EmlFileBackend


def test_database_url_is_used_when_set(tmp_path):
    config = database_settings("postgres://alize:secret@db.example:5433/alize_prod", tmp_path)
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"]) == ("alize_prod", "db.example", 5433)
    # Nothing was started in the embedded folder.
    assert list(tmp_path.iterdir()) == []


def test_without_smtp_each_message_is_an_eml_file_a_person_can_open(tmp_path):
    backend = EmlFileBackend(file_path=tmp_path)
    sent = backend.send_messages(
        [
            EmailMessage("Rapport trimestriel", "Corps n° 1", to=["a@alize.test"]),
            EmailMessage("Convocation", "Corps n° 2", to=["b@alize.test"]),
        ]
    )
    assert sent == 2
    files = sorted(tmp_path.glob("*.eml"))
    assert len(files) == 2
    recipients = {email.message_from_bytes(f.read_bytes())["To"] for f in files}
    assert recipients == {"a@alize.test", "b@alize.test"}


def test_amounts_and_counts_are_written_the_french_way():
    assert euros(Decimal("15000")) == "15\u202f000\u00a0€"
    assert euros(Decimal("1090000.5"), 2) == "1\u202f090\u202f000,50\u00a0€"
    assert euros(None) == "—"
    assert integer(350000) == "350\u202f000"


def test_without_database_url_an_embedded_postgresql_starts_and_stops_with_its_process(tmp_path):
    """The demo needs no database server: one starts under var/ and goes with the process."""
    import subprocess
    import sys

    import psutil

    pgdata = tmp_path / "pgdata"
    script = (
        "import sys, psycopg\n"
        "from pathlib import Path\n"
        "from alize.database import database_settings\n"
        "config = database_settings(None, Path(sys.argv[1]))\n"
        "args = {'dbname': config['NAME'], 'user': config['USER'], 'host': config['HOST']}\n"
        "with psycopg.connect(**args) as c:\n"
        "    print(c.execute('SELECT version()').fetchone()[0])\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(pgdata)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("PostgreSQL")
    assert (pgdata / "PG_VERSION").exists()
    # Nothing is left running once the last process using it has exited.
    assert not any(
        str(pgdata) in " ".join(p.info["cmdline"] or []) for p in psutil.process_iter(["cmdline"])
    )


def test_every_migration_applies_on_the_embedded_postgresql(tmp_path):
    """The demo runs on the embedded server, which ships no contrib extension: every
    migration must apply there too, not only on the machine's PostgreSQL."""
    import os
    import subprocess
    import sys

    from django.conf import settings

    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE"}
    }
    env.update(DJANGO_DEBUG="true", ALIZE_VAR_DIR=str(tmp_path))
    result = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "pgdata" / "PG_VERSION").exists()
