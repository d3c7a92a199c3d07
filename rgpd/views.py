"""The GDPR's pages: a contact's rights (access as JSON or PDF, erasure on request), for the
operators of its SME's basin; the register of processing activities, for the administrator.
What someone may not see answers 404."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.utils.http import content_disposition_header
from django.views import View
from django.views.generic import TemplateView

from alize.models import Role
from alize.pdf import pdf_filename, pdf_response
from rgpd import register, services
from rgpd.models import Redaction
from rgpd.pdf import contact_pdf
from rgpd.selectors import contact_for, contact_record


class ContactMixin:
    """The contact of the URL, for the operators of its basin; a 404 for anyone else."""

    def dispatch(self, request, *args, **kwargs):
        self.contact = contact_for(request.user, kwargs["pk"])
        if self.contact is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class ContactRightsView(ContactMixin, TemplateView):
    template_name = "rgpd/contact_rights.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact=self.contact,
            record=contact_record(self.contact),
            refusal=services.erasure_refusal(self.contact),
            **kwargs,
        )


class ContactExportJsonView(ContactMixin, View):
    def get(self, request, *args, **kwargs):
        body = json.dumps(contact_record(self.contact), ensure_ascii=False, indent=2)
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        filename = f"donnees-contact-{self.contact.pk}.json"
        response["Content-Disposition"] = content_disposition_header(True, filename)
        return response


class ContactExportPdfView(ContactMixin, View):
    def get(self, request, *args, **kwargs):
        pdf = contact_pdf(contact_record(self.contact))
        return pdf_response(pdf, pdf_filename("donnees-contact", str(self.contact.pk)))


class ContactEraseView(ContactMixin, View):
    """Erase on request (POST): done, or refused with the legal reason."""

    def post(self, request, *args, **kwargs):
        pme = self.contact.pme
        try:
            services.erase_contact(contact=self.contact, by=request.user)
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
            return redirect("rgpd:contact_rights", pk=self.contact.pk)
        messages.success(
            request, "Le contact est effacé, et ses données caviardées du journal d'audit."
        )
        return redirect(pme.get_absolute_url())


class RegisterView(TemplateView):
    """Registre des activités de traitement: the administrator only."""

    template_name = "rgpd/register.html"

    def dispatch(self, request, *args, **kwargs):
        if not (request.user.is_authenticated and request.user.has_role(Role.ADMIN)):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            activities=register.activities(),
            retentions=services.policy.RETENTIONS,
            applies=services.policy.applies(),
            redactions=Redaction.objects.select_related("by")[:50],
            **kwargs,
        )
