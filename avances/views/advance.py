"""The advance page and the actions recorded from it.

Each action is a POST to its own URL: it fetches the advance through the scoped queryset
(404 when the user may not see it or may not act on it), calls one service and redirects
to the page; a refusal (the form's or the service's French message) shows the page again
with the form and its errors, at status 200. The payment form also works through htmx:
the repayment panel (schedule, payments, form) comes back alone, updated.
"""

import datetime
from abc import ABCMeta, abstractmethod

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from alize.forms import attach_errors
from alize.pdf import pdf_filename, pdf_response
from avances import forms as f
from avances import permissions
from avances.followup import (
    approve_write_off,
    close_proceeding,
    open_proceeding,
    record_claim_declaration,
    record_dunning_step,
    reject_write_off,
    request_write_off,
)
from avances.models import (
    Allocation,
    CollectiveProceeding,
    Disbursement,
    DunningStep,
    Instalment,
    Payment,
    ScheduleKind,
    WriteOff,
    WriteOffStatus,
)
from avances.models.common import ZERO
from avances.pdf import (
    build_deminimis_attestation_pdf,
    build_dunning_letter_pdf,
    build_schedule_pdf,
)
from avances.services import (
    close_disbursements,
    disburse_advance,
    record_payment,
    reschedule_advance,
    reverse_disbursement,
    reverse_payment,
    sign_contract,
)
from avances.views.common import (
    ScreensMixin,
    can_act,
    delinquency_bucket,
    next_dunning_step,
    refusal_text,
    visible_advances,
)

DETAIL_TEMPLATE = "avances/advance_detail.html"
REPAYMENT_PARTIAL = "avances/partials/_repayment.html"


def per_object_form_kwargs(prefix: str, pk: int) -> dict:
    """A form repeated once per payment or proceeding: the same field names (the URL says
    which object), distinct ids on the page."""
    return {"prefix": prefix, "auto_id": f"id_{prefix}_{pk}_%s"}


def error_summary(form) -> list[str]:
    """Every error of a refused form, for the summary at the top of the page (the form
    itself may not be shown any more: a proceeding closed, a payment reversed)."""
    summary = []
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        summary.extend(f"{label} : {error}" if label else error for error in errors)
    return summary


def get_advance(user, pk):
    queryset = (
        visible_advances(user)
        .select_related("dossier__pme__commune", "basin", "granted_by", "funding_convention")
        .with_balances()
        .with_delinquency(timezone.localdate())
    )
    return get_object_or_404(queryset, pk=pk)


def instalment_status(instalment, today: datetime.date) -> tuple[str, str]:
    """(label, Bootstrap colour) of an instalment, from what was allocated to it."""
    if instalment.remaining <= 0:
        return "Payée", "success"
    late = instalment.due_date < today
    if instalment.paid > 0:
        return ("Partielle, en retard", "danger") if late else ("Partielle", "warning")
    if late:
        return "En retard", "danger"
    return "À venir", "secondary"


def schedules_of(advance, today):
    schedules = list(
        advance.schedules.select_related("created_by")
        .prefetch_related(
            Prefetch(
                "instalments",
                queryset=Instalment.objects.with_paid().order_by("due_date", "number"),
            )
        )
        .order_by("-version")
    )
    for schedule in schedules:
        for instalment in schedule.instalments.all():
            instalment.status_label, instalment.status_colour = instalment_status(instalment, today)
    active = next((s for s in schedules if s.is_active), None)
    return active, [s for s in schedules if not s.is_active]


def disbursements_of(advance, forms):
    """Every tranche, reversed ones included (marked); the latest one still counted carries
    the form that reverses it (the service says whether it still can be)."""
    disbursements = list(
        advance.disbursements.select_related("recorded_by", "reversed_by").order_by(
            "disbursed_on", "pk"
        )
    )
    counted = [d for d in disbursements if d.reversed_at is None]
    if counted:
        latest = counted[-1]
        latest.reverse_form = forms.get(("reverse_disbursement", latest.pk)) or (
            f.ReverseDisbursementForm(**per_object_form_kwargs("annulation-versement", latest.pk))
        )
    return disbursements


def payments_of(advance):
    """Every payment, reversed ones included (marked), with its live allocations."""
    return list(
        advance.payments.select_related("recorded_by", "reversed_by")
        .prefetch_related(
            Prefetch(
                "allocations",
                queryset=Allocation.objects.live()
                .select_related("instalment__schedule")
                .order_by("instalment__schedule__version", "instalment__number"),
            )
        )
        .order_by("paid_on", "pk")
    )


def repayment_context(advance, user, forms=None) -> dict:
    """What the repayment panel shows (the page includes it; htmx returns it alone)."""
    forms = forms or {}
    today = timezone.localdate()
    active, earlier = schedules_of(advance, today)
    payments = payments_of(advance)
    for payment in payments:
        payment.reverse_form = forms.get(("reverse", payment.pk)) or f.ReversePaymentForm(
            **per_object_form_kwargs("contrepassation", payment.pk)
        )
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
    steps = list(advance.dunning_steps.select_related("recorded_by").order_by("sent_on", "pk"))
    proceedings = list(advance.proceedings.order_by("judgment_date", "pk"))
    write_offs = list(
        advance.write_offs.select_related("requested_by", "decided_by").order_by("requested_at")
    )
    pending = next((w for w in write_offs if w.status == WriteOffStatus.REQUESTED), None)
    may_decide, decide_refusal = (
        permissions.can_decide_write_off(user, pending) if pending else (False, "")
    )
    last = steps[-1] if steps else None
    in_proceedings = any(p.closed_on is None for p in proceedings)
    for proceeding in proceedings:
        proceeding.days_left = (proceeding.claim_deadline - today).days
        proceeding.claim_form = forms.get(("claim", proceeding.pk)) or f.ClaimDeclarationForm(
            **per_object_form_kwargs("declaration", proceeding.pk)
        )
        proceeding.close_form = forms.get(("close", proceeding.pk)) or f.CloseProceedingForm(
            **per_object_form_kwargs("fin-procedure", proceeding.pk)
        )
    defaults = {"from_date": today, "frequency": advance.frequency}
    disbursed = advance.disbursed
    context.update(
        title=f"Avance {advance.reference}",
        pme=advance.dossier.pme,
        dossier=advance.dossier,
        disbursements=disbursements_of(advance, forms),
        dunning_steps=steps,
        proceedings=proceedings,
        write_offs=write_offs,
        pending_write_off=pending,
        may_decide=may_decide,
        decide_refusal=decide_refusal,
        may_reschedule=permissions.can_reschedule(user, advance.basin_id)[0] and context["may_act"],
        bucket=delinquency_bucket(advance.days_late),
        next_step=next_dunning_step(
            days_late=advance.days_late,
            oldest_due_date=advance.oldest_unpaid_due_date,
            last_kind=last.kind if last else None,
            last_sent_on=last.sent_on if last else None,
            last_pay_by=last.pay_by if last else None,
            today=today,
            in_proceedings=in_proceedings,
        ),
        can_disburse=not advance.written_off_on
        and not advance.disbursements_closed_on
        and disbursed < advance.amount
        and not (
            context["active_schedule"]
            and context["active_schedule"].kind == ScheduleKind.RESCHEDULING
        ),
        is_rescheduled=any(
            s.kind == ScheduleKind.RESCHEDULING
            for s in [context["active_schedule"], *context["earlier_schedules"]]
            if s
        ),
        contract_form=forms.get("contract")
        or f.SignContractForm(initial={"contract_signed_on": advance.contract_signed_on or today}),
        disbursement_form=forms.get("disbursement")
        or f.DisbursementForm(initial={"disbursed_on": today}),
        close_form=forms.get("close")
        or f.CloseDisbursementsForm(initial={"disbursements_closed_on": today}),
        reschedule_form=forms.get("reschedule") or f.RescheduleForm(initial=defaults),
        dunning_form=forms.get("dunning") or f.DunningForm(initial={"sent_on": today}),
        proceeding_form=forms.get("proceeding") or f.ProceedingForm(),
        write_off_form=forms.get("write_off") or f.WriteOffRequestForm(),
        decision_form=forms.get("decision") or f.WriteOffDecisionForm(prefix="decision"),
        undisbursed=advance.amount - disbursed,
        zero=ZERO,
    )
    return context


class AdvanceDetailView(ScreensMixin, View):
    def get(self, request, pk):
        advance = get_advance(request.user, pk)
        return render(request, DETAIL_TEMPLATE, page_context(request, advance))


class AdvanceActionView(ScreensMixin, View, metaclass=ABCMeta):
    """POST one form to one service (see the module's docstring).

    Subclasses say which form (`form_class`, `form_key` in the page's context), which
    object the URL names (`get_target`, the advance by default) and call the service in
    `perform(form)`.
    """

    http_method_names = ["post"]
    form_class = None
    form_key = ""
    success_message = ""

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
        if form.is_valid():
            try:
                self.perform(form)
            except ValidationError as error:
                attach_errors(error, form)
            except PermissionDenied as error:
                form.add_error(None, refusal_text(error))
            else:
                return self.succeeded()
        return self.refused(form)

    def succeeded(self):
        messages.success(self.request, self.success_message)
        return redirect(reverse("avances:advance_detail", args=[self.advance.pk]))

    def refused(self, form):
        advance = get_advance(self.request.user, self.advance.pk)
        context = page_context(self.request, advance, {self.form_key: form})
        context["refusal"] = error_summary(form)
        return render(self.request, DETAIL_TEMPLATE, context)

    @abstractmethod
    def perform(self, form):
        """Call the service with the form's data."""


class SignContractView(AdvanceActionView):
    form_class = f.SignContractForm
    form_key = "contract"
    success_message = "La signature du contrat est enregistrée."

    def perform(self, form):

        sign_contract(
            advance=self.advance,
            signed_on=form.cleaned_data["contract_signed_on"],
            by=self.request.user,
        )


class DisbursementCreateView(AdvanceActionView):
    form_class = f.DisbursementForm
    form_key = "disbursement"
    success_message = "Le versement est enregistré ; l'échéancier est à jour."

    def perform(self, form):

        disburse_advance(
            advance=self.advance,
            disbursed_on=form.cleaned_data["disbursed_on"],
            amount=form.cleaned_data["amount"],
            by=self.request.user,
        )


class CloseDisbursementsView(AdvanceActionView):
    form_class = f.CloseDisbursementsForm
    form_key = "close"
    success_message = "Les versements sont clos : le solde non versé n'est plus engagé."

    def perform(self, form):

        close_disbursements(
            advance=self.advance,
            closed_on=form.cleaned_data["disbursements_closed_on"],
            by=self.request.user,
        )


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

    def refused(self, form):
        if self.is_htmx():
            return self.panel({self.form_key: form})
        return super().refused(form)


class PaymentCreateView(HtmxRepaymentMixin, AdvanceActionView):
    form_class = f.PaymentForm
    form_key = "payment"
    success_message = "Le remboursement est enregistré et imputé sur les échéances."

    def perform(self, form):

        data = form.cleaned_data
        record_payment(
            advance=self.advance,
            paid_on=data["paid_on"],
            amount=data["amount"],
            means=data["means"],
            reference=data["reference"],
            by=self.request.user,
        )


class PaymentReverseView(HtmxRepaymentMixin, AdvanceActionView):
    form_class = f.ReversePaymentForm
    success_message = "Le paiement est contrepassé ; les imputations sont recalculées."

    def advance_pk(self):
        payment = get_object_or_404(
            Payment.objects.filter(advance__in=visible_advances(self.request.user).values("pk")),
            pk=self.kwargs["pk"],
        )
        self.payment = payment
        return payment.advance_id

    @property
    def form_key(self):
        return ("reverse", self.payment.pk)

    def form_kwargs(self):
        return per_object_form_kwargs("contrepassation", self.payment.pk)

    def perform(self, form):

        reverse_payment(
            payment=self.payment, reason=form.cleaned_data["reason"], by=self.request.user
        )


class DisbursementReverseView(AdvanceActionView):
    form_class = f.ReverseDisbursementForm
    success_message = "Le versement est annulé ; l'échéancier qu'il avait établi est retiré."

    def advance_pk(self):
        self.disbursement = get_object_or_404(
            Disbursement.objects.filter(
                advance__in=visible_advances(self.request.user).values("pk")
            ),
            pk=self.kwargs["pk"],
        )
        return self.disbursement.advance_id

    @property
    def form_key(self):
        return ("reverse_disbursement", self.disbursement.pk)

    def form_kwargs(self):
        return per_object_form_kwargs("annulation-versement", self.disbursement.pk)

    def perform(self, form):

        reverse_disbursement(
            disbursement=self.disbursement,
            reason=form.cleaned_data["reason"],
            by=self.request.user,
        )


class RescheduleView(AdvanceActionView):
    form_class = f.RescheduleForm
    form_key = "reschedule"
    success_message = "L'avance est rééchelonnée : le nouvel échéancier est en vigueur."

    def perform(self, form):

        data = form.cleaned_data
        reschedule_advance(
            advance=self.advance,
            from_date=data["from_date"],
            duration_months=data["duration_months"],
            grace_months=data["grace_months"],
            frequency=data["frequency"],
            reason=data["reason"],
            by=self.request.user,
        )


class DunningCreateView(AdvanceActionView):
    form_class = f.DunningForm
    form_key = "dunning"
    success_message = "La relance est enregistrée ; sa lettre est prête à imprimer."

    def perform(self, form):

        data = form.cleaned_data
        record_dunning_step(
            advance=self.advance,
            kind=data["kind"],
            sent_on=data["sent_on"],
            comment=data["comment"],
            by=self.request.user,
        )


class ProceedingCreateView(AdvanceActionView):
    form_class = f.ProceedingForm
    form_key = "proceeding"
    success_message = "La procédure collective est enregistrée, avec son délai de déclaration."

    def perform(self, form):

        open_proceeding(advance=self.advance, by=self.request.user, **form.cleaned_data)


class ProceedingActionView(AdvanceActionView):
    def advance_pk(self):
        self.proceeding = get_object_or_404(
            CollectiveProceeding.objects.filter(
                advance__in=visible_advances(self.request.user).values("pk")
            ),
            pk=self.kwargs["pk"],
        )
        return self.proceeding.advance_id


class ClaimDeclarationView(ProceedingActionView):
    form_class = f.ClaimDeclarationForm
    success_message = "La déclaration de créance est enregistrée."

    @property
    def form_key(self):
        return ("claim", self.proceeding.pk)

    def form_kwargs(self):
        return per_object_form_kwargs("declaration", self.proceeding.pk)

    def perform(self, form):

        record_claim_declaration(
            proceeding=self.proceeding,
            declared_on=form.cleaned_data["claim_declared_on"],
            by=self.request.user,
        )


class ProceedingCloseView(ProceedingActionView):
    form_class = f.CloseProceedingForm
    success_message = "La clôture de la procédure est enregistrée."

    @property
    def form_key(self):
        return ("close", self.proceeding.pk)

    def form_kwargs(self):
        return per_object_form_kwargs("fin-procedure", self.proceeding.pk)

    def perform(self, form):

        close_proceeding(
            proceeding=self.proceeding,
            closed_on=form.cleaned_data["closed_on"],
            by=self.request.user,
        )


class WriteOffRequestView(AdvanceActionView):
    form_class = f.WriteOffRequestForm
    form_key = "write_off"
    success_message = "Le passage en perte est demandé : un(e) autre responsable le décidera."

    def perform(self, form):

        request_write_off(
            advance=self.advance, reason=form.cleaned_data["reason"], by=self.request.user
        )


class WriteOffDecisionView(AdvanceActionView):
    form_class = f.WriteOffDecisionForm
    form_key = "decision"

    def form_kwargs(self):
        return {"prefix": "decision"}

    def advance_pk(self):
        self.write_off = get_object_or_404(
            WriteOff.objects.filter(advance__in=visible_advances(self.request.user).values("pk")),
            pk=self.kwargs["pk"],
        )
        return self.write_off.advance_id

    def perform(self, form):

        data = form.cleaned_data
        if data["decision"] == f.WriteOffDecisionForm.APPROVE:
            approve_write_off(
                write_off=self.write_off, by=self.request.user, comment=data["decision_comment"]
            )
            self.success_message = "Le passage en perte est approuvé."
        else:
            reject_write_off(
                write_off=self.write_off, by=self.request.user, comment=data["decision_comment"]
            )
            self.success_message = "Le passage en perte est refusé."


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
            DunningStep.objects.filter(
                advance__in=visible_advances(request.user).values("pk")
            ).select_related("advance"),
            pk=pk,
        )
        return pdf_response(
            build_dunning_letter_pdf(step),
            pdf_filename(
                step.get_kind_display(), step.advance.reference, f"{step.sent_on:%Y-%m-%d}"
            ),
        )
