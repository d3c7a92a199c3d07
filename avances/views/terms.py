"""A basin's terms for its advances: the defaults new advances start from and the
reference rates that price them. The operators of the basin read them; its manager (and
an administrator) changes them. Another basin's people get a 404."""

from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views import View

from alize.forms import attempt
from alize.models import Basin
from avances import forms as f
from avances import permissions
from avances.models import ReferenceRate
from avances.services import add_reference_rate, fund_settings, set_default_terms
from avances.views.common import ScreensMixin


class BasinTermsView(ScreensMixin, View):
    template_name = "avances/basin_terms.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.basin = get_object_or_404(Basin.objects.visible_to(request.user), pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, pk):
        settings = fund_settings(self.basin.pk)
        terms = f.DefaultTermsForm(
            initial={
                "default_duration_months": settings.default_duration_months,
                "default_grace_months": settings.default_grace_months,
                "default_frequency": settings.default_frequency,
            }
        )
        rate = self.rate_form(initial={"valid_from": timezone.localdate()})
        return self.render(terms, rate)

    def post(self, request, pk):
        if not permissions.can_set_terms(request.user, self.basin.pk):
            raise Http404
        action = request.POST.get("action")
        terms = f.DefaultTermsForm(request.POST if action == "conditions" else None)
        rate = self.rate_form(data=request.POST if action == "taux" else None)
        form = terms if terms.is_bound else rate
        if not form.is_bound:
            messages.error(request, "Ce formulaire n'est pas reconnu : rechargez la page.")
            return redirect(reverse("avances:basin_terms", args=[self.basin.pk]))
        message = attempt(form, lambda: self.save(form)) if form.is_valid() else None
        if message is not None:
            messages.success(request, message)
            return redirect(reverse("avances:basin_terms", args=[self.basin.pk]))
        return self.render(terms, rate)

    def save(self, form) -> str:
        data = form.cleaned_data
        if isinstance(form, f.DefaultTermsForm):
            set_default_terms(
                basin=self.basin,
                duration_months=data["default_duration_months"],
                grace_months=data["default_grace_months"],
                frequency=data["default_frequency"],
                by=self.request.user,
            )
            return (
                "Les conditions par défaut sont enregistrées : "
                "elles valent pour les prochaines avances."
            )
        add_reference_rate(
            basin=None if data.get("national") else self.basin,
            valid_from=data["valid_from"],
            annual_rate_percent=data["annual_rate_percent"],
            source=data["source"],
            by=self.request.user,
        )
        return "Le taux de référence est enregistré."

    def rate_form(self, **kwargs):
        return f.ReferenceRateForm(
            national_allowed=permissions.can_set_national_rate(self.request.user), **kwargs
        )

    def render(self, terms, rate, status=200):
        rates = ReferenceRate.objects.filter(Q(basin=self.basin) | Q(basin__isnull=True)).order_by(
            "-valid_from", "basin_id"
        )
        in_force = ReferenceRate.objects.in_force_on(self.basin, timezone.localdate())
        return render(
            self.request,
            self.template_name,
            {
                "title": f"Conditions des avances : {self.basin.name}",
                "basin": self.basin,
                "rates": rates,
                "in_force": in_force,
                "may_change": permissions.can_set_terms(self.request.user, self.basin.pk),
                "terms": terms,
                "rate": rate,
            },
            status=status,
        )
