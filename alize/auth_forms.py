from django import forms
from django.contrib.auth.forms import AuthenticationForm


class AlizeAuthenticationForm(AuthenticationForm):
    """The sign-in form, with the email field labelled and typed as such."""

    username = forms.EmailField(
        label="Adresse électronique",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
