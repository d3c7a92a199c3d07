"""What every app's forms are made of, written once: the submit button, the row a form's
object belongs to, the data a form hands to its service, a long text field."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms


class SubmitButtonMixin:
    """A crispy layout with one submit button saying `submit_label`."""

    submit_label = "Enregistrer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", self.submit_label))


class CrispyForm(SubmitButtonMixin, forms.Form):
    """A plain form laid out like the model forms: crispy, one submit button."""


class OwnedFormMixin:
    """A model form for a row that belongs to another (an expert to its corporation, a hire
    to its dossier): the view names the owner (`corporation=…`), which the form sets on its
    instance so that the model's rules about it show next to the fields."""

    owner_field: str

    def __init__(self, *args, **kwargs):
        owner = kwargs.pop(self.owner_field)
        super().__init__(*args, **kwargs)
        setattr(self.instance, self.owner_field, owner)

    @property
    def owner(self):
        return getattr(self.instance, self.owner_field)


class ServiceDataMixin:
    """The cleaned values a form hands to its service: those of `service_fields` it has."""

    service_fields: tuple[str, ...] = ()

    def service_data(self) -> dict:
        names = (name for name in self.service_fields if name in self.fields)
        return {name: self.cleaned_data[name] for name in names}


def text_field(
    label: str, *, max_length: int | None = None, rows: int = 3, **kwargs
) -> forms.CharField:
    """A free text of a few lines (`required=False` unless said otherwise)."""
    kwargs.setdefault("required", False)
    return forms.CharField(
        label=label, widget=forms.Textarea(attrs={"rows": rows}), max_length=max_length, **kwargs
    )
