"""The restore drill of docs/audit.md, run for real: dump the database, restore it into an
empty one, verify the audit trail's chains there, and regenerate a report identically."""

import datetime
import json
import os
import shutil
import subprocess
import sys
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from pilotage import services
from pilotage.models import Report
from tests.alize.factories import ContributionFactory, FunderFactory, PeriodFactory
from tests.pme.factories import DossierFactory
from tests.workers import worker_database_url


def client_binary(name: str) -> str:
    """The PostgreSQL client of the server that holds the test database."""
    host = connection.settings_dict["HOST"] or ""
    if host.startswith("/"):  # the embedded server: its own binaries, its own version
        import pgserver

        return str(Path(pgserver.__file__).parent / "pginstall" / "bin" / name)
    return shutil.which(name) or pytest.skip(f"{name} is not installed")


def psql(url: str, sql: str) -> None:
    subprocess.run([client_binary("psql"), url, "-q", "-c", sql], check=True)


REGENERATE = """
import json
from pilotage import reports
from pilotage.models import Report
report = Report.objects.get(pk={pk})
report.figures = None
reports.build_funder_report_pdf(report)
print(json.dumps(report.figures, sort_keys=True))
"""


def test_a_restored_database_has_an_intact_trail_and_gives_the_same_report(
    transactional_db, tmp_path
):
    funder = FunderFactory(name="Communauté d'agglomération de Valenciennes")
    period = PeriodFactory(
        basin=funder.basin,
        start_date=datetime.date(2005, 7, 1),
        end_date=datetime.date(2008, 6, 30),
    )
    ContributionFactory(funder=funder, period=period, paid=Decimal("45000.00"))
    DossierFactory(
        pme__basin=funder.basin, approved=True, orientation_date=datetime.date(2006, 5, 2)
    )
    report = Report.objects.create(
        funder=funder,
        basin=funder.basin,
        period_start=datetime.date(2007, 1, 1),
        period_end=datetime.date(2007, 3, 31),
    )
    report = services.build_report(report_id=report.pk)
    assert report.figures

    source = worker_database_url()
    restored_name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:6]}"
    restored = source.rsplit("/", 1)[0] + "/" + restored_name
    dump = tmp_path / "alize.dump"
    subprocess.run(
        [client_binary("pg_dump"), "--format=custom", f"--file={dump}", source], check=True
    )
    maintenance = source.rsplit("/", 1)[0] + "/postgres"
    psql(maintenance, f'CREATE DATABASE "{restored_name}"')
    try:
        subprocess.run(
            [client_binary("pg_restore"), "--no-owner", f"--dbname={restored}", str(dump)],
            check=True,
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "alize.settings_test",
            "DATABASE_URL": restored,
            "ALIZE_VAR_DIR": str(settings.VAR_DIR),
        }
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        verified = subprocess.run(
            [*manage, "verify_audit_trail"], env=env, capture_output=True, text=True, check=False
        )
        assert verified.returncode == 0, verified.stderr
        assert "Journal d'audit intact" in verified.stdout
        regenerated = subprocess.run(
            [*manage, "shell", "-c", REGENERATE.format(pk=report.pk)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        figures = json.loads(regenerated.stdout.strip().splitlines()[-1])
        assert figures == json.loads(json.dumps(report.figures, sort_keys=True))
    finally:
        psql(maintenance, f'DROP DATABASE IF EXISTS "{restored_name}" WITH (FORCE)')
