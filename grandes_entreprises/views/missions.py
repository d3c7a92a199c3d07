"""Screens of the support missions: the list, the page (status, experts, day log, results,
outcome), and the forms that organise a mission and record what it gave.

A coordinator reaches only their corporation's missions (`SupportMission.objects.
visible_to`): anything else is a 404, the day-log form included.
"""

from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, ListView

from alize.forms import attempt, parse_id
from alize.views.base import ScopedMixin, cleaned
from alize.views.workflow import TransitionView, panel_context
from grandes_entreprises import permissions, services
from grandes_entreprises.forms import (
    AssignExpertForm,
    DayLogForm,
    MissionForm,
    MissionResultForm,
    OutcomeForm,
)
from grandes_entreprises.models import (
    Corporation,
    DayLog,
    MissionStatus,
    SupportMission,
)
from grandes_entreprises.queries import MissionFilterForm
from grandes_entreprises.services import MISSION_DOSSIER_STATES
from grandes_entreprises.templatetags.grandes_entreprises_tags import days
from grandes_entreprises.views.common import BrowseMixin, ServiceFormView
from grandes_entreprises.views.corporations import PaginatedListMixin
from grandes_entreprises.workflow import (
    LOGGABLE_STATUSES,
    MISSION_WORKFLOW,
    OPERATOR,
    RESULT_STATUSES,
)
from pme import permissions as pme_permissions
from pme.models import Dossier
from pme.workflow import SUPPORTED_STATES

DAY_LOG_TEMPLATE = "grandes_entreprises/partials/_day_log.html"


# --- What a user may do on a mission ------------------------------------------------------


@dataclass(frozen=True)
class Rights:
    """What one user may do on one mission, worked out once per request (two queries)."""

    kinds: frozenset[str]

    @property
    def acts(self) -> bool:
        return bool(self.kinds)

    @property
    def is_operator(self) -> bool:
        return OPERATOR in self.kinds


def rights_on(user, mission) -> Rights:
    return Rights(kinds=permissions.actor_kinds(user, mission))


def mission_or_404(request, pk: int, *, acting: bool = False) -> tuple[SupportMission, Rights]:
    """The mission if the user may see it (and act on it, with `acting`), else a 404."""
    mission = get_object_or_404(
        SupportMission.objects.visible_to(request.user).select_related(
            "corporation__basin", "dossier__pme__commune"
        ),
        pk=pk,
    )
    rights = rights_on(request.user, mission)
    if acting and not rights.acts:
        raise Http404
    return mission, rights


def log_refusal(mission) -> str:
    """Why no day can be logged on the mission now ("" when days can be logged)."""
    status = MissionStatus(mission.status)
    if status == MissionStatus.PLANNED:
        return "La mission n'a pas encore démarré : démarrez-la pour saisir les jours donnés."
    if status not in LOGGABLE_STATUSES:
        return f"Une mission « {status.label} » ne reçoit plus de jours."
    if mission.dossier.state not in SUPPORTED_STATES:
        return (
            f"Le dossier de cette PME est « {mission.dossier.get_state_display()} » : il ne "
            "reçoit plus de jours."
        )
    return ""


def status_panel_context(user, mission, rights: Rights) -> dict:
    """The mission's panel (`components/workflow_panel.html`): the status, since when, the
    moves this user may make and the timeline. The transition view returns it alone to htmx."""
    return panel_context(
        workflow=MISSION_WORKFLOW,
        obj=mission,
        user=user,
        permission=partial(permissions.can_change_status, kinds=rights.kinds),
        url=reverse("grandes_entreprises:mission_transition", args=[mission.pk]),
        dom_id="etat-mission",
        title="État de la mission",
        facts_template="grandes_entreprises/partials/_status_facts.html",
        empty_timeline=(
            f"Organisée le {timezone.localtime(mission.created_at):%d/%m/%Y} ; "
            "aucun changement d'état depuis."
        ),
    )


def day_log_context(mission, rights: Rights, experts, *, form=None, notice="", oob=False) -> dict:
    """The day log: each day given with its value, the totals, the form. The totals are the
    sums of the lines shown (each line valued at the rate of its date, to the cent)."""
    logs = list(
        DayLog.objects.filter(assignment__mission=mission)
        .with_value()
        .select_related("assignment__expert", "logged_by")
        .order_by("-date", "assignment__expert__name", "pk")
    )
    per_expert = {expert.pk: Decimal("0.0") for expert in experts}
    for log in logs:
        per_expert[log.assignment.expert_id] = (
            per_expert.get(log.assignment.expert_id, Decimal("0.0")) + log.days
        )
    refusal = log_refusal(mission) if rights.acts else ""
    if rights.acts and not refusal and form is None:
        today = timezone.localdate()
        initial = {"date": today} if mission.start_date <= today <= mission.end_date else {}
        form = DayLogForm(experts=experts, initial=initial)
    total_days = sum((log.days for log in logs), Decimal("0.0"))
    return {
        "mission": mission,
        "logs": logs,
        "total_days": total_days,
        "total_value": sum((log.value for log in logs if log.value is not None), Decimal("0.00")),
        "unvalued_days": sum((log.days for log in logs if log.rate is None), Decimal("0.0")),
        "remaining_days": max(mission.planned_days - total_days, Decimal("0.0")),
        # What is left to give means nothing once a mission is cancelled.
        "shows_remaining": mission.status != MissionStatus.CANCELLED,
        "experts_days": [(expert, per_expert[expert.pk]) for expert in experts],
        "day_form": form if rights.acts and not refusal else None,
        "log_refusal": refusal,
        "day_notice": notice,
        "oob": oob,
    }


def mission_experts(mission) -> list:
    return [a.expert for a in mission.assignments.select_related("expert").order_by("expert__name")]


# --- List and page ------------------------------------------------------------------------


class MissionListView(BrowseMixin, PaginatedListMixin, ListView):
    model = SupportMission
    template_name = "grandes_entreprises/mission_list.html"

    def get_queryset(self):
        visible = super().get_queryset()
        self.filters = MissionFilterForm(self.request.GET, visible_missions=visible)
        return (
            self.filters.apply(visible)
            .select_related("corporation", "dossier__pme__commune")
            .with_days_and_value()
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            filters=self.filters,
            can_view_dossiers=pme_permissions.can_browse_pmes(self.request.user),
            **kwargs,
        )


class MissionDetailView(BrowseMixin, DetailView):
    model = SupportMission
    template_name = "grandes_entreprises/mission_detail.html"
    context_object_name = "mission"

    def get_queryset(self):
        return (
            super()
            .get_queryset()
            .select_related("corporation__basin", "dossier__pme__commune", "created_by")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, mission = self.request.user, self.object
        rights = rights_on(user, mission)
        experts = mission_experts(mission)
        context.update(status_panel_context(user, mission, rights))
        context.update(day_log_context(mission, rights, experts))
        context.update(
            experts=experts,
            results=list(mission.results.select_related("recorded_by")),
            rights=rights,
            can_record_result=rights.acts and mission.status in RESULT_STATUSES,
            can_record_outcome=rights.is_operator and mission.status in RESULT_STATUSES,
            can_assign=rights.is_operator
            and mission.status in {MissionStatus.PLANNED, MissionStatus.RUNNING},
            can_view_dossier=pme_permissions.can_browse_pmes(user),
            breadcrumbs=[(reverse("grandes_entreprises:mission_list"), "Missions d'appui")],
        )
        return context


# --- Moving a mission and logging its days (htmx) -----------------------------------------


class MissionTransitionView(ScopedMixin, TransitionView):
    """Move a mission from its panel. With htmx, the day log (whose form depends on the
    status) is swapped in too, out of band."""

    model = SupportMission
    allowed = staticmethod(permissions.can_act_on_missions)
    workflow = MISSION_WORKFLOW

    def get_object(self):
        mission, self.rights = mission_or_404(self.request, self.kwargs["pk"], acting=True)
        return mission

    def move(self, obj, transition, *, comment: str, expected: str) -> None:
        services.change_mission_status(
            mission=obj,
            to_status=transition.target,
            by=self.request.user,
            comment=comment,
            expected_status=expected,
        )

    def panel(self, obj) -> dict:
        return status_panel_context(self.request.user, obj, self.rights)

    def oob_fragments(self, obj) -> bytes:
        context = day_log_context(obj, self.rights, mission_experts(obj), oob=True)
        return render(self.request, DAY_LOG_TEMPLATE, context).content


class MissionFormMixin:
    """A form about one mission the user may act on (a 404 otherwise)."""

    model = SupportMission
    allowed = staticmethod(permissions.can_act_on_missions)
    list_url_name = "grandes_entreprises:mission_list"
    operator_only = False
    heading = ""  # the page's title, before the mission's name

    def get_target(self):
        self.mission, self.rights = mission_or_404(self.request, self.kwargs["pk"], acting=True)
        if self.operator_only and not self.rights.is_operator:
            raise Http404
        self.title = f"{self.heading} : {self.mission}"

    def breadcrumbs(self):
        return [
            (reverse("grandes_entreprises:mission_list"), "Missions d'appui"),
            (self.mission.get_absolute_url(), str(self.mission)),
        ]


class DayLogCreateView(MissionFormMixin, ServiceFormView):
    """Log the time an expert gave. From the mission page with htmx, the day log is
    answered alone (errors included, status 200); without htmx, this page."""

    form_class = DayLogForm
    success_message = "La journée est enregistrée."
    heading = "Saisir une journée"

    def get_target(self):
        super().get_target()
        self.experts = mission_experts(self.mission)
        self.help_text = log_refusal(self.mission)

    def form_extra_kwargs(self):
        return {"experts": self.experts}

    def form_valid(self, form):
        data = form.cleaned_data
        logged = attempt(
            form,
            services.log_days,
            mission=self.mission,
            **cleaned(form, "expert", "date", "days", "comment"),
            by=self.request.user,
        )
        if logged is None:
            return self.form_invalid(form)
        notice = (
            f"Temps enregistré : {days(data['days'])} donné par {data['expert'].name} le "
            f"{data['date']:%d/%m/%Y}."
        )
        if self.request.htmx:
            return self.render_day_log(notice=notice)
        messages.success(self.request, notice)
        return redirect(self.mission.get_absolute_url() + "#journees")

    def form_invalid(self, form):
        if self.request.htmx:
            return self.render_day_log(form=form)
        return super().form_invalid(form)

    def render_day_log(self, **kwargs):
        context = day_log_context(self.mission, self.rights, self.experts, **kwargs)
        return render(self.request, DAY_LOG_TEMPLATE, context)


class MissionResultCreateView(MissionFormMixin, ServiceFormView):
    form_class = MissionResultForm
    success_message = "Le résultat est enregistré."
    heading = "Nouveau résultat"

    def get_target(self):
        super().get_target()
        if self.mission.status not in RESULT_STATUSES:
            self.help_text = (
                f"Une mission « {self.mission.get_status_display()} » n'a pas de résultat à "
                "enregistrer."
            )

    def form_extra_kwargs(self):
        return {"mission": self.mission}

    def save(self, form):
        services.record_result(
            mission=self.mission,
            by=self.request.user,
            **cleaned(form, "kind", "title", "achieved_on", "description"),
        )
        return self.mission


class OutcomeUpdateView(MissionFormMixin, ServiceFormView):
    """The mission's outcome and the SME's satisfaction: gathered by the operator."""

    form_class = OutcomeForm
    success_message = "Le bilan de la mission est enregistré."
    operator_only = True
    heading = "Bilan de la mission"

    def get_target(self):
        super().get_target()
        if self.mission.status not in RESULT_STATUSES:
            self.help_text = (
                f"Une mission « {self.mission.get_status_display()} » n'a pas encore de bilan."
            )

    def get_object(self):
        # The form writes into its instance: a copy, the page's mission stays as it is.
        return SupportMission.objects.get(pk=self.mission.pk)

    def save(self, form):
        return services.record_outcome(
            mission=self.mission,
            by=self.request.user,
            **cleaned(form, "outcome", "sme_satisfaction"),
        )


class MissionExpertCreateView(MissionFormMixin, ServiceFormView):
    """Add an expert of the corporation to a mission under way: the operator's move."""

    form_class = AssignExpertForm
    success_message = "L'expert est ajouté à la mission."
    operator_only = True
    heading = "Ajouter un expert"

    def form_extra_kwargs(self):
        return {"mission": self.mission}

    def save(self, form):
        services.assign_expert(
            mission=self.mission, expert=form.cleaned_data["expert"], by=self.request.user
        )
        return self.mission


# --- Organising a mission on a dossier ------------------------------------------------------


class MissionCreateView(ServiceFormView):
    """Organise a mission on an approved dossier: the operators of the dossier's basin."""

    model = SupportMission
    form_class = MissionForm
    template_name = "grandes_entreprises/mission_form.html"
    allowed = staticmethod(permissions.is_operator)
    list_url_name = "grandes_entreprises:mission_list"
    success_message = "La mission d'appui est organisée."

    def get_target(self):
        self.dossier = get_object_or_404(
            Dossier.objects.visible_to(self.request.user).with_related(),
            pk=self.kwargs["dossier_pk"],
        )
        if not pme_permissions.can_edit_pme(self.request.user, self.dossier.pme):
            raise Http404
        basin = self.dossier.pme.commune.epci.basin
        self.corporations = Corporation.objects.for_basin(basin).order_by("group_name", "site_name")
        self.title = f"Nouvelle mission d'appui : {self.dossier.pme.name}"
        if self.dossier.state not in MISSION_DOSSIER_STATES:
            self.help_text = (
                "Une mission d'appui ne s'organise que sur un dossier agréé ou en "
                f"accompagnement : ce dossier est « {self.dossier.get_state_display()} »."
            )

    def chosen_corporation(self):
        raw = (self.request.POST if self.request.method == "POST" else self.request.GET).get(
            "corporation", ""
        )
        pk = parse_id(raw)
        return next((c for c in self.corporations if c.pk == pk), None)

    def get_initial(self):
        chosen = self.chosen_corporation()
        return {"corporation": chosen.pk} if chosen else {}

    def form_extra_kwargs(self):
        return {
            "corporations": self.corporations,
            "chosen": self.chosen_corporation(),
            "dossier": self.dossier,
        }

    def breadcrumbs(self):
        return [
            (reverse("pme:dossier_list"), "Dossiers"),
            (self.dossier.get_absolute_url(), str(self.dossier)),
        ]

    def save(self, form):
        return services.create_mission(
            by=self.request.user,
            dossier=self.dossier,
            **cleaned(form, "corporation", "experts", "domain", "objective", "planned_days"),
            **cleaned(form, "start_date", "end_date"),
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(dossier=self.dossier, **kwargs)
