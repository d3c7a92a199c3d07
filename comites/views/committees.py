"""The committees: their list, their page (members and sessions), and the manager's forms
(rules, appointments, change of chair, end of a mandate)."""

from abc import ABCMeta, abstractmethod

from django.core.exceptions import ValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, TemplateView

from alize.models import Basin, Role
from alize.views.base import ServiceFormMixin, cleaned, row_or_404
from comites import permissions, services
from comites.forms import (
    AppointForm,
    ChairForm,
    CommitteeCreateForm,
    CommitteeRulesForm,
    EndMandateForm,
)
from comites.models import Committee, CommitteeMembership, Session
from comites.views.common import (
    can_see_committees,
    committee_or_404,
)
from comites.workflow import MemberRole


class CommitteesMixin:
    def dispatch(self, request, *args, **kwargs):
        if not can_see_committees(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class CommitteeListView(CommitteesMixin, TemplateView):
    template_name = "comites/committee_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        committees = list(Committee.objects.visible_to(self.request.user).select_related("basin"))
        context["committees"] = committees
        context["can_create"] = managed_basins(self.request.user).exists()
        return context


def managed_basins(user):
    """The basins whose committees this user sets up: an operator manager's own."""
    if not user.is_authenticated or not user.has_role(Role.MANAGER):
        return Basin.objects.none()
    return user.basins.order_by("name")


class CommitteeCreateView(CommitteesMixin, ServiceFormMixin, FormView):
    """A manager creates a committee of their basin, then appoints its members and chair
    on its page."""

    form_class = CommitteeCreateForm
    template_name = "comites/form.html"
    success_message = "Le comité est créé : nommez maintenant ses membres et sa présidence."

    def dispatch(self, request, *args, **kwargs):
        self.basins = managed_basins(request.user)
        if not self.basins.exists():
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "basins": self.basins}

    def save(self, form):
        return services.create_committee(by=self.request.user, **cleaned(form, *form.Meta.fields))

    def done_url(self, committee):
        return reverse("comites:committee_detail", args=[committee.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title="Nouveau comité",
            back_url=reverse("comites:committee_list"),
            back_label="Les comités",
        )
        return context


class CommitteeDetailView(CommitteesMixin, TemplateView):
    template_name = "comites/committee_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        committee = committee_or_404(user, self.kwargs["pk"])
        today = timezone.localdate()
        memberships = list(
            committee.memberships.select_related("person", "corporation").order_by(
                "-end_date", "role", "person__last_name", "start_date"
            )
        )
        current = [m for m in memberships if m.is_active_on(today)]
        past = [m for m in memberships if not m.is_active_on(today) and m.start_date <= today]
        future = [m for m in memberships if m.start_date > today]
        can_manage = permissions.can_manage_committee(user, committee)
        context.update(
            committee=committee,
            current_members=current,
            future_members=future,
            past_members=past,
            chair=next((m for m in current if m.role == MemberRole.CHAIR), None),
            sessions=list(
                Session.objects.visible_to(user)
                .filter(committee=committee)
                .select_related("committee")
                .order_by("-starts_at")
            ),
            can_manage=can_manage,
            can_create_session=permissions.granted(
                permissions.can_prepare_session(
                    user, Session(committee=committee, starts_at=timezone.now())
                )
            ),
        )
        return context


class ManagerFormView(CommitteesMixin, ServiceFormMixin, FormView, metaclass=ABCMeta):
    """A manager's form about one committee, through one service."""

    template_name = "comites/form.html"
    title = ""
    success_message = "Enregistré."
    refusals = (ValidationError,)

    def get_committee(self):
        return committee_or_404(self.request.user, self.kwargs["pk"])

    def setup_objects(self):
        self.committee = self.get_committee()
        if not permissions.can_manage_committee(self.request.user, self.committee):
            raise Http404

    def dispatch(self, request, *args, **kwargs):
        if not can_see_committees(request.user):
            raise Http404
        self.setup_objects()
        return super(CommitteesMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["committee"] = self.committee
        return kwargs

    @abstractmethod
    def save(self, form):
        """Call the service with the form's data."""

    def get_success_url(self):
        return reverse("comites:committee_detail", args=[self.committee.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=self.title,
            back_url=reverse("comites:committee_detail", args=[self.committee.pk]),
            back_label=str(self.committee),
        )
        return context


class CommitteeRulesView(ManagerFormView):
    form_class = CommitteeRulesForm
    title = "Règles du comité"
    success_message = "Les règles du comité sont enregistrées."

    def get_form_kwargs(self):
        kwargs = super(ManagerFormView, self).get_form_kwargs()
        # A copy: the form validates on it, the service writes the locked row.
        kwargs["instance"] = Committee.objects.get(pk=self.committee.pk)
        return kwargs

    def save(self, form):
        services.update_committee_rules(
            committee=self.committee,
            by=self.request.user,
            **cleaned(form, *form.Meta.fields),
        )


class MandateFormView(ManagerFormView):
    """A mandate's form: its fields are the service's arguments."""

    service = None

    def save(self, form):
        type(self).service(committee=self.committee, by=self.request.user, **form.cleaned_data)


class MemberAppointView(MandateFormView):
    form_class = AppointForm
    service = services.appoint_member
    title = "Nommer un membre"
    success_message = "Le mandat est enregistré."


class ChairChangeView(MandateFormView):
    form_class = ChairForm
    service = services.change_chair
    title = "Changer la présidence"
    success_message = "La nouvelle présidence est enregistrée."


class MandateEndView(ManagerFormView):
    form_class = EndMandateForm
    success_message = "Le mandat prend fin à la date indiquée."

    def setup_objects(self):
        self.membership = row_or_404(
            CommitteeMembership,
            self.request.user,
            self.kwargs["pk"],
            parent="committee",
            related=("committee__basin", "person"),
        )
        self.committee = self.membership.committee
        if not permissions.can_manage_committee(self.request.user, self.committee):
            raise Http404
        self.title = f"Terminer le mandat de {self.membership.person}"

    def get_form_kwargs(self):
        return super(ManagerFormView, self).get_form_kwargs()

    def save(self, form):
        services.end_mandate(
            membership=self.membership, end_date=form.cleaned_data["end_date"], by=self.request.user
        )
