"""The minutes (procès-verbal), their signature and their amendments; the downloads (pack,
minutes, decision letter, `.ics`); and a member's read-only page of a dossier."""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from alize.views.base import PdfView, ServiceFormMixin, cleaned
from comites import ics, permissions, services
from comites.forms import AmendmentForm
from comites.models import visible_dossiers
from comites.pdf import build_decision_letter_pdf, build_minutes_pdf, build_pack_pdf
from comites.selectors import minutes_view
from comites.views.common import session_or_404
from comites.views.sessions import SessionFormMixin
from comites.views.voting import decision_or_404


class MinutesView(TemplateView):
    template_name = "comites/minutes.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        session = session_or_404(self.request.user, self.kwargs["pk"])
        view = minutes_view(self.request.user, session)
        context.update(
            session=session,
            minutes=view.minutes,
            mv=view,
            can_sign=view.can_sign,
            amendment_form=kwargs.get("amendment_form")
            or (AmendmentForm(session=session) if view.can_amend else None),
        )
        return context


class AmendmentCreateView(SessionFormMixin, ServiceFormMixin, FormView):
    form_class = AmendmentForm
    predicate = staticmethod(permissions.can_amend_minutes)
    title = "Avenant au procès-verbal"
    success_message = "L'avenant est ajouté au procès-verbal."

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "session": self.session}

    def save(self, form):
        services.amend_minutes(
            session=self.session, **cleaned(form, "text", "item"), by=self.request.user
        )

    def get_success_url(self):
        return reverse("comites:minutes", args=[self.session.pk])


# --- Downloads ---------------------------------------------------------------------------


def _day(session) -> str:
    return f"{timezone.localtime(session.starts_at):%Y-%m-%d}"


class SessionPdfView(PdfView):
    """A document of a session, named after it: `document`, the committee, the day."""

    document = ""

    def get_object(self):
        return session_or_404(self.request.user, self.kwargs["pk"])

    def filename_parts(self, session):
        return self.document, session.committee, _day(session)


class PackPdfView(SessionPdfView):
    """The pack sent with the convocation: members reach it once the session is convened
    (`Session.objects.visible_to`)."""

    build = staticmethod(build_pack_pdf)
    document = "dossier-de-seance"


class MinutesPdfView(SessionPdfView):
    build = staticmethod(build_minutes_pdf)
    document = "proces-verbal"


class DecisionLetterView(PdfView):
    build = staticmethod(build_decision_letter_pdf)

    def get_object(self):
        return decision_or_404(self.request.user, self.kwargs["pk"])

    def filename_parts(self, decision):
        return "decision", decision.item.dossier.pme, decision.decision_date


class IcsView(View):
    def get(self, request, pk):
        session = session_or_404(request.user, pk)
        agenda = [
            f"{item.dossier.pme.name}"
            for item in session.items.select_related("dossier__pme").order_by("order")
        ]
        invitation = ics.session_invitation(session, stamp=timezone.now(), agenda=agenda)
        response = HttpResponse(
            ics.build_ics(invitation), content_type="text/calendar; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="seance-{session.pk}.ics"'
        return response


# --- A member's view of a dossier --------------------------------------------------------


class DossierView(TemplateView):
    """What a committee member reads of a dossier on their agenda: the company, the project,
    the jobs, the advance requested and the names of its documents; never the SME's
    contacts (personal data)."""

    template_name = "comites/dossier_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        dossier = get_object_or_404(
            visible_dossiers(self.request.user).select_related("pme__commune__epci__basin"),
            pk=self.kwargs["pk"],
        )
        items = (
            dossier.agenda_items.visible_to(self.request.user)
            .select_related("session__committee")
            .order_by("-session__starts_at")
        )
        context.update(
            dossier=dossier,
            pme=dossier.pme,
            items=list(items),
            documents=list(
                dossier.documents.only("title", "kind", "dossier_id").order_by("kind", "title")
            ),
        )
        return context
