"""A basin's revolving fund: its balances and the ledger with a running balance."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django.contrib import messages
from django.db.models import F, Sum, Window
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView, ListView

from alize.forms import attempt
from alize.models import Basin, Contribution
from avances.forms import FundEntryForm
from avances.models import FundMovement
from avances.selectors import fund_balance
from avances.services import register_contribution
from avances.views.common import ActorsMixin, ScreensMixin, can_act


class FundView(ScreensMixin, ListView):
    template_name = "avances/fund.html"
    context_object_name = "movements"
    paginate_by = 50

    def get_queryset(self):
        self.basin = get_object_or_404(
            Basin.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )
        # The running balance is a window over the whole ledger, computed before the page
        # is cut: the last line of the last page is the cash in the fund.
        return (
            FundMovement.objects.for_basin(self.basin)
            .select_related("advance__dossier__pme", "contribution__funder")
            .annotate(
                running_balance=Window(Sum("amount"), order_by=[F("on").asc(), F("pk").asc()])
            )
            .order_by("on", "pk")
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            title=f"Fonds d'avances : {self.basin.name}",
            basin=self.basin,
            balance=fund_balance(self.basin.pk),
            may_act=can_act(self.request.user, self.basin.pk),
        )
        return context


class FundEntryCreateView(ActorsMixin, FormView):
    """Record money of a contribution received into the fund (the operators of the basin)."""

    template_name = "alize/referential_form.html"
    form_class = FundEntryForm

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.basin = get_object_or_404(Basin.objects.visible_to(request.user), pk=kwargs["pk"])
            if not can_act(request.user, self.basin.pk):
                raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        contributions = (
            Contribution.objects.filter(funder__basin=self.basin, earmarked_for_advances__gt=0)
            .select_related("funder", "period")
            .order_by("period__start_date", "funder__name")
        )
        return {**super().get_form_kwargs(), "contributions": contributions}

    def get_initial(self):
        return {"on": timezone.localdate()}

    def form_valid(self, form):
        data = form.cleaned_data
        movement = attempt(
            form,
            register_contribution,
            contribution=data["contribution"],
            amount=data["amount"],
            on=data["on"],
            label=data["label"],
            by=self.request.user,
        )
        if movement is None:
            return self.form_invalid(form)
        messages.success(self.request, "L'entrée au fonds est enregistrée.")
        return redirect(reverse("avances:fund_detail", args=[self.basin.pk]))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["form"].helper = self.form_helper()
        context.update(
            title=f"Nouvelle entrée au fonds d'avances : {self.basin.name}",
            list_url_name="avances:advance_list",
            list_title="avances remboursables",
            help_text=(
                "Ce que le fonds reçoit d'une contribution ne dépasse jamais sa part fléchée "
                "vers les avances (fixée sur la fiche du financeur)."
            ),
        )
        return context

    @staticmethod
    def form_helper():
        helper = FormHelper()
        helper.add_input(Submit("submit", "Enregistrer l'entrée"))
        return helper
