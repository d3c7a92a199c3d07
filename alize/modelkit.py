"""What the models of every app share: the shapes of fields and constraints that recur.

An app's model says what is particular to it (its names, its French messages) and takes
the shape from here, so that a rule such as "a kind is one of its choices" or "who
recorded this row" is written once.
"""

import datetime
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q, Subquery, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from phonenumber_field.modelfields import PhoneNumberField

PHONE_PATTERN = r"^\+?[0-9][0-9 .\-()]{5,22}$"


def validate_phone(value: str) -> None:
    if value and not re.match(PHONE_PATTERN, value):
        raise ValidationError(
            "Saisissez un numéro de téléphone, par exemple 03 27 51 31 31 ou +33 3 27 51 31 31.",
            code="phone",
        )


# --- Sane dates -------------------------------------------------------------------------
# Every date a user types lies in these years unless its field says otherwise (an SME's
# founding date may be much older): a typo such as 0001-01-01 or 9999-12-31 would otherwise
# be kept and counted in every period's figures.
MIN_YEAR, MAX_YEAR = 1990, 2100


@deconstructible
class YearRange:
    """Refuse a date (or a date and time) outside the years `low` to `high`, in French."""

    code = "year_range"

    def __init__(self, low: int = MIN_YEAR, high: int = MAX_YEAR):
        self.low, self.high = low, high

    @property
    def message(self) -> str:
        return f"Saisissez une date comprise entre {self.low} et {self.high}."

    def __call__(self, value) -> None:
        if value is not None and not self.low <= value.year <= self.high:
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, YearRange) and (self.low, self.high) == (other.low, other.high)


def sane_years(low: int = MIN_YEAR, high: int = MAX_YEAR) -> list:
    """The validators of a date a user types (a model or a form field)."""
    return [YearRange(low, high)]


def years_check(
    field: str, name: str, *, low: int = MIN_YEAR, high: int = MAX_YEAR, with_time: bool = False
) -> models.CheckConstraint:
    """The database's side of `sane_years`: the column stays within the years (or is
    empty). `with_time` for a date and time column, bounded in UTC."""
    if with_time:
        first = datetime.datetime(low, 1, 1, tzinfo=datetime.UTC)
        last = datetime.datetime(high + 1, 1, 1, tzinfo=datetime.UTC)
        bounds = Q(**{f"{field}__gte": first, f"{field}__lt": last})
    else:
        first, last = datetime.date(low, 1, 1), datetime.date(high, 12, 31)
        bounds = Q(**{f"{field}__gte": first, f"{field}__lte": last})
    return check(
        bounds | Q(**{f"{field}__isnull": True}),
        name,
        YearRange(low, high).message,
    )


def choice_values(choices) -> list[str]:
    """The values of a `TextChoices`, sorted: what a constraint lists."""
    return sorted(str(choice) for choice in choices)


def in_choice_order(values, choices) -> list[str]:
    """Each value once, in the order of its `TextChoices`; unknown values follow, kept so
    that validation refuses them."""
    known = [value for value in choices.values if value in values]
    return known + [value for value in dict.fromkeys(values) if value not in choices.values]


def choice_labels(values, choices) -> list[str]:
    """What the known values read in French, in their order."""
    return [choices(value).label for value in values if value in choices.values]


def tidy_choice_list(obj, field: str, choices) -> None:
    """Put the list of choices `field` of `obj` (an `ArrayField`) in order, each value once
    (a model's `clean`, before its validation)."""
    values = getattr(obj, field)
    if isinstance(values, list):
        setattr(obj, field, in_choice_order(values, choices))


def labels_of(field: str, choices) -> property:
    """A read-only property: what the list of choices `field` reads in French."""
    return property(lambda obj: choice_labels(getattr(obj, field), choices))


def between(low, high, message: str, high_message: str = "") -> list:
    """The validators of a value from `low` to `high`, each refusal with its French message
    (`message` for both ends unless `high_message` is given)."""
    return [MinValueValidator(low, message), MaxValueValidator(high, high_message or message)]


def check(condition: Q, name: str, message: str) -> models.CheckConstraint:
    """A rule the database holds for every row, and the French message it answers with."""
    return models.CheckConstraint(condition=condition, name=name, violation_error_message=message)


def unique(
    fields: list[str],
    name: str,
    message: str,
    *,
    condition: Q | None = None,
    deferrable: models.Deferrable | None = None,
) -> models.UniqueConstraint:
    """No two rows (of those `condition` picks) share the values of these fields; checked at
    the commit with `deferrable=models.Deferrable.DEFERRED` (two rows swap their values)."""
    return models.UniqueConstraint(
        fields=fields,
        condition=condition,
        deferrable=deferrable,
        name=name,
        violation_error_message=message,
    )


def known_choice(field: str, choices, name: str, message: str) -> models.CheckConstraint:
    """The database's side of a field's choices: no other value is stored."""
    return check(Q(**{f"{field}__in": choice_values(choices)}), name, message)


def field_is(field: str, *values) -> property:
    """A read-only flag: whether `field` holds one of `values` (`is_open =
    field_is("status", ItemStatus.OPEN)`), for the pages and the services to ask."""
    return property(lambda obj: getattr(obj, field) in values)


def where(**lookups):
    """A queryset method that keeps the rows matching `lookups` (`pending =
    where(status=ItemStatus.PENDING)`): a named read, written as the filter it is."""

    def method(self):
        return self.filter(**lookups)

    return method


class HasPage:
    """A row with its own page: `detail_url_name` names the URL of its detail view, which takes the
    row's id."""

    detail_url_name: str

    def get_absolute_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.pk])


def text_limit(limit: int, what: str = "Ce texte") -> list:
    """The validators of a long text: at most `limit` characters, in French."""
    return [MaxLengthValidator(limit, f"{what} tient en {limit:,} caractères.".replace(",", " "))]


def link(to, verbose_name: str, related_name: str, *, one_to_one: bool = False, **options):
    """A foreign key (a one-to-one link with `one_to_one`) to the row this one belongs to
    or records, protected unless `on_delete` says otherwise: nothing it points to vanishes
    from under it."""
    options.setdefault("on_delete", models.PROTECT)
    field = models.OneToOneField if one_to_one else models.ForeignKey
    return field(to, related_name=related_name, verbose_name=verbose_name, **options)


def optional_link(to, verbose_name: str, related_name: str, **options):
    """A `link` that may be left empty."""
    return link(to, verbose_name, related_name, null=True, blank=True, **options)


def author(verbose_name: str, related_name: str = "+", **options) -> models.ForeignKey:
    """Who wrote a row (recorded it, asked for it, decided it): a user, kept for ever."""
    return link(settings.AUTH_USER_MODEL, verbose_name, related_name, **options)


def signed(by: str, at: str, related_name: str) -> tuple[models.ForeignKey, models.DateTimeField]:
    """Who wrote a row and when: the author (`by` names them) and the moment (`at`), now
    unless the service says otherwise."""
    return author(by, related_name), models.DateTimeField(at, default=timezone.now)


def timestamps(created: str, updated: str) -> tuple[models.DateTimeField, models.DateTimeField]:
    """When a row was created and last changed (their verbose names), stamped by Django."""
    return (
        models.DateTimeField(created, auto_now_add=True),
        models.DateTimeField(updated, auto_now=True),
    )


def workflow_state(states, default, max_length: int):
    """The state of an object that moves through a workflow (`alize.workflow`), and since
    when it is in it: only `apply_transition` writes them."""
    return (
        models.CharField(
            "état", max_length=max_length, choices=states.choices, default=default, editable=False
        ),
        models.DateTimeField("dans cet état depuis", default=timezone.now, editable=False),
    )


def grouped_sum(queryset, group_by: str, column: str, **output) -> Subquery:
    """SUM(column) of a correlated queryset, as a scalar subquery (NULL when no rows)."""
    return Subquery(
        queryset.order_by().values(group_by).annotate(total=Sum(column)).values("total")[:1],
        **output,
    )


class SubqueryCount(models.Subquery):
    """How many rows a subquery returns, as an integer column (0 when none)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) AS _counted)"
    output_field = models.IntegerField()


class Contact(models.Model):
    """A person to reach at an organisation: personal data, shown to the operator only."""

    name = models.CharField("nom et prénom", max_length=150)
    role = models.CharField("fonction", max_length=120, blank=True)
    email = models.EmailField("adresse électronique", blank=True)
    # Stored in E.164 (+33327513131), typed and shown the French way (`alize.formatting`).
    phone = PhoneNumberField("téléphone", blank=True, region="FR")
    # What an earlier entry held that could not be read as a phone number, kept for staff to
    # correct (see the data migrations that moved phone numbers to E.164).
    phone_to_check = models.CharField(
        "téléphone à vérifier", max_length=25, blank=True, editable=False
    )

    class Meta:
        abstract = True
        verbose_name = "contact"
        verbose_name_plural = "contacts"

    def __str__(self):
        return f"{self.name} ({self.role})" if self.role else self.name


def track_links(app_label: str, *links) -> None:
    """Audit the rows of many-to-many tables: each (through model, event model name) pair
    gets "add" and "remove" events, like the tracked models' own changes."""
    import pghistory

    for through, name in links:
        pghistory.track(
            pghistory.InsertEvent("add"),
            pghistory.DeleteEvent("remove"),
            model_name=name,
            app_label=app_label,
        )(through)
