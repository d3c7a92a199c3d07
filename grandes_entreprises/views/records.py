"""The operator's screens of a corporation's record: the corporation itself (one local site
of a group), its contacts, its programme memberships, its coordinators and its committee
representatives.

Each page is for the operators of the corporation's basin (anyone else gets a 404, as on
the expert and daily-rate forms) and saves through one service of
`grandes_entreprises.services`, which checks again, writes in one transaction and names
the user in the audit trail.
"""

import copy

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from alize.forms import parse_id
from alize.models import Role, User
from alize.views.base import ScopedMixin, act
from grandes_entreprises import permissions, services
from grandes_entreprises.forms import (
    CorporationContactForm,
    CorporationForm,
    HolderForm,
    MembershipEndForm,
    MembershipForm,
)
from grandes_entreprises.models import Corporation, CorporationContact, Membership
from grandes_entreprises.views.common import ServiceFormView
from grandes_entreprises.views.corporations import CorporationFormMixin, CorporationRowFormView

# --- The corporation ----------------------------------------------------------------------


class CorporationCreateView(ServiceFormView):
    """A new corporation (a local site of a group) in one of the user's basins.

    `?site_de=<pk>` starts from another site of the same group: its group, sector and
    headcount are copied, the site's name is left to type.
    """

    model = Corporation
    allowed = staticmethod(permissions.is_operator)
    form_class = CorporationForm
    success_message = "La grande entreprise est enregistrée."
    title = "Nouvelle grande entreprise"
    help_text = (
        "Une fiche par site local d'un groupe : un groupe présent sur deux sites, ou dans "
        "deux bassins, a deux fiches, chacune avec ses experts et sa valeur de la journée."
    )

    def get_target(self):
        self.sibling = None
        pk = parse_id(self.request.GET.get("site_de"))
        if pk is not None:
            self.sibling = Corporation.objects.visible_to(self.request.user).filter(pk=pk).first()

    def get_initial(self):
        basins = list(self.request.user.basins.all()[:2])
        initial = {"basin": basins[0].pk} if len(basins) == 1 else {}
        if self.sibling is not None:
            initial.update(
                group_name=self.sibling.group_name,
                sector=self.sibling.sector,
                headcount=self.sibling.headcount,
                basin=self.sibling.basin_id,
            )
        return initial

    def breadcrumbs(self):
        return [(reverse("grandes_entreprises:corporation_list"), "Grandes entreprises")]

    def save(self, form):
        return services.create_corporation(by=self.request.user, data=form.service_data())


class CorporationUpdateView(CorporationFormMixin, ServiceFormView):
    form_class = CorporationForm
    success_message = "La fiche de l'entreprise est enregistrée."

    def get_target(self):
        self.corporation = self.corporation_or_404(self.kwargs["pk"])
        self.title = f"Modifier la fiche « {self.corporation.name} »"

    def get_object(self):
        # The form writes into its instance: keep the corporation as it is in the database.
        return copy.copy(self.corporation)

    def save(self, form):
        return services.update_corporation(
            corporation=self.corporation,
            by=self.request.user,
            data=form.service_data(),
            version=form.expected_version(),
        )


# --- Contacts -----------------------------------------------------------------------------


class ContactFormView(CorporationRowFormView):
    """Add a contact to a corporation (corporation_pk), or change one (pk)."""

    form_class = CorporationContactForm
    success_message = "Le contact est enregistré."
    row_model, row_keyword = CorporationContact, "contact"
    add, update = staticmethod(services.add_contact), staticmethod(services.update_contact)
    edit_title = "Modifier le contact « {row.name} »"
    new_title = "Nouveau contact : {corporation.name}"


class ContactDeleteView(CorporationFormMixin, ScopedMixin, TemplateView):
    """Ask, then delete a contact (the deletion stays in the audit trail)."""

    template_name = "grandes_entreprises/contact_confirm_delete.html"

    def dispatch(self, request, *args, **kwargs):
        if self.allowed(request.user):
            self.contact = self.corporation_row_or_404(CorporationContact, kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact=self.contact, corporation=self.corporation, breadcrumbs=self.breadcrumbs()
        )

    def post(self, request, *args, **kwargs):
        success = f"Le contact « {self.contact.name} » est supprimé."
        act(
            request, services.remove_contact, contact=self.contact, by=request.user, success=success
        )
        return redirect(self.corporation.get_absolute_url())


# --- Programme memberships ----------------------------------------------------------------


class MembershipCreateView(CorporationFormMixin, ServiceFormView):
    """The corporation joins one of its basin's programme periods."""

    form_class = MembershipForm
    success_message = "La participation au programme est enregistrée."

    def get_target(self):
        self.corporation = self.corporation_or_404(self.kwargs["pk"])
        self.title = f"Participation au programme : {self.corporation.name}"

    def form_extra_kwargs(self):
        return {"corporation": self.corporation}

    def get_initial(self):
        today = timezone.localdate()
        current = self.corporation.basin.periods.on(today).first()
        return {"period": current.pk, "joined_on": today} if current else {}

    def save(self, form):
        data = form.cleaned_data
        services.add_membership(
            corporation=self.corporation,
            period=data["period"],
            joined_on=data["joined_on"],
            left_on=data["left_on"],
            by=self.request.user,
        )
        return self.corporation


class MembershipEndView(CorporationFormMixin, ServiceFormView):
    """The corporation leaves a programme period (or its leaving date is corrected)."""

    form_class = MembershipEndForm
    success_message = "La sortie du programme est enregistrée."

    def get_target(self):
        self.membership = self.corporation_row_or_404(
            Membership, self.kwargs["pk"], related=("period",)
        )
        period = self.membership.period
        self.title = f"Sortie du programme : {self.corporation.name}"
        self.help_text = (
            f"Période « {period.name} » ({period.start_date:%d/%m/%Y} – "
            f"{period.end_date:%d/%m/%Y}), entrée le {self.membership.joined_on:%d/%m/%Y}."
        )

    def get_initial(self):
        end = self.membership.period.end_date
        return {"left_on": self.membership.left_on or min(timezone.localdate(), end)}

    def save(self, form):
        services.end_membership(
            membership=self.membership,
            left_on=form.cleaned_data["left_on"],
            by=self.request.user,
        )
        return self.corporation


# --- Coordinators and committee representatives -----------------------------------------


class HolderCreateView(CorporationFormMixin, ServiceFormView):
    """Name a person of the basin holding `role` to the corporation's `relation`."""

    form_class = HolderForm
    role: Role
    relation = ""
    label = ""

    def get_target(self):
        self.corporation = self.corporation_or_404(self.kwargs["pk"])
        self.title = f"{self.title_prefix} : {self.corporation.name}"

    def people(self):
        """Active accounts of the corporation's basin with the role, not named yet."""
        named = getattr(self.corporation, self.relation).values("pk")
        return (
            User.objects.filter(
                is_active=True, groups__name=self.role, basins=self.corporation.basin_id
            )
            .exclude(pk__in=named)
            .distinct()
            .order_by("last_name", "first_name", "email")
        )

    def form_extra_kwargs(self):
        return {"people": self.people(), "label": self.label}

    def save(self, form):
        self.service(
            corporation=self.corporation, user=form.cleaned_data["user"], by=self.request.user
        )
        return self.corporation


class CoordinatorCreateView(HolderCreateView):
    role = Role.COORDINATOR
    relation = "coordinators"
    label = "Coordinateur(trice)"
    title_prefix = "Nommer un coordinateur"
    success_message = "Le coordinateur est nommé : il voit les missions de l'entreprise."
    help_text = (
        "Les comptes proposés ont le rôle « coordinateur d'une grande entreprise » dans le "
        "bassin de l'entreprise. Un coordinateur voit les missions de l'entreprise et y saisit "
        "les jours donnés par ses experts."
    )
    service = staticmethod(services.add_coordinator)


class RepresentativeCreateView(HolderCreateView):
    role = Role.COMMITTEE_MEMBER
    relation = "committee_representatives"
    label = "Membre du comité d'agrément"
    title_prefix = "Nommer un représentant au comité d'agrément"
    success_message = "Le représentant au comité d'agrément est nommé."
    help_text = (
        "Les comptes proposés ont le rôle « membre du comité d'agrément » dans le bassin de "
        "l'entreprise. Un représentant est déporté des votes sur les dossiers qu'elle "
        "accompagne. Son mandat au comité se gère depuis la page du comité."
    )
    service = staticmethod(services.add_committee_representative)


class HolderDeleteView(CorporationFormMixin, ScopedMixin, View):
    """Remove a person from the corporation's `relation` (a button on its page)."""

    http_method_names = ["post"]
    relation = ""
    done = ""

    def post(self, request, pk: int, user_pk: int):
        corporation = self.corporation_or_404(pk)
        person = getattr(corporation, self.relation).filter(pk=user_pk).first()
        if person is None:
            raise Http404
        success = f"{person} {self.done}"
        act(
            request,
            self.service,
            corporation=corporation,
            user=person,
            by=request.user,
            success=success,
        )
        return redirect(corporation.get_absolute_url())


class CoordinatorDeleteView(HolderDeleteView):
    relation = "coordinators"
    done = "n'est plus coordinateur de l'entreprise."
    service = staticmethod(services.remove_coordinator)


class RepresentativeDeleteView(HolderDeleteView):
    relation = "committee_representatives"
    done = "ne représente plus l'entreprise au comité d'agrément."
    service = staticmethod(services.remove_committee_representative)
