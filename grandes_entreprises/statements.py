"""What a corporation gave and produced, by year: the data of its yearly skills statement
(bilan annuel des compétences données) and of the figures on its page.

Every figure is a database aggregate built on `DayLogQuerySet.with_value` and
`hires_helped_by`; the builders run a fixed number of queries, however many missions,
logs, SMEs or hires there are.
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.db.models.functions import Coalesce, ExtractYear

from grandes_entreprises.models import Corporation, DayLog, MissionResult, hires_helped_by
from grandes_entreprises.models.common import ZERO


@dataclass(frozen=True)
class SmeLine:
    """One SME the corporation's experts gave days to in the year."""

    pme_id: int
    name: str
    commune: str
    missions: int
    days: Decimal
    value: Decimal
    hires: int


@dataclass
class SkillsStatement:
    corporation: Corporation
    year: int
    days: Decimal
    value: Decimal
    unvalued_days: Decimal
    smes: list[SmeLine]
    results: list[MissionResult]
    jobs_created: int

    @property
    def smes_helped(self) -> int:
        return len(self.smes)

    @property
    def hires_in_smes_helped(self) -> int:
        """The year's hires of the SMEs helped that year (the sum of the SMEs' lines)."""
        return sum(sme.hires for sme in self.smes)

    @property
    def hires_in_smes_helped_before(self) -> int:
        """The year's hires of SMEs helped only in earlier years: counted in `jobs_created`
        but on no line of the year's SMEs."""
        return self.jobs_created - self.hires_in_smes_helped

    @property
    def period_start(self) -> datetime.date:
        return datetime.date(self.year, 1, 1)

    @property
    def period_end(self) -> datetime.date:
        return datetime.date(self.year, 12, 31)


def skills_statement(corporation: Corporation, year: int) -> SkillsStatement:
    """The yearly skills statement of a corporation, in four queries.

    - days and their value: the days its experts logged in the year, each valued at the
      corporation's rate in force on its date (days before any rate are `unvalued_days`);
    - SMEs helped: those the days went to, with their days, value and hires of the year;
    - results: those obtained in the year (or, undated, recorded in it);
    - jobs created: hires of the year in the SMEs it helped that year or before.
    """
    logs = DayLog.objects.for_corporation(corporation).in_year(year)
    totals = logs.totals()

    hires = hires_helped_by(corporation).filter(hire_date__year=year)
    hires_by_pme = {
        row["dossier__pme"]: row["n"]
        for row in hires.order_by().values("dossier__pme").annotate(n=Count("pk"))
    }

    pme = "assignment__mission__dossier__pme"
    sme_rows = (
        logs.with_value()
        .order_by()
        .values(pme, f"{pme}__name", f"{pme}__commune__name")
        .annotate(
            missions=Count("assignment__mission", distinct=True),
            days_sum=Sum("days"),
            value_sum=Coalesce(Sum("value"), ZERO),
        )
        .order_by(f"{pme}__name")
    )
    smes = [
        SmeLine(
            pme_id=row[pme],
            name=row[f"{pme}__name"],
            commune=row[f"{pme}__commune__name"],
            missions=row["missions"],
            days=row["days_sum"],
            value=row["value_sum"],
            hires=hires_by_pme.get(row[pme], 0),
        )
        for row in sme_rows
    ]

    results = list(
        MissionResult.objects.filter(mission__corporation=corporation)
        .filter(Q(achieved_on__year=year) | Q(achieved_on__isnull=True, recorded_at__year=year))
        .select_related("mission__dossier__pme")
        .order_by("achieved_on", "pk")
    )
    return SkillsStatement(
        corporation=corporation,
        year=year,
        days=totals["days"],
        value=totals["value"],
        unvalued_days=totals["unvalued_days"],
        smes=smes,
        results=results,
        jobs_created=sum(hires_by_pme.values()),
    )


@dataclass(frozen=True)
class YearFigures:
    year: int
    days: Decimal
    value: Decimal
    smes_helped: int
    jobs_created: int


def yearly_figures(corporation: Corporation) -> list[YearFigures]:
    """Days, value, SMEs helped and jobs created, one line per year, in two queries.

    A year appears when the corporation's experts gave days in it, or when an SME they
    helped hired in it.
    """
    by_year = {row["year"]: row for row in DayLog.objects.for_corporation(corporation).per_year()}
    jobs = {
        row["year"]: row["n"]
        for row in hires_helped_by(corporation)
        .annotate(year=ExtractYear("hire_date"))
        .order_by()
        .values("year")
        .annotate(n=Count("pk"))
    }
    return [
        YearFigures(
            year=year,
            days=by_year[year]["days_given"] if year in by_year else Decimal("0.0"),
            value=by_year[year]["skills_value"] if year in by_year else ZERO,
            smes_helped=by_year[year]["smes_helped"] if year in by_year else 0,
            jobs_created=jobs.get(year, 0),
        )
        for year in sorted(set(by_year) | set(jobs))
    ]
