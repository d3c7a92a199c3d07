"""The votes, with htmx: opening and closing an item, voting (for oneself, by proxy, or
recorded by the secretary), declaring an interest, the live tally and the decision."""

import functools
from abc import ABCMeta, abstractmethod

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from alize import once
from alize.views.base import REFUSALS, row_or_404
from comites import permissions, services
from comites.forms import DecisionForm, InterestForm, VoteForm
from comites.models import CommitteeMembership, Decision
from comites.selectors import session_view
from comites.views.common import (
    allowed_or_404,
    done,
    item_or_404,
    refusal_text,
    refused_in_form,
)
from comites.views.sessions import ActionView, ItemMixin, SessionFormMixin
from comites.workflow import DecisionOutcome, ItemStatus

ITEM_TEMPLATE = "comites/partials/_item.html"
TALLY_TEMPLATE = "comites/partials/_tally.html"


def render_item(request, item, *, error: str = "", success: str = ""):
    """The item's card, as the session page draws it for this user, with a message."""
    view = session_view(request.user, item.session)
    context = {
        "session": item.session,
        "sv": view,
        "rights": view.rights,
        "iv": view.item(item.pk),
        "item_error": error,
        "item_success": success,
    }
    return render(request, ITEM_TEMPLATE, context)


class ItemTallyView(View):
    """The tally of one item, polled by htmx: live for the chair, the secretary and the
    operator; for members, the result once the vote is closed."""

    http_method_names = ["get"]

    def get(self, request, pk):
        item = item_or_404(request.user, pk)
        view = session_view(request.user, item.session)
        return render(
            request,
            TALLY_TEMPLATE,
            {"session": item.session, "sv": view, "rights": view.rights, "iv": view.item(pk)},
        )


class ItemPostView(View, metaclass=ABCMeta):
    """An action on an item from its card: htmx gets the card back, others a redirect."""

    http_method_names = ["post"]
    success = ""

    @abstractmethod
    def act(self, request, item) -> str:
        """Call the service; return the success message."""

    def post(self, request, pk):
        item = item_or_404(request.user, pk)
        url = reverse("comites:session_detail", args=[item.session_id]) + f"#point-{item.pk}"
        error = success = ""
        outcome = {}

        def perform():
            outcome["success"] = self.act(request, item) or self.success
            return url, outcome["success"]

        # The buttons carry a one-time token: a double click records one vote.
        try:
            earlier = once.run_once(
                token=once.parse_token(request.POST.get(once.FIELD)),
                user=request.user,
                path=request.path,
                perform=perform,
            )
        except REFUSALS as refusal:
            error = refusal_text(refusal)
        else:
            success = once.replay_text(earlier) if earlier else outcome["success"]
        if request.htmx:
            return render_item(request, item, error=error, success=success)
        return done(request, url, success=success, error=error or None)


class VoteView(ItemPostView):
    """Pour / Contre / Abstention, for oneself, for the member represented, or in the room
    (the secretary). The service says who may vote for whom."""

    def act(self, request, item):
        form = VoteForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Ce vote n'est pas reconnu : rechargez la page.")
        member = CommitteeMembership.objects.filter(
            pk=form.cleaned_data["member"], committee_id=item.session.committee_id
        ).first()
        if member is None:
            raise ValidationError(services.ONLY_FOR_ONESELF)
        vote = services.cast_vote(
            item=item, member=member, choice=form.cleaned_data["choice"], by=request.user
        )
        whose = (
            "Votre vote" if member.person_id == request.user.pk else f"Le vote de {member.person}"
        )
        return f"{whose} est enregistré : {vote.get_choice_display().lower()}."


class InterestView(ItemPostView):
    def act(self, request, item):
        form = InterestForm(request.POST)
        if not form.is_valid():
            raise ValidationError("Précisez l'intérêt déclaré.")
        session = item.session
        member_pk = form.cleaned_data["member"]
        if member_pk:
            member = CommitteeMembership.objects.filter(
                pk=member_pk, committee_id=session.committee_id
            ).first()
        else:
            member = permissions.mandate_of(request.user, session.committee_id, session.day)
        if member is None:
            raise ValidationError(permissions.NOT_YOUR_COMMITTEE)
        services.declare_interest(
            item=item, membership=member, details=form.cleaned_data["details"], by=request.user
        )
        return (
            f"Le déport de {member.person} est enregistré : il ou elle ne vote pas sur ce dossier."
        )


class VoteStepView(ItemMixin, ActionView):
    """The chair opens or closes the vote on an item: back to the item's card."""

    predicate = staticmethod(permissions.can_conduct_votes)

    def target(self):
        return self.item_url


class ItemOpenView(VoteStepView):
    def act(self):
        services.open_item(item=self.item, by=self.request.user)
        self.success = f"Le vote sur le point n° {self.item.order} est ouvert."


class ItemCloseView(VoteStepView):
    def act(self):
        services.close_item(item=self.item, by=self.request.user)
        result = services.tally(self.item)
        self.success = f"Le vote sur le point n° {self.item.order} est clos : {result.summary}."


class DecisionCreateView(ItemMixin, FormView):
    form_class = DecisionForm
    predicate = staticmethod(permissions.can_record_decision)

    def dispatch(self, request, *args, **kwargs):
        self.load(request, kwargs)
        allowed_or_404(self.predicate(request.user, self.session))
        if request.method == "POST":
            # Sent a second time: the decision recorded the first time shows, nothing more.
            earlier = once.earlier_submission(token=self.get_form().once_token(), user=request.user)
            if earlier is not None:
                return self.replayed(earlier)
        if self.item.status != ItemStatus.CLOSED or hasattr(self.item, "decision"):
            messages.error(
                request,
                "La décision s'enregistre une fois le vote clos, une seule fois.",
            )
            return redirect(self.session_url)
        return super(SessionFormMixin, self).dispatch(request, *args, **kwargs)

    @property
    def title(self):
        return f"Décision sur le point n° {self.item.order} : {self.item.dossier.pme}"

    def get_initial(self):
        result = services.tally(self.item)
        return {"outcome": DecisionOutcome.APPROVED if result.adopted else DecisionOutcome.DEFERRED}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["help_text"] = f"Résultat du vote : {services.tally(self.item).summary}."
        return context

    def replayed(self, submission):
        messages.info(self.request, once.replay_text(submission))
        return redirect(submission.result_url or self.session_url)

    def form_valid(self, form):
        try:
            earlier = once.run_once(
                token=form.once_token(),
                user=self.request.user,
                path=self.request.path,
                perform=functools.partial(self.record, form),
            )
        except REFUSALS as error:
            refused_in_form(form, error)
            return self.form_invalid(form)
        if earlier is not None:
            return self.replayed(earlier)
        messages.success(self.request, "La décision est enregistrée.")
        return redirect(self.item_url)

    def record(self, form) -> tuple[str, str]:
        """Record the decision (and the advance it grants); where it leads, what it says."""
        data = form.cleaned_data
        approved = data["outcome"] == DecisionOutcome.APPROVED
        services.record_decision(
            item=self.item,
            outcome=data["outcome"],
            corporations=data["corporations"] if approved else [],
            domains=data["domains"] if approved else [],
            advance_granted=(data["advance_granted"] or 0) if approved else 0,
            missing=data["missing"] if data["outcome"] == DecisionOutcome.DEFERRED else "",
            reason=data["reason"] if data["outcome"] == DecisionOutcome.REJECTED else "",
            by=self.request.user,
        )
        return self.item_url, "La décision est enregistrée."


def decision_or_404(user, pk) -> Decision:
    related = ("item__session__committee__basin", "item__dossier__pme")
    return row_or_404(Decision, user, pk, parent="item", related=related)
