"""The advance page and the actions recorded from it.

Each action is a POST to its own URL: it fetches the advance through the scoped queryset
(404 when the user may not see it or may not act on it), calls one service and redirects
to the page; a refusal (the form's or the service's French message) shows the page again
with the form and its errors, at status 200. The payment form also works through htmx:
the repayment panel (schedule, payments, form) comes back alone, updated.

Every action's form carries a one-time token (`alize.once`): sent twice (a double click),
it records once and the second answer shows the first result. The rescheduling form also
carries the advance's version (`alize.versioning`): if a colleague changed the terms since
the page was drawn, the conflict page shows how, and nothing is saved.
"""

import functools
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from alize import once
from alize.pdf import pdf_filename, pdf_response
from alize.versioning import EditConflict
from alize.views.base import REFUSALS, conflict_response, refused_in_form, visible_through
from avances import forms as f
from avances.models import (
    Advance,
    CollectiveProceeding,
    Disbursement,
    DunningStep,
    Payment,
    WriteOff,
)
from avances.models.common import ZERO
from avances.pdf import (
    build_deminimis_attestation_pdf,
    build_dunning_letter_pdf,
    build_schedule_pdf,
)
from avances.selectors import (
    advance_page_queryset,
    available_actions,
    disbursements_of,
    followup_of,
    payments_of,
    schedules_of,
)
from avances.services import (
    approve_write_off,
    close_disbursements,
    close_proceeding,
    disburse_advance,
    open_proceeding,
    record_claim_declaration,
    record_dunning_step,
    record_payment,
    reject_write_off,
    request_write_off,
    reschedule_advance,
    reverse_disbursement,
    reverse_payment,
    sign_contract,
)
from avances.views.common import ScreensMixin, can_act

DETAIL_TEMPLATE = "avances/advance_detail.html"
REPAYMENT_PARTIAL = "avances/partials/_repayment.html"


def of_visible_advances(model, user):
    """The objects of `model` (a payment, a tranche...) of the advances `user` may see."""
    return visible_through(model, user, "advance")


@dataclass(frozen=True)
class ObjectForm:
    """A form repeated once per payment, tranche or proceeding: the same field names (the
    URL says which object), distinct ids on the page. The page keeps it as `(key, pk)`
    among the forms it draws again with their errors."""

    key: str
    prefix: str
    form_class: type

    def kwargs(self, pk: int) -> dict:
        return {"prefix": self.prefix, "auto_id": f"id_{self.prefix}_{pk}_%s"}

    def for_object(self, obj, forms: dict):
        """The form of `obj`: as the user sent it (refused), or a blank one."""
        return forms.get((self.key, obj.pk)) or self.form_class(**self.kwargs(obj.pk))


REVERSE_PAYMENT = ObjectForm("reverse", "contrepassation", f.ReversePaymentForm)
REVERSE_DISBURSEMENT = ObjectForm(
    "reverse_disbursement", "annulation-versement", f.ReverseDisbursementForm
)
CLAIM = ObjectForm("claim", "declaration", f.ClaimDeclarationForm)
CLOSE_PROCEEDING = ObjectForm("close", "fin-procedure", f.CloseProceedingForm)


def error_summary(form) -> list[str]:
    """Every error of a refused form, for the summary at the top of the page (the form
    itself may not be shown any more: a proceeding closed, a payment reversed)."""
    summary = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        summary.extend(f"{label} : {error}" if label else error for error in errors)
    return summary


def get_advance(user, pk):
    advances = advance_page_queryset(Advance.objects.visible_to(user), timezone.localdate())
    return get_object_or_404(advances, pk=pk)


def reverse_disbursement_form(disbursements, forms):
    """The latest tranche still counted carries the form that reverses it (the service says
    whether it still can be)."""
    counted = [d for d in disbursements if d.reversed_at is None]
    if counted:
        counted[-1].reverse_form = REVERSE_DISBURSEMENT.for_object(counted[-1], forms)
    return disbursements


def repayment_context(advance, user, forms=None) -> dict:
    """What the repayment panel shows (the page includes it; htmx returns it alone)."""
    forms = forms or {}
    today = timezone.localdate()
    active, earlier = schedules_of(advance, today)
    payments = payments_of(advance)
    for payment in payments:
        payment.reverse_form = REVERSE_PAYMENT.for_object(payment, forms)
    return {
        "advance": advance,
        "active_schedule": active,
        "earlier_schedules": earlier,
        "payments": payments,
        "payment_form": forms.get("payment") or f.PaymentForm(initial={"paid_on": today}),
        "may_act": can_act(user, advance.basin_id),
        "today": today,
    }


def page_context(request, advance, forms=None) -> dict:
    forms = forms or {}
    user = request.user
    today = timezone.localdate()
    context = repayment_context(advance, user, forms)
    followup = followup_of(advance, today)
    for proceeding in followup.proceedings:
        proceeding.claim_form = CLAIM.for_object(proceeding, forms)
        proceeding.close_form = CLOSE_PROCEEDING.for_object(proceeding, forms)
    defaults = {"from_date": today, "frequency": advance.frequency}
    context.update(
        available_actions(
            advance,
            user,
            active=context["active_schedule"],
            earlier=context["earlier_schedules"],
            followup=followup,
            today=today,
        ),
        title=f"Avance {advance.reference}",
        pme=advance.dossier.pme,
        dossier=advance.dossier,
        disbursements=reverse_disbursement_form(disbursements_of(advance), forms),
        dunning_steps=followup.steps,
        proceedings=followup.proceedings,
        write_offs=followup.write_offs,
        pending_write_off=followup.pending_write_off,
        contract_form=forms.get("contract")
        or f.SignContractForm(initial={"contract_signed_on": advance.contract_signed_on or today}),
        disbursement_form=forms.get("disbursement")
        or f.DisbursementForm(initial={"disbursed_on": today}),
        close_form=forms.get("close")
        or f.CloseDisbursementsForm(initial={"disbursements_closed_on": today}),
        reschedule_form=forms.get("reschedule")
        or f.RescheduleForm(initial=defaults, version=advance.version),
        dunning_form=forms.get("dunning") or f.DunningForm(initial={"sent_on": today}),
        proceeding_form=forms.get("proceeding") or f.ProceedingForm(),
        write_off_form=forms.get("write_off") or f.WriteOffRequestForm(),
        decision_form=forms.get("decision") or f.WriteOffDecisionForm(prefix="decision"),
        zero=ZERO,
    )
    return context


class AdvanceDetailView(ScreensMixin, View):
    def get(self, request, pk):
        advance = get_advance(request.user, pk)
        return render(request, DETAIL_TEMPLATE, page_context(request, advance))


class AdvanceActionView(ScreensMixin, View):
    """POST one form to one service (see the module's docstring).

    Subclasses say which form (`form_class`, `form_key` in the page's context), which
    object the URL names (`get_target`, the advance by default, passed to the service as
    `target_name`) and which `service` to call with which of the form's fields
    (`arguments`: the service's keyword → the form's field; None, the default: every field
    as is), or
    override `perform(form)`.
    """

    http_method_names = ["post"]
    form_class = None
    form_key = ""
    success_message = ""
    service = None
    target_name = "advance"
    arguments: dict | None = None

    def form_kwargs(self) -> dict:
        return {}

    def get_target(self):
        return self.advance

    def advance_pk(self):
        return self.kwargs["pk"]

    def post(self, request, **kwargs):
        self.advance = get_advance(request.user, self.advance_pk())
        if not can_act(request.user, self.advance.basin_id):
            raise Http404
        self.target = self.get_target()
        form = self.form_class(request.POST, **self.form_kwargs())
        # Sent a second time (a double click): nothing more is recorded, the first result shows.
        earlier = once.earlier_submission(token=form.once_token(), user=request.user)
        if earlier is not None:
            return self.replayed(earlier)
        if form.is_valid():
            try:
                earlier = once.run_once(
                    token=form.once_token(),
                    user=request.user,
                    path=request.path,
                    perform=functools.partial(self.record, form),
                )
            except EditConflict as conflict:
                return self.conflicted(form, conflict)
            except REFUSALS as error:
                refused_in_form(form, error)
            else:
                return self.replayed(earlier) if earlier else self.succeeded()
        return self.refused(form)

    def conflicted(self, form, conflict):
        """The advance's terms changed since the page was drawn (a colleague rescheduled it):
        the conflict page, with the form drawn again from the advance as it is now."""
        advance = get_advance(self.request.user, self.advance.pk)
        fresh = page_context(self.request, advance)[f"{self.form_key}_form"]
        return conflict_response(
            self.request,
            conflict=conflict,
            typed=form.typed_values(),
            form=fresh,
            title=str(advance),
            back_url=self.result_url(),
        )

    def record(self, form) -> tuple[str, str]:
        """Call the service; then where the first submission leads and what it says (kept
        for a second one)."""
        self.perform(form)
        return self.result_url(), self.success_message

    def result_url(self) -> str:
        return reverse("avances:advance_detail", args=[self.advance.pk])

    def succeeded(self):
        messages.success(self.request, self.success_message)
        return redirect(self.result_url())

    def replayed(self, submission):
        messages.info(self.request, once.replay_text(submission))
        return redirect(submission.result_url or self.result_url())

    def refused(self, form):
        advance = get_advance(self.request.user, self.advance.pk)
        context = page_context(self.request, advance, {self.form_key: form})
        context["refusal"] = error_summary(form)
        return render(self.request, DETAIL_TEMPLATE, context)

    def perform(self, form):
        """Call the service with the target, the user and the form's data."""
        data = {name: value for name, value in form.cleaned_data.items() if name != once.FIELD}
        if self.arguments is not None:
            data = {keyword: data[field] for keyword, field in self.arguments.items()}
        type(self).service(**{self.target_name: self.target}, by=self.request.user, **data)


class SignContractView(AdvanceActionView):
    form_class = f.SignContractForm
    form_key = "contract"
    success_message = "La signature du contrat est enregistrée."

    service = sign_contract
    arguments = {"signed_on": "contract_signed_on"}


class DisbursementCreateView(AdvanceActionView):
    form_class = f.DisbursementForm
    form_key = "disbursement"
    success_message = "Le versement est enregistré ; l'échéancier est à jour."

    service = disburse_advance
    arguments = {"disbursed_on": "disbursed_on", "amount": "amount"}


class CloseDisbursementsView(AdvanceActionView):
    form_class = f.CloseDisbursementsForm
    form_key = "close"
    success_message = "Les versements sont clos : le solde non versé n'est plus engagé."

    service = close_disbursements
    arguments = {"closed_on": "disbursements_closed_on"}


class HtmxRepaymentMixin:
    """With htmx, the repayment panel comes back alone (updated, or with the errors)."""

    def is_htmx(self):
        return self.request.headers.get("HX-Request") == "true"

    def panel(self, forms=None, notice=""):
        advance = get_advance(self.request.user, self.advance.pk)
        context = repayment_context(advance, self.request.user, forms)
        context["notice"] = notice
        return render(self.request, REPAYMENT_PARTIAL, context)

    def succeeded(self):
        if self.is_htmx():
            return self.panel(notice=self.success_message)
        return super().succeeded()

    def replayed(self, submission):
        if self.is_htmx():
            return self.panel(notice=once.replay_text(submission))
        return super().replayed(submission)

    def refused(self, form):
        if self.is_htmx():
            return self.panel({self.form_key: form})
        return super().refused(form)


class PaymentCreateView(HtmxRepaymentMixin, AdvanceActionView):
    form_class = f.PaymentForm
    form_key = "payment"
    success_message = "Le remboursement est enregistré et imputé sur les échéances."

    service = record_payment


class ObjectActionView(AdvanceActionView):
    """An action on one object of the advance (a payment, a tranche, a proceeding, a
    write-off): the URL names the object, fetched among those of the advances the user may
    see; its form is `object_form`, one per object on the page."""

    model = None
    object_form: ObjectForm

    @property
    def form_class(self):
        return self.object_form.form_class

    def advance_pk(self):
        self.object = get_object_or_404(
            of_visible_advances(self.model, self.request.user), pk=self.kwargs["pk"]
        )
        return self.object.advance_id

    def get_target(self):
        return self.object

    @property
    def form_key(self):
        return (self.object_form.key, self.object.pk)

    def form_kwargs(self):
        return self.object_form.kwargs(self.object.pk)


class PaymentReverseView(HtmxRepaymentMixin, ObjectActionView):
    model, object_form = Payment, REVERSE_PAYMENT
    success_message = "Le paiement est contrepassé ; les imputations sont recalculées."

    service = reverse_payment
    target_name = "payment"


class DisbursementReverseView(ObjectActionView):
    model, object_form = Disbursement, REVERSE_DISBURSEMENT
    success_message = "Le versement est annulé ; l'échéancier qu'il avait établi est retiré."

    service = reverse_disbursement
    target_name = "disbursement"


class RescheduleView(AdvanceActionView):
    form_class = f.RescheduleForm
    form_key = "reschedule"
    success_message = "L'avance est rééchelonnée : le nouvel échéancier est en vigueur."

    service = reschedule_advance


class DunningCreateView(AdvanceActionView):
    form_class = f.DunningForm
    form_key = "dunning"
    success_message = "La relance est enregistrée ; sa lettre est prête à imprimer."

    service = record_dunning_step


class ProceedingCreateView(AdvanceActionView):
    form_class = f.ProceedingForm
    form_key = "proceeding"
    success_message = "La procédure collective est enregistrée, avec son délai de déclaration."

    service = open_proceeding


class ClaimDeclarationView(ObjectActionView):
    model, object_form = CollectiveProceeding, CLAIM
    success_message = "La déclaration de créance est enregistrée."

    service = record_claim_declaration
    target_name = "proceeding"
    arguments = {"declared_on": "claim_declared_on"}


class ProceedingCloseView(ObjectActionView):
    model, object_form = CollectiveProceeding, CLOSE_PROCEEDING
    success_message = "La clôture de la procédure est enregistrée."

    service = close_proceeding
    target_name = "proceeding"


class WriteOffRequestView(AdvanceActionView):
    form_class = f.WriteOffRequestForm
    form_key = "write_off"
    success_message = "Le passage en perte est demandé : un(e) autre responsable le décidera."

    service = request_write_off


class WriteOffDecisionView(ObjectActionView):
    form_class = f.WriteOffDecisionForm
    model = WriteOff
    form_key = "decision"

    def form_kwargs(self):
        return {"prefix": "decision"}

    def perform(self, form):
        data = form.cleaned_data
        approve = data["decision"] == f.WriteOffDecisionForm.APPROVE
        decide = approve_write_off if approve else reject_write_off
        decide(write_off=self.object, by=self.request.user, comment=data["decision_comment"])
        self.success_message = (
            "Le passage en perte est approuvé." if approve else "Le passage en perte est refusé."
        )


# --- PDFs -------------------------------------------------------------------------------------


class SchedulePdfView(ScreensMixin, View):
    def get(self, request, pk):
        advance = get_advance(request.user, pk)
        if not advance.schedules.filter(is_active=True).exists():
            raise Http404
        return pdf_response(
            build_schedule_pdf(advance), pdf_filename("echeancier", advance.reference)
        )


class DeMinimisPdfView(ScreensMixin, View):
    def get(self, request, pk):
        advance = get_advance(request.user, pk)
        return pdf_response(
            build_deminimis_attestation_pdf(advance),
            pdf_filename("attestation-de-minimis", advance.reference),
        )


class DunningLetterPdfView(ScreensMixin, View):
    def get(self, request, pk):
        step = get_object_or_404(
            of_visible_advances(DunningStep, request.user).select_related("advance"),
            pk=pk,
        )
        return pdf_response(
            build_dunning_letter_pdf(step),
            pdf_filename(
                step.get_kind_display(), step.advance.reference, f"{step.sent_on:%Y-%m-%d}"
            ),
        )
