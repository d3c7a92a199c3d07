"""The programme dashboard: a basin's figures for a period, against the previous period and
the other basins, as pictures (server-side SVG) and as tables.

What a person reads is `indicators.scope_for`'s business: a basin they may not read is a
404; a period or basin typed wrong in the address gets a French message and the defaults.
"""

from dataclasses import dataclass, field

from django.http import Http404
from django.utils.safestring import mark_safe
from django.views.generic import TemplateView

from alize.models import OPERATOR_ROLES, Basin, ProgrammePeriod, Role
from pilotage import charts, indicators
from pilotage.permissions import can_view_dashboard, readable_basins

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
        (
            "smes_supported",
            "smes_under_50_share",
            "takeovers",
            "jobs_planned",
            "hires",
            "jobs_per_sme",
            "realisation_rate",
        ),
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
        "smes_supported",
        "smes_under_50_share",
        "takeovers",
        "jobs_planned",
        "hires",
        "jobs_per_sme",
        "realisation_rate",
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

# What each corporation gave is the operator's business: funders read the totals only.
CORPORATION_BREAKDOWNS = ("skills_days_by_corporation", "skills_value_by_corporation")


@dataclass
class Choice:
    """The basin or period picked in the form, and what went wrong picking it (French)."""

    basin: Basin | None = None
    period: ProgrammePeriod | None = None
    errors: list[str] = field(default_factory=list)


def _as_int(raw: str | None) -> int | None:
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 12 else None


class DashboardView(TemplateView):
    template_name = "pilotage/dashboard.html"

    def dispatch(self, request, *args, **kwargs):
        if not can_view_dashboard(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    # --- What was asked for ----------------------------------------------------------

    def choose(self, basins: list[Basin]) -> Choice:
        choice = Choice()
        by_pk = {basin.pk: basin for basin in basins}
        if "pk" in self.kwargs:
            choice.basin = by_pk.get(self.kwargs["pk"])
            if choice.basin is None:
                raise Http404("Ce bassin n'existe pas ou ne vous est pas ouvert.")
        elif (raw := self.request.GET.get("bassin", "").strip()) != "":
            pk = _as_int(raw)
            if pk is None:
                choice.errors.append(
                    "Le bassin demandé n'est pas valide : choisissez-le dans la liste."
                )
            elif pk not in by_pk:
                raise Http404("Ce bassin n'existe pas ou ne vous est pas ouvert.")
            else:
                choice.basin = by_pk[pk]
        if choice.basin is None:
            choice.basin = self.default_basin(basins)
        raw = self.request.GET.get("periode", "").strip()
        if raw:
            pk = _as_int(raw)
            period = None
            if pk is not None:
                period = ProgrammePeriod.objects.filter(pk=pk, basin=choice.basin).first()
            if period is None:
                choice.errors.append(
                    "La période demandée n'existe pas pour ce bassin : voici la période en "
                    "cours, ou la dernière."
                )
            choice.period = period
        if choice.period is None:
            choice.period = indicators.default_period(choice.basin)
        return choice

    def default_basin(self, basins: list[Basin]) -> Basin:
        user = self.request.user
        if not basins:
            raise Http404("Aucun bassin ne vous est ouvert.")
        if user.funder_id and user.has_role(Role.FUNDER):
            for basin in basins:
                if basin.pk == user.funder.basin_id:
                    return basin
        own = set(user.basins.values_list("pk", flat=True))
        return next((basin for basin in basins if basin.pk in own), basins[0])

    # --- The page ----------------------------------------------------------------------

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        basins = list(readable_basins(user).order_by("name"))
        choice = self.choose(basins)
        if choice.period is None:
            context.update(
                basins=basins, choice=choice, periods=[], scope=None, sections=[], extra=[]
            )
            return context
        scope = indicators.scope_for(user, choice.basin, choice.period)
        programme = indicators.compute(scope.programme)
        previous_period = indicators.previous_period(scope.period)
        previous = (
            indicators.compute(indicators.Scope(scope.basin, previous_period))
            if previous_period
            else None
        )
        others = indicators.other_basins(scope.programme)
        funder_only = user.has_role(Role.FUNDER) and not user.has_role(
            *OPERATOR_ROLES, Role.STEERING, Role.ADMIN
        )
        hidden = CORPORATION_BREAKDOWNS if funder_only else ()
        sections = [
            build_section(section, programme, previous, others, hidden)
            for section in PROGRAMME_SECTIONS
        ]
        extra = []
        if scope.epci or scope.corporation:
            own = indicators.compute(scope)
            if scope.epci:
                section = Section(
                    TERRITORY_SECTION.key,
                    f"Votre territoire : {scope.epci.name}",
                    TERRITORY_SECTION.figures,
                    TERRITORY_SECTION.charts,
                    "Les mêmes indicateurs, pour les seules PME des communes de votre "
                    "intercommunalité.",
                )
                extra.append(build_section(section, own, None, None, ()))
            if scope.corporation:
                section = Section(
                    MISSIONS_SECTION.key,
                    f"Les missions de {scope.corporation.name}",
                    MISSIONS_SECTION.figures,
                    MISSIONS_SECTION.charts,
                    "Les jours donnés par vos experts dans la période, et leur valorisation.",
                )
                extra.append(build_section(section, own, None, None, ()))
        context.update(
            basins=basins,
            choice=choice,
            periods=list(ProgrammePeriod.objects.filter(basin=scope.basin).order_by("start_date")),
            scope=scope,
            previous_period=previous_period,
            sections=sections,
            extra=extra,
            has_others=bool(others["smes_supported"]),
        )
        return context


def build_section(section: Section, figures, previous, others, hidden) -> dict:
    """The figures of a section written the French way, with their comparisons and charts."""
    rows = []
    for key in section.figures:
        definition = indicators.DEFINITIONS[key]
        row = {
            "key": key,
            "label": definition.label,
            "help": definition.help,
            "value": indicators.format_value(figures.values[key], definition.unit),
            "previous": None,
            "others": None,
        }
        if previous is not None and previous.values[key] is not None:
            row["previous"] = indicators.format_value(previous.values[key], definition.unit)
        compared = key in RATIOS_COMPARED
        if compared and others and others["smes_supported"] and others.get(key) is not None:
            row["others"] = indicators.format_value(others[key], definition.unit)
        rows.append(row)
    pictures = []
    for key, kind in section.charts:
        if key in hidden:
            continue
        definition = indicators.BREAKDOWNS[key]
        series = figures.breakdowns[key]
        compare = previous.breakdowns[key] if previous is not None else None
        if kind == SHARE:
            svg = charts.share_chart(definition.label, series)
            table = [
                {
                    "label": label,
                    "value": indicators.format_value(value, definition.unit),
                    "share": indicators.format_value(share, "percent"),
                }
                for label, value, share in charts.shares(series)
            ]
        else:
            svg = charts.bar_chart(
                definition.label,
                series,
                unit=definition.unit,
                compare=compare,
                names=("Période retenue", "Période précédente"),
            )
            previous_values = dict(compare or [])
            table = [
                {
                    "label": label,
                    "value": indicators.format_value(value, definition.unit),
                    "previous": (
                        indicators.format_value(previous_values.get(label), definition.unit)
                        if compare is not None
                        else None
                    ),
                }
                for label, value in series
            ]
        pictures.append(
            {
                "key": key,
                "label": definition.label,
                "help": definition.help,
                "kind": kind,
                "svg": mark_safe(svg),  # noqa: S308 (built with every text escaped)
                "table": table,
                "has_previous": kind == BAR and compare is not None,
            }
        )
    return {
        "key": section.key,
        "title": section.title,
        "intro": section.intro,
        "rows": rows,
        "charts": pictures,
    }
