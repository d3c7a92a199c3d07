"""The sign-in and password-reset forms, and what throttles them.

Addresses are compared lower-cased and trimmed everywhere: by the sign-in form before
authentication, and by django-axes before it counts a failure (`AXES_USERNAME_CALLABLE`),
so that « LOCKA@ALIZE.DEMO » shares the budget of « locka@alize.demo » once it is locked.
Password reset is throttled per address and per client: past the limit the page answers
exactly as before (it never tells whether an account exists) and no message leaves.
"""

import logging

from axes.helpers import get_client_ip_address
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template.loader import render_to_string

from alize.throttle import hit

log = logging.getLogger(__name__)


def normalise_username(value) -> str:
    """The one form of a sign-in address: trimmed, lower-cased (accounts are stored so)."""
    return value.strip().lower() if isinstance(value, str) else ""


def axes_username(request, credentials=None) -> str:
    """The username django-axes counts failures under (`AXES_USERNAME_CALLABLE`): the
    normalised address, whether axes reads it from the credentials or from the form."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials and credentials.get(field) is not None:
        return normalise_username(credentials[field])
    data = getattr(request, "data", None) or getattr(request, "POST", {})
    return normalise_username(data.get(field))


class AlizeAuthenticationForm(AuthenticationForm):
    """The sign-in form, with the email field labelled and typed as such."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def clean_username(self):
        return normalise_username(self.cleaned_data["username"])


class AlizePasswordResetForm(PasswordResetForm):
    """Send the reset message through Celery, once the request's transaction has committed;
    within the limits of `PASSWORD_RESET_RATE_PER_ADDRESS` and `PASSWORD_RESET_RATE_PER_CLIENT`."""

    def clean_email(self):
        return normalise_username(self.cleaned_data["email"])

    def save(self, *args, request=None, **kwargs):
        email = self.cleaned_data["email"]
        client = get_client_ip_address(request) if request is not None else ""
        # Both counters move on every request, so that a client spreading its requests over
        # many addresses, or many clients aiming at one address, are both held back.
        by_address = hit("reset-address", email, settings.PASSWORD_RESET_RATE_PER_ADDRESS)
        by_client = hit("reset-client", client or "", settings.PASSWORD_RESET_RATE_PER_CLIENT)
        if not (by_address.allowed and by_client.allowed):
            log.warning("Password reset throttled (client %s).", client)
            return
        super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from alize.tasks import send_email

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        transaction.on_commit(
            lambda: send_email.delay(
                subject=subject, body=body, to=[to_email], from_email=from_email
            )
        )
