"""The one loader of the demonstration data set: each part, in dependency order.

`load()` writes the whole set in one transaction and can run any number of times (see
`demo.base`). The referential comes first, then the accounts, the SMEs, the corporations,
the committees (whose decisions need the dossiers and corporations), the advances (granted
by those decisions) and the report subscriptions.
"""

from __future__ import annotations

from typing import TextIO

from django.db import transaction

from demo import avances, comites, grandes_entreprises, pilotage, pme, referential
from demo.base import DemoDataError, LoadReport

__all__ = ["DemoDataError", "LoadReport", "load"]

PARTS = (
    referential.load_referential,
    referential.load_accounts,
    pme.load_pmes,
    grandes_entreprises.load_corporations,
    comites.load_committees,
    avances.load_advances,
    pilotage.load_report_subscriptions,
)


def load(stdout: TextIO | None = None) -> LoadReport:
    """Write the whole demo data set in one transaction; print a summary to `stdout`."""
    report = LoadReport()
    # No enclosing pghistory context: nested contexts merge into the outer one, which would
    # credit every event to the last user a service named. Each service names its own user.
    with transaction.atomic():
        for part in PARTS:
            part(report)
    if stdout is not None:
        for line in report.lines():
            stdout.write(f"{line}\n")
    return report
