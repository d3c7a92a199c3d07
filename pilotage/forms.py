"""The forms of the pilotage app: a funder's report subscription."""

from django import forms
from django.core.exceptions import ValidationError

from alize.formkit import SubmitButtonMixin
from pilotage.models import ReportSubscription


class RecipientsField(forms.CharField):
    """Addresses typed one a line (or separated by commas or semicolons)."""

    widget = forms.Textarea(attrs={"rows": 4})

    def prepare_value(self, value):
        if isinstance(value, list | tuple):
            return "\n".join(value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        for separator in (",", ";"):
            text = text.replace(separator, "\n")
        return [line.strip().lower() for line in text.splitlines() if line.strip()]

    def validate(self, value):
        # Each address is checked by the model (ReportSubscription.clean), for every writer;
        # its column's length here, where the message can name it plainly.
        if self.required and not value:
            raise ValidationError(self.error_messages["required"], code="required")
        limit = ReportSubscription._meta.get_field("recipients").base_field.max_length
        for address in value:
            if len(address) > limit:
                raise ValidationError(
                    "Une adresse électronique compte au plus %(limit)s caractères : "
                    "« %(start)s… » en compte %(length)s.",
                    code="max_length",
                    params={"limit": limit, "start": address[:40], "length": len(address)},
                )


class SubscriptionForm(SubmitButtonMixin, forms.ModelForm):
    recipients = RecipientsField(
        label="Destinataires",
        required=False,
        help_text="Une adresse électronique par ligne.",
    )

    class Meta:
        model = ReportSubscription
        fields = ["frequency", "recipients", "active"]
        help_texts = {
            "frequency": "Le rapport couvre le dernier mois, trimestre ou année achevé.",
            "active": "Décochez pour suspendre les envois sans perdre les destinataires.",
        }
