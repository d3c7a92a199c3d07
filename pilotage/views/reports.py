"""Screens of the reports: the archive, a report's PDF and its progress, the funders'
subscriptions and the « Générer maintenant » button.

Who may do what (a refusal is a 404):
- read the archive: the operators (their basins' reports), the administrator (all), a
  funder's representative (its own funder's reports), the steering committee (its basins'
  programme reports);
- manage subscriptions, generate a report now, and settle a report « envoi à vérifier »
  (confirm it left, or resend it): the operators and the administrator.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import ListView, TemplateView
from django.views.generic.edit import FormView

from alize.forms import attempt, parse_id
from alize.models import Basin, Funder, ProgrammePeriod
from alize.pdf import pdf_response
from alize.views.base import act
from pilotage import reports, selectors, services
from pilotage.forms import SubscriptionForm
from pilotage.models import Report, ReportSubscription
from pilotage.permissions import can_browse_reports, can_manage_reports


class AllowedMixin:
    allowed = staticmethod(can_browse_reports)

    def dispatch(self, request, *args, **kwargs):
        if not self.allowed(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)


# --- The archive -------------------------------------------------------------------------


class ReportListView(AllowedMixin, ListView):
    template_name = "pilotage/reports/report_list.html"
    paginate_by = 25
    context_object_name = "reports"

    def get_queryset(self):
        reports_ = Report.objects.visible_to(self.request.user).with_related()
        funder = parse_id(self.request.GET.get("financeur"))
        if funder is not None:
            reports_ = reports_.filter(funder_id=funder)
        return reports_

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        manages = can_manage_reports(user)
        if manages:
            attach_deliveries_to_verify(context["reports"])
        context.update(
            manages=manages,
            # Staff read why a report failed; funders see only that it did.
            shows_errors=manages,
        )
        if manages:
            basins = list(
                Basin.objects.visible_to(user).prefetch_related(
                    Prefetch(
                        "funders",
                        queryset=Funder.objects.select_related("report_subscription").order_by(
                            "name"
                        ),
                    ),
                    Prefetch("periods", queryset=ProgrammePeriod.objects.order_by("-start_date")),
                )
            )
            for basin in basins:
                basin.has_steering_recipients = bool(reports.steering_recipients(basin))
            context["basins"] = basins
        return context


def attach_deliveries_to_verify(reports_) -> None:
    """Give each report « envoi à vérifier » its messages awaiting staff (`to_verify`), in
    one query for the page."""
    waiting = [report for report in reports_ if report.is_to_verify]
    by_key = selectors.deliveries_to_verify(waiting)
    for report in waiting:
        report.to_verify = by_key.get(report.delivery_key, [])


class ReportStatusView(AllowedMixin, TemplateView):
    """The status badge of one report: htmx polls it until the report is sent or failed."""

    template_name = "pilotage/reports/partials/_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        report = get_object_or_404(
            Report.objects.visible_to(self.request.user).with_related(), pk=self.kwargs["pk"]
        )
        manages = can_manage_reports(self.request.user)
        if manages:
            attach_deliveries_to_verify([report])
        context.update(report=report, shows_errors=manages)
        return context


class ReportDownloadView(AllowedMixin, View):
    def get(self, request, pk):
        report = get_object_or_404(Report.objects.visible_to(request.user), pk=pk)
        if not report.pdf:
            raise Http404("Ce rapport n'est pas encore construit.")
        with report.pdf.open("rb") as handle:
            return pdf_response(handle.read(), report.pdf.name.rsplit("/", 1)[-1])


# --- Generating now ------------------------------------------------------------------------


def subscription_of(funder: Funder) -> ReportSubscription | None:
    try:
        return funder.report_subscription
    except ReportSubscription.DoesNotExist:
        return None


def no_subscription_refusal(funder: Funder) -> str:
    """Why a funder's report cannot be generated now: it has no subscription saying whom
    to send it to ("" when it has one)."""
    subscription = subscription_of(funder)
    if subscription is None or not subscription.recipients:
        return (
            f"{funder} n'a pas d'abonnement aux rapports : créez-le (fréquence et "
            "destinataires) depuis « Abonnement » avant de générer son rapport."
        )
    return ""


def no_steering_refusal(basin: Basin) -> str:
    if not reports.steering_recipients(basin):
        return (
            f"Le comité de pilotage de {basin} n'a aucun membre actif : le rapport de "
            "programme n'aurait aucun destinataire."
        )
    return ""


class GenerateReportView(AllowedMixin, View):
    """POST: build and send a funder's report of its last complete period (or a basin's
    programme report of a period), in the background; the archive shows its progress."""

    allowed = staticmethod(can_manage_reports)

    def post(self, request, funder_pk=None, period_pk=None):
        user = request.user
        if funder_pk is not None:
            funder = get_object_or_404(
                Funder.objects.visible_to(user).select_related("report_subscription"),
                pk=funder_pk,
            )
            target = {"funder": funder}
            refusal = no_subscription_refusal(funder)
        else:
            period = get_object_or_404(
                ProgrammePeriod.objects.visible_to(user).select_related("basin"), pk=period_pk
            )
            target = {"period": period}
            refusal = no_steering_refusal(period.basin)
        if refusal:
            # Refused before any report is made: no failed « Aucun destinataire » in the archive.
            messages.error(request, refusal)
            return redirect("pilotage:report_list")
        try:
            report = services.request_report_now(by=user, **target)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("pilotage:report_list")
        messages.success(
            request, f"{report} : la construction et l'envoi sont lancés, suivez-les ci-dessous."
        )
        return redirect(f"{reverse('pilotage:report_list')}#rapport-{report.pk}")


# --- Settling an interrupted send ----------------------------------------------------------


class SettleReportView(AllowedMixin, View):
    """POST: staff say whether a report « envoi à vérifier » did reach its recipients
    (`confirm`: marked sent, nothing resent) or not (resent, with the same Message-ID)."""

    allowed = staticmethod(can_manage_reports)
    action = "confirm"

    def post(self, request, pk):
        report = get_object_or_404(Report.objects.visible_to(request.user).with_related(), pk=pk)
        if self.action == "confirm":
            service, success = services.confirm_report_sent, "envoi confirmé, rien n'est renvoyé."
        else:
            service, success = services.resend_report, "renvoi lancé aux destinataires concernés."
        act(request, service, report=report, by=request.user, success=f"{report} : {success}")
        return redirect(f"{reverse('pilotage:report_list')}#rapport-{report.pk}")


# --- Subscriptions -------------------------------------------------------------------------


class SubscriptionUpdateView(AllowedMixin, FormView):
    template_name = "pilotage/reports/subscription_form.html"
    form_class = SubscriptionForm
    allowed = staticmethod(can_manage_reports)

    def dispatch(self, request, *args, **kwargs):
        if can_manage_reports(request.user):
            self.funder = get_object_or_404(
                Funder.objects.visible_to(request.user).select_related("basin"),
                pk=kwargs["funder_pk"],
            )
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        subscription = ReportSubscription.objects.filter(funder=self.funder).first()
        kwargs["instance"] = subscription or ReportSubscription(funder=self.funder)
        return kwargs

    def form_valid(self, form):
        saved = attempt(
            form,
            services.save_subscription,
            subscription=form.save(commit=False),
            by=self.request.user,
        )
        if saved is None:
            return self.form_invalid(form)
        messages.success(self.request, f"Abonnement de {self.funder} enregistré.")
        return redirect("pilotage:report_list")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(funder=self.funder, title=f"Rapports de {self.funder}")
        return context
