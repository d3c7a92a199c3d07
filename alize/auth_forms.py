from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction
from django.template.loader import render_to_string


class AlizeAuthenticationForm(AuthenticationForm):
    """The sign-in form, with the email field labelled and typed as such."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class AlizePasswordResetForm(PasswordResetForm):
    """Send the reset message through Celery, once the request's transaction has committed."""

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
