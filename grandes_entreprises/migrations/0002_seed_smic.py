"""Seed the gross SMIC table from 1 July 2005, the first revaluation after the law of
18 January 2005 created the revitalisation obligation (and the date the separate monthly
guarantees, GMR, were all merged into one SMIC).

Sources: the revaluation decrees published each year in the Journal officiel (INSEE keeps
the historical series of the gross SMIC, hourly and monthly for 35 hours). Checked against
the press of the time for the ends of the table: the ASH (Actualités sociales
hebdomadaires) of June 2006 gives 8.03 € → 1 217,88 € and 8.27 € → 1 254,28 €; décret
n° 2024-951 du 23 octobre 2024 gives 11.88 € → 1 801,80 € from 1 November 2024 (there
was no revaluation on 1 January 2025); décret n° 2025-1228 du 17 décembre 2025 gives
12.02 € → 1 823,03 € from 1 January 2026. The values in between are the well-known
yearly series.

The monthly amount is the hourly one × 35 h × 52 weeks / 12 months (151.666… h, which
payslips round to 151.67 h), rounded to the cent: the test suite checks every row against
that formula. Add later revaluations from their decree, in a new migration.

The data is written out here rather than imported: a migration never imports app code.
The rows are seeded without audit events (like the role groups of `alize`): reference
data is not a change anybody made, and event rows written by a migration would be
serialised into the test database and then refused by the append-only event tables.
"""

from decimal import Decimal

import pgtrigger
from django.db import migrations

# valid_from, hourly gross (€), monthly gross for 35 h (€)
SMIC = [
    ("2005-07-01", "8.03", "1217.88"),
    ("2006-07-01", "8.27", "1254.28"),
    ("2007-07-01", "8.44", "1280.07"),
    ("2008-05-01", "8.63", "1308.88"),
    ("2008-07-01", "8.71", "1321.02"),
    ("2009-07-01", "8.82", "1337.70"),
    ("2010-01-01", "8.86", "1343.77"),
    ("2011-01-01", "9.00", "1365.00"),
    ("2011-12-01", "9.19", "1393.82"),
    ("2012-01-01", "9.22", "1398.37"),
    ("2012-07-01", "9.40", "1425.67"),
    ("2013-01-01", "9.43", "1430.22"),
    ("2014-01-01", "9.53", "1445.38"),
    ("2015-01-01", "9.61", "1457.52"),
    ("2016-01-01", "9.67", "1466.62"),
    ("2017-01-01", "9.76", "1480.27"),
    ("2018-01-01", "9.88", "1498.47"),
    ("2019-01-01", "10.03", "1521.22"),
    ("2020-01-01", "10.15", "1539.42"),
    ("2021-01-01", "10.25", "1554.58"),
    ("2021-10-01", "10.48", "1589.47"),
    ("2022-01-01", "10.57", "1603.12"),
    ("2022-05-01", "10.85", "1645.58"),
    ("2022-08-01", "11.07", "1678.95"),
    ("2023-01-01", "11.27", "1709.28"),
    ("2023-05-01", "11.52", "1747.20"),
    ("2024-01-01", "11.65", "1766.92"),
    ("2024-11-01", "11.88", "1801.80"),
    ("2026-01-01", "12.02", "1823.03"),
]
SOURCE = "Décret de revalorisation du SMIC (Journal officiel) ; série INSEE du SMIC brut"
DECREES = {
    "2024-11-01": "Décret n° 2024-951 du 23 octobre 2024",
    "2026-01-01": "Décret n° 2025-1228 du 17 décembre 2025",
}


def seed(apps, schema_editor):
    SmicRate = apps.get_model("grandes_entreprises", "SmicRate")
    with pgtrigger.ignore(
        "grandes_entreprises.SmicRate:insert_insert", "grandes_entreprises.SmicRate:update_update"
    ):
        for valid_from, hourly, monthly in SMIC:
            SmicRate.objects.update_or_create(
                valid_from=valid_from,
                defaults={
                    "hourly_amount": Decimal(hourly),
                    "monthly_amount": Decimal(monthly),
                    "source": DECREES.get(valid_from, SOURCE),
                },
            )


def unseed(apps, schema_editor):
    SmicRate = apps.get_model("grandes_entreprises", "SmicRate")
    with pgtrigger.ignore("grandes_entreprises.SmicRate:delete_delete"):
        SmicRate.objects.filter(valid_from__in=[row[0] for row in SMIC]).delete()


class Migration(migrations.Migration):
    dependencies = [("grandes_entreprises", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
