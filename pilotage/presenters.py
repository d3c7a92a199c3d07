"""How the indicators read, on the dashboard and in the PDF reports alike: rows of figures
written the French way with their comparisons, breakdowns as charts and tables, and the
dashboard's sections."""

from dataclasses import dataclass, fields
from decimal import Decimal

from django.utils.safestring import mark_safe

from pilotage import charts
from pilotage.indicators import BREAKDOWNS, DEFINITIONS, format_value

PERIOD_NAMES = ("Période retenue", "Période précédente")
# The SMEs and their jobs: the programme's first section, and a territory's.
SME_FIGURES = (
    "smes_supported",
    "smes_under_50_share",
    "takeovers",
    "jobs_planned",
    "hires",
    "jobs_per_sme",
    "realisation_rate",
)

BAR, SHARE = "bar", "share"


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    figures: tuple[str, ...]
    charts: tuple[tuple[str, str], ...] = ()  # (breakdown key, BAR or SHARE)
    intro: str = ""


PROGRAMME_SECTIONS = (
    Section(
        "pme",
        "Les PME accompagnées et leurs emplois",
        SME_FIGURES,
        (
            ("smes_by_size_band", SHARE),
            ("smes_by_sector", BAR),
            ("smes_by_kind", BAR),
            ("smes_by_epci", BAR),
            ("smes_by_source", BAR),
        ),
    ),
    Section(
        "objectifs",
        "Les objectifs de la période",
        (
            "jobs_target",
            "jobs_target_progress",
            "hires_target_progress",
            "smes_target",
            "smes_target_progress",
        ),
    ),
    Section(
        "dossiers",
        "Les dossiers et le comité d'agrément",
        ("dossiers_oriented", "dossiers_decided", "approval_rate", "median_days_to_decision"),
        (("dossiers_by_state", BAR),),
    ),
    Section(
        "avances",
        "Les avances remboursables",
        (
            "smes_with_advance_requested",
            "advances_requested",
            "advances_granted_count",
            "advances_granted",
            "advances_disbursed_count",
            "advances_disbursed",
            "advances_repaid",
            "advances_outstanding",
            "advances_written_off_count",
            "advances_written_off",
            "repayment_rate",
            "loss_rate",
            "par30",
            "par90",
            "leverage",
        ),
    ),
    Section(
        "grandes-entreprises",
        "Les grandes entreprises et leurs compétences",
        ("partner_corporations", "skills_days", "skills_value"),
        (("skills_days_by_corporation", BAR), ("skills_value_by_corporation", BAR)),
    ),
    Section(
        "budget",
        "Le budget",
        (
            "budget_committed",
            "budget_paid",
            "corporations_budget_share",
            "local_authorities_budget_share",
            "cost_per_job",
        ),
        (("budget_by_kind", SHARE), ("budget_by_funder", BAR)),
    ),
)

TERRITORY_SECTION = Section(
    "territoire",
    "Votre territoire",
    (
        *SME_FIGURES,
        "dossiers_oriented",
        "approval_rate",
        "smes_with_advance_requested",
        "skills_days",
    ),
    (("smes_by_size_band", SHARE), ("smes_by_sector", BAR), ("smes_by_source", BAR)),
)

MISSIONS_SECTION = Section(
    "vos-missions",
    "Vos missions d'appui",
    ("skills_days", "skills_value"),
    (("skills_days_by_corporation", BAR),),
)

# Totals of one basin and of all the others together do not compare; their ratios do.
RATIOS_COMPARED = ("jobs_per_sme", "realisation_rate")

# What each corporation gave: funders read the totals only (`reads_corporation_breakdowns`).
CORPORATION_BREAKDOWNS = ("skills_days_by_corporation", "skills_value_by_corporation")


# --- Figures and charts as a reader sees them -------------------------------------------


def _delta(current, previous, unit: str) -> str:
    if current is None or previous is None:
        return ""
    difference = Decimal(current) - Decimal(previous)
    if not difference:
        return "="
    sign = "+" if difference > 0 else "−"
    return f"{sign}\u00a0{format_value(abs(difference), unit)}"


class AsDict:
    """The dashboard's context reads rows and charts as plain dictionaries."""

    def as_dict(self) -> dict:
        return {field.name: getattr(self, field.name) for field in fields(self)}


@dataclass(frozen=True)
class FigureRow(AsDict):
    key: str
    label: str
    help: str
    value: str
    previous: str  # "" without a previous period, "—" when the figure was not defined then
    delta: str
    known_before: bool = False  # the figure was defined in the previous period
    others: str | None = None  # the other basins' ratio, when it compares


def figure_rows(figures, previous=None, keys=None, others=None) -> list[FigureRow]:
    """One row per indicator (`keys`, else all in DEFINITIONS' order), with its value in the
    previous programme period and, for the ratios that compare, in the other basins."""
    rows = []
    compares = bool(others and others["smes_supported"])
    for key in keys or DEFINITIONS:
        definition = DEFINITIONS[key]
        value = figures.values.get(key)
        before = previous.values.get(key) if previous is not None else None
        elsewhere = others.get(key) if compares and key in RATIOS_COMPARED else None
        rows.append(
            FigureRow(
                key=key,
                label=definition.label,
                help=definition.help,
                value=format_value(value, definition.unit),
                previous="" if previous is None else format_value(before, definition.unit),
                delta=_delta(value, before, definition.unit),
                known_before=before is not None,
                others=None if elsewhere is None else format_value(elsewhere, definition.unit),
            )
        )
    return rows


@dataclass(frozen=True)
class Chart(AsDict):
    key: str
    label: str
    help: str
    kind: str  # BAR or SHARE
    svg: str
    table: list[dict]
    has_previous: bool

    @property
    def is_share(self) -> bool:
        return self.kind == SHARE

    def as_dict(self) -> dict:
        return {**super().as_dict(), "is_share": self.is_share}


def breakdown_chart(key: str, kind: str, figures, previous=None, names=PERIOD_NAMES) -> Chart:
    """A breakdown as a picture (server-side SVG) and as the table of its figures."""
    definition = BREAKDOWNS[key]
    unit = definition.unit
    series = figures.breakdowns.get(key) or []
    compare = previous.breakdowns.get(key) if previous is not None else None
    if kind == SHARE:
        svg = charts.share_chart(definition.label, series)
        table = [
            {
                "label": label,
                "value": format_value(value, unit),
                "share": format_value(share, "percent"),
            }
            for label, value, share in charts.shares(series)
        ]
    else:
        svg = charts.bar_chart(definition.label, series, unit=unit, compare=compare, names=names)
        before = dict(compare or [])
        table = [
            {
                "label": label,
                "value": format_value(value, unit),
                "previous": None if compare is None else format_value(before.get(label), unit),
            }
            for label, value in series
        ]
    return Chart(
        key=key,
        label=definition.label,
        help=definition.help,
        kind=kind,
        svg=mark_safe(svg),  # noqa: S308 (built with every text escaped)
        table=table,
        has_previous=kind == BAR and compare is not None,
    )


def breakdown_charts(figures, previous=None, previous_name: str = "") -> list[str]:
    """One bar chart (SVG markup) per breakdown that has something to show (the reports)."""
    names = ("Cette période", previous_name or "Période précédente")
    return [
        breakdown_chart(key, BAR, figures, previous, names).svg
        for key in BREAKDOWNS
        if any(value for _, value in figures.breakdowns.get(key) or [])
    ]


def build_section(section: Section, figures, previous=None, others=None, hidden=()) -> dict:
    """The figures of a dashboard's section written the French way, with their comparisons
    and charts (`hidden`: the breakdowns this reader may not see)."""
    return {
        "key": section.key,
        "title": section.title,
        "intro": section.intro,
        "rows": [row.as_dict() for row in figure_rows(figures, previous, section.figures, others)],
        "charts": [
            breakdown_chart(key, kind, figures, previous).as_dict()
            for key, kind in section.charts
            if key not in hidden
        ],
    }
