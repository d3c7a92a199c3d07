"""A basin's revolving fund: its balances and the ledger with a running balance."""

from django.db.models import F, Sum, Window
from django.shortcuts import get_object_or_404
from django.views.generic import ListView

from alize.models import Basin
from avances.models import FundMovement
from avances.selectors import fund_balance
from avances.views.common import ScreensMixin


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
        )
        return context
