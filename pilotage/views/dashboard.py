"""The programme dashboard: a basin's figures for a period, against the previous period and
the other basins, as pictures (server-side SVG) and as tables.

What a person reads is `permissions.scope_for`'s business: a basin they may not read is a
404; a period or basin typed wrong in the address gets a French message and the defaults.
"""

from dataclasses import dataclass, field, replace

from django.http import Http404
from django.views.generic import TemplateView

from alize.forms import parse_id
from alize.models import Basin, ProgrammePeriod
from pilotage import indicators
from pilotage.permissions import (
    can_view_dashboard,
    default_basin,
    readable_basins,
    reads_corporation_breakdowns,
    scope_for,
)
from pilotage.presenters import (
    CORPORATION_BREAKDOWNS,
    MISSIONS_SECTION,
    PROGRAMME_SECTIONS,
    TERRITORY_SECTION,
    build_section,
)


@dataclass
class Choice:
    """The basin or period picked in the form, and what went wrong picking it (French)."""

    basin: Basin | None = None
    period: ProgrammePeriod | None = None
    errors: list[str] = field(default_factory=list)


def _as_int(raw: str | None) -> int | None:
    return parse_id(raw)


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
            choice.basin = default_basin(self.request.user, basins)
            if choice.basin is None:
                raise Http404("Aucun bassin ne vous est ouvert.")
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
        scope = scope_for(user, choice.basin, choice.period)
        programme = indicators.compute(scope.programme)
        previous_period = indicators.previous_period(scope.period)
        previous = (
            indicators.compute(indicators.Scope(scope.basin, previous_period))
            if previous_period
            else None
        )
        others = indicators.other_basins(scope.programme)
        hidden = () if reads_corporation_breakdowns(user) else CORPORATION_BREAKDOWNS
        sections = [
            build_section(section, programme, previous, others, hidden)
            for section in PROGRAMME_SECTIONS
        ]
        extra = []
        if scope.narrowed:
            own = indicators.compute(scope)
            if scope.epci:
                section = replace(
                    TERRITORY_SECTION,
                    title=f"Votre territoire : {scope.epci.name}",
                    intro="Les mêmes indicateurs, pour les seules PME des communes de votre "
                    "intercommunalité.",
                )
                extra.append(build_section(section, own))
            if scope.corporation:
                section = replace(
                    MISSIONS_SECTION,
                    title=f"Les missions de {scope.corporation.name}",
                    intro="Les jours donnés par vos experts dans la période, et leur valorisation.",
                )
                extra.append(build_section(section, own))
        context.update(
            basins=basins,
            choice=choice,
            periods=list(ProgrammePeriod.objects.filter(basin=scope.basin).order_by("start_date")),
            scope=scope,
            previous_period=previous_period,
            sections=sections,
            extra=extra,
            has_others=bool(others["smes_supported"]),
            # The day the figures stand at: the period's end once it is over, else today.
            as_of=programme.as_of,
        )
        return context
