"""The accessibility statement (déclaration d'accessibilité, RGAA 4.1.2): public, linked
from every page's footer, as article 47 of the law of 11 February 2005 requires."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.utils.decorators import method_decorator
from django.views.generic import TemplateView


@method_decorator(login_not_required, name="dispatch")
class StatementView(TemplateView):
    template_name = "alize/accessibility.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            contact_email=settings.ACCESSIBILITY_CONTACT_EMAIL,
            statement_date=settings.ACCESSIBILITY_STATEMENT_DATE,
            **kwargs,
        )
