"""Screens of the revitalisation conventions: the page with its balance and what counts
toward it, and the forms that record a convention and the payments made under it.

A convention is the operator's business with the State: operators and administrators read
it, nobody else (a 404).
"""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.views.generic import DetailView

from alize.views.base import ScopedMixin
from grandes_entreprises import permissions, services
from grandes_entreprises.forms import ConventionForm, PaymentForm
from grandes_entreprises.models import Corporation, RevitalisationConvention
from grandes_entreprises.revitalisation import convention_progress
from grandes_entreprises.views.common import ServiceFormView


class ConventionDetailView(ScopedMixin, DetailView):
    model = RevitalisationConvention
    template_name = "grandes_entreprises/convention_detail.html"
    context_object_name = "convention"
    allowed = staticmethod(permissions.can_browse_conventions)

    def get_queryset(self):
        return super().get_queryset().select_related("corporation__basin", "created_by")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        convention = self.object
        context.update(
            progress=convention_progress(convention),
            payments=list(convention.payments.select_related("recorded_by")),
            can_manage=permissions.can_manage_conventions(
                self.request.user, convention.corporation
            ),
            breadcrumbs=[
                (reverse("grandes_entreprises:corporation_list"), "Grandes entreprises"),
                (convention.corporation.get_absolute_url(), convention.corporation.name),
            ],
        )
        return context


class ConventionCreateView(ServiceFormView):
    model = RevitalisationConvention
    form_class = ConventionForm
    allowed = staticmethod(permissions.is_operator)
    success_message = "La convention de revitalisation est enregistrée."
    help_text = (
        "Le montant dû est calculé : (emplois supprimés − salariés reclassés dans le groupe) × "
        "multiple × SMIC mensuel brut en vigueur à la date de signature. Il ne change plus "
        "ensuite, même si la table du SMIC est corrigée."
    )

    def get_target(self):
        self.corporation = get_object_or_404(
            Corporation.objects.visible_to(self.request.user).select_related("basin"),
            pk=self.kwargs["pk"],
        )
        if not permissions.can_manage_conventions(self.request.user, self.corporation):
            raise Http404
        self.title = f"Nouvelle convention de revitalisation : {self.corporation.name}"

    def form_extra_kwargs(self):
        return {"corporation": self.corporation}

    def breadcrumbs(self):
        return [
            (reverse("grandes_entreprises:corporation_list"), "Grandes entreprises"),
            (self.corporation.get_absolute_url(), self.corporation.name),
        ]

    def save(self, form):
        return services.create_convention(
            by=self.request.user, corporation=self.corporation, **form.service_data()
        )


class PaymentCreateView(ServiceFormView):
    model = RevitalisationConvention
    form_class = PaymentForm
    allowed = staticmethod(permissions.is_operator)
    success_message = "Le versement est enregistré."

    def get_target(self):
        self.convention = get_object_or_404(
            RevitalisationConvention.objects.visible_to(self.request.user).select_related(
                "corporation__basin"
            ),
            pk=self.kwargs["pk"],
        )
        if not permissions.can_manage_conventions(self.request.user, self.convention.corporation):
            raise Http404
        self.title = f"Nouveau versement : convention {self.convention.reference}"
        if self.convention.without_convention:
            self.help_text = (
                "Sans convention, l'entreprise verse sa contribution au Trésor public : "
                "le programme ne reçoit aucun versement à ce titre."
            )

    def form_extra_kwargs(self):
        return {"convention": self.convention}

    def breadcrumbs(self):
        corporation = self.convention.corporation
        return [
            (reverse("grandes_entreprises:corporation_list"), "Grandes entreprises"),
            (corporation.get_absolute_url(), corporation.name),
            (self.convention.get_absolute_url(), f"Convention {self.convention.reference}"),
        ]

    def save(self, form):
        data = form.cleaned_data
        services.record_convention_payment(
            convention=self.convention,
            by=self.request.user,
            paid_on=data["paid_on"],
            amount=data["amount"],
            comment=data["comment"],
        )
        return self.convention
