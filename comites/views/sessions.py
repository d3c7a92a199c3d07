"""Sessions: their list, their creation, their page, the agenda, the convocation, the
attendance, the opening and the closing."""

from abc import ABCMeta, abstractmethod

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View
from django.views.generic import FormView, TemplateView

from alize.views.base import REFUSALS, ServiceFormMixin, cleaned
from alize.views.workflow import TransitionView, panel_context
from comites import permissions, services
from comites.forms import (
    AgendaItemForm,
    AttendanceForm,
    ProposedCorporationsForm,
    SessionForm,
    default_session_start,
)
from comites.models import Session
from comites.selectors import members_of, session_view
from comites.views.committees import CommitteesMixin
from comites.views.common import (
    allowed_or_404,
    can_see_committees,
    committee_or_404,
    done,
    item_or_404,
    session_or_404,
)
from comites.workflow import SESSION_WORKFLOW

LIST_SIZE = 50


def session_title(session) -> str:
    what = "Consultation écrite" if session.is_written else "Séance"
    return f"{what} du {date_format(timezone.localtime(session.starts_at), 'j F Y')}"


class SessionListView(CommitteesMixin, TemplateView):
    """The sessions the user may see: coming ones first, then the last ones held."""

    template_name = "comites/session_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        sessions = (
            Session.objects.visible_to(self.request.user)
            .with_related()
            .prefetch_related("items__dossier__pme")
        )
        now = timezone.now()
        context.update(
            upcoming=list(sessions.filter(starts_at__gte=now).order_by("starts_at")[:LIST_SIZE]),
            past=list(sessions.filter(starts_at__lt=now).order_by("-starts_at")[:LIST_SIZE]),
        )
        return context


class SessionCreateView(CommitteesMixin, ServiceFormMixin, FormView):
    form_class = SessionForm
    template_name = "comites/form.html"
    success_message = "La séance est créée : composez son ordre du jour."
    refusals = (ValidationError,)

    def dispatch(self, request, *args, **kwargs):
        if not can_see_committees(request.user):
            raise Http404
        self.committee = committee_or_404(request.user, kwargs["pk"])
        probe = Session(committee=self.committee, starts_at=timezone.now())
        allowed_or_404(permissions.can_prepare_session(request.user, probe))
        return super(CommitteesMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["committee"] = self.committee
        return kwargs

    def get_initial(self):
        return {"starts_at": default_session_start()}

    def save(self, form):
        return services.create_session(
            committee=self.committee, by=self.request.user, **form.cleaned_data
        )

    def done_url(self, session):
        return reverse("comites:session_detail", args=[session.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Nouvelle séance – {self.committee}",
            back_url=reverse("comites:committee_detail", args=[self.committee.pk]),
            back_label=str(self.committee),
        )
        return context


class SessionDetailView(TemplateView):
    template_name = "comites/session_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = session_or_404(self.request.user, self.kwargs["pk"])
        view = session_view(self.request.user, session)
        context.update(session=session, sv=view, rights=view.rights, title=session_title(session))
        return context


# --- Forms and actions of the session's preparation --------------------------------------


class SessionFormMixin:
    """A form about one session (or one of its items), for who may `predicate`."""

    predicate = staticmethod(permissions.can_prepare_session)
    template_name = "comites/form.html"
    title = ""

    def load(self, request, kwargs):
        self.session = session_or_404(request.user, kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        self.load(request, kwargs)
        allowed_or_404(self.predicate(request.user, self.session))
        return super().dispatch(request, *args, **kwargs)

    @property
    def session_url(self):
        return reverse("comites:session_detail", args=[self.session.pk])

    def get_success_url(self):
        return self.session_url

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(title=self.title, back_url=self.session_url, back_label=str(self.session))
        return context


class AgendaAddView(SessionFormMixin, ServiceFormMixin, FormView):
    form_class = AgendaItemForm
    title = "Inscrire un dossier à l'ordre du jour"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "session": self.session}

    def save(self, form):
        return services.add_agenda_item(
            session=self.session,
            **cleaned(form, "dossier", "proposed_corporations"),
            by=self.request.user,
        )

    def done_message(self, item):
        return f"{item.dossier.pme} est inscrit(e) à l'ordre du jour."


class ItemMixin(SessionFormMixin):
    """A form or a button about one item of the session's agenda."""

    def load(self, request, kwargs):
        self.item = item_or_404(request.user, kwargs["pk"])
        self.session = self.item.session

    @property
    def item_url(self):
        """The item's card on the session page."""
        return self.session_url + f"#point-{self.item.pk}"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "item": self.item}


class ItemCorporationsView(ItemMixin, ServiceFormMixin, FormView):
    form_class = ProposedCorporationsForm
    success_message = (
        "Les entreprises proposées sont enregistrées ; les déports automatiques suivent."
    )

    @property
    def title(self):
        return f"Entreprises proposées pour {self.item.dossier.pme}"

    def get_initial(self):
        return {"corporations": list(self.item.proposed_corporations.all())}

    def save(self, form):
        services.set_proposed_corporations(
            item=self.item, corporations=form.cleaned_data["corporations"], by=self.request.user
        )


class ActionView(SessionFormMixin, View, metaclass=ABCMeta):
    """A button on the session page: one service, then back to the page with its message."""

    http_method_names = ["post"]
    success = ""

    @abstractmethod
    def act(self):
        """Call the service."""

    def target(self):
        return self.session_url

    def post(self, request, *args, **kwargs):
        try:
            self.act()
        except REFUSALS as error:
            return done(request, self.target(), error=error)
        return done(request, self.target(), success=self.success)


class ItemRemoveView(ItemMixin, ActionView):
    success = "Le dossier est retiré de l'ordre du jour."

    def act(self):
        services.remove_agenda_item(item=self.item, by=self.request.user)


class ItemMoveView(ItemMixin, ActionView):
    def act(self):
        step = -1 if self.request.POST.get("direction") == "up" else 1
        services.move_agenda_item(item=self.item, step=step, by=self.request.user)


# What the page says once a move is made, by the move's name.
MOVE_SUCCESS = {
    "convene": "La séance est convoquée : les membres reçoivent leur convocation.",
    "open": "La séance est ouverte.",
    "close": "La séance est close : le procès-verbal peut être relu et signé.",
    "sign": "Le procès-verbal est signé : la séance ne se modifie plus.",
}
# …and for a written consultation, where it says otherwise.
CONSULTATION_SUCCESS = {
    "launch": "La consultation écrite est lancée : les membres votent dès maintenant.",
    "close": "La consultation est close : enregistrez les décisions, puis signez le relevé.",
    "sign": "Le relevé de décisions est signé : la consultation ne se modifie plus.",
}


def move_success(session, name: str) -> str:
    return (CONSULTATION_SUCCESS if session.is_written else MOVE_SUCCESS)[name]


def session_panel(user, session) -> dict:
    """The session's state panel, which the transition view answers htmx with."""
    return panel_context(
        workflow=session.workflow,
        obj=session,
        user=user,
        permission=permissions.can_move_session,
        url=reverse("comites:session_transition", args=[session.pk]),
        dom_id="etat-seance",
        title="État de la séance",
        empty_timeline="Aucun changement d'état pour l'instant.",
    )


class SessionTransitionView(TransitionView):
    """The session's moves from its page's buttons (its kind's workflow)."""

    workflow = SESSION_WORKFLOW

    def get_object(self):
        session = session_or_404(self.request.user, self.kwargs["pk"])
        self.workflow = session.workflow
        return session

    def move(self, obj, transition, *, comment, expected):
        services.transition_session(
            session=obj,
            name=transition.name,
            by=self.request.user,
            comment=comment,
            expected=expected,
        )
        self.made = transition.name

    def panel(self, obj) -> dict:
        return session_panel(self.request.user, obj)

    def success_message(self, obj) -> str:
        return move_success(obj, self.made)


class AttendanceView(SessionFormMixin, FormView):
    """The attendance of every member at once: present, remote, represented, absent."""

    form_class = AttendanceForm
    predicate = staticmethod(permissions.can_keep_session)
    template_name = "comites/attendance_form.html"
    title = "Présences"

    def dispatch(self, request, *args, **kwargs):
        self.load(request, kwargs)
        allowed_or_404(self.predicate(request.user, self.session))
        if self.session.is_written:
            raise Http404  # a written consultation has no room and no attendance
        self.members = members_of(self.session)
        return super(SessionFormMixin, self).dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "members": self.members}

    def form_valid(self, form):
        """Record each change, those who take part first (they may hold a proxy), and keep
        all or nothing: one refusal leaves the attendance as it was."""
        data = form.cleaned_data
        by_pk = {m.pk: m for m in self.members}
        changes = []
        for member in self.members:
            status = data[f"status_{member.pk}"]
            holder = data.get(f"proxy_{member.pk}")
            if status == member.attendance_status and holder == member.attendance_proxy_holder:
                continue
            changes.append((member, status, by_pk.get(holder) if holder else None))
        rank = {"present": 0, "distance": 0, "represente": 1, "absent": 2}
        changes.sort(key=lambda change: rank.get(change[1], 3))
        failed = False
        try:
            with transaction.atomic():
                for member, status, holder in changes:
                    try:
                        services.record_attendance(
                            session=self.session,
                            membership=member,
                            status=status,
                            proxy_holder=holder,
                            by=self.request.user,
                        )
                    except REFUSALS as error:
                        failed = True
                        self._attach(form, member, error)
                if failed:
                    raise _Rollback
        except _Rollback:
            return self.form_invalid(form)
        messages.success(self.request, "Les présences sont enregistrées.")
        return redirect(self.session_url)

    @staticmethod
    def _attach(form, member, error):
        messages_ = error.message_dict if hasattr(error, "error_dict") else None
        if messages_ is None:
            form.add_error(
                f"status_{member.pk}",
                str(error) if not isinstance(error, ValidationError) else error,
            )
            return
        for field, texts in messages_.items():
            target = f"proxy_{member.pk}" if field == "proxy_holder" else f"status_{member.pk}"
            if target not in form.fields:
                target = f"status_{member.pk}"
            for text in texts:
                form.add_error(target, text)


class _Rollback(Exception):
    """Undo every attendance of the form when one of them is refused."""
