"""What every part of the demonstration data set shares.

The load runs in one transaction and can run any number of times: every object is looked
up by its natural key and written only when one of its values differs, so a second run
adds no row and no audit event. The parts read what they need through the getters below
(`get_valenciennois()`, `get_first_period()`…) rather than through module state, and
replay each action at the moment it happened (`clock_at`, `at`).
"""

from __future__ import annotations

import datetime
import functools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import timezone

from alize import services
from alize.models import Basin, Epci, Funder, ProgrammePeriod, Role, User
from alize.services.common import save_validated
from pme.models import Dossier

# Published in the README and printed by the command: demo accounts only, never production.
DEMO_PASSWORD = "alize-demo-2026"  # noqa: S105

D = datetime.date


class DemoDataError(Exception):
    """The demo cannot be loaded; the message is French and tells the operator what to do."""


# --- The keys the parts share ------------------------------------------------------------

VALENCIENNOIS = "valenciennois"
SAMBRE_AVESNOIS = "sambre-avesnois"
FIRST_PERIOD = "Première période"
RENEWAL_PERIOD = "Renouvellement"

VALENCIENNES_METROPOLE = "245901160"
PORTE_DU_HAINAUT = "200042190"
# The CC rurale de la Vallée de la Scarpe merged into the Porte du Hainaut long ago and the
# etalab data no longer knows it. 245999990 is a placeholder, not its real SIREN: Luhn-valid
# (so a stricter SIREN check would still accept it), numbered like a Nord EPCI, and absent
# from the current EPCI list.
VALLEE_DE_LA_SCARPE = "245999990"
MAUBEUGE_VAL_DE_SAMBRE = "200043396"

# The demo world stands in the autumn of 2008, when the article took stock of the first
# period: no hire or mission day is dated after this day.
SNAPSHOT_DAY = D(2008, 9, 30)


@dataclass(frozen=True)
class AccountSpec:
    email: str
    role: Role
    first_name: str
    last_name: str
    organisation: str


def _account(email: str, role: Role, first_name: str, organisation: str) -> AccountSpec:
    return AccountSpec(f"{email}@alize.demo", role, first_name, "Démo", f"{organisation} (démo)")


ACCOUNTS = (
    _account("chargee.mission", Role.STAFF, "Camille", "CCI du Valenciennois"),
    _account("responsable", Role.MANAGER, "Dominique", "CCI du Valenciennois"),
    _account("membre.comite", Role.COMMITTEE_MEMBER, "Claude", "Vallourec"),
    _account("sous-prefecture", Role.STEERING, "Sacha", "Sous-préfecture de Valenciennes"),
    _account("financeur", Role.FUNDER, "Frédérique", "CA de la Porte du Hainaut"),
    _account("admin", Role.ADMIN, "Alix", "Administration Alizé"),
    # Named coordinator of Alstom by `demo.grandes_entreprises`.
    _account("coordinateur.alstom", Role.COORDINATOR, "Corentin", "Alstom Transport"),
)


# --- Getters ----------------------------------------------------------------------------


def get_valenciennois() -> Basin:
    return Basin.objects.get(slug=VALENCIENNOIS)


def get_comparison_basin() -> Basin:
    return Basin.objects.get(slug=SAMBRE_AVESNOIS)


def get_first_period(basin: Basin | None = None) -> ProgrammePeriod:
    """The first three-year period of a basin (the Valenciennois by default)."""
    return ProgrammePeriod.objects.get(basin=basin or get_valenciennois(), name=FIRST_PERIOD)


def get_renewal_period() -> ProgrammePeriod:
    return ProgrammePeriod.objects.get(basin=get_valenciennois(), name=RENEWAL_PERIOD)


def get_funder(name: str, basin: Basin | None = None) -> Funder:
    return Funder.objects.get(basin=basin or get_valenciennois(), name=name)


def get_porte_du_hainaut_funder(basin: Basin | None = None) -> Funder:
    """The intercommunality funder the demo's funder account works for."""
    return get_funder(Epci.objects.get(siren=PORTE_DU_HAINAUT).name, basin)


def get_account(role: Role) -> User:
    email = next(account.email for account in ACCOUNTS if account.role == role)
    return User.objects.get(email=email)


def keep_demo_login(user: User, group: Group, basin: Basin) -> bool:
    """Make (or keep) `user` a demo account: the demo password, the one role `group`, the
    one `basin`; write only what differs, and say whether anything was written."""
    updated = False
    # Hashing is slow and a rehash would be a write: only reset a changed password.
    if not user.check_password(DEMO_PASSWORD):
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
        updated = True
    # set() only adds and removes the difference, so an unchanged account writes nothing.
    if set(user.groups.values_list("name", flat=True)) != {group.name}:
        user.groups.set([group])
        updated = True
    if set(user.basins.values_list("pk", flat=True)) != {basin.pk}:
        user.basins.set([basin])
        updated = True
    return updated


def index_dossiers(dossiers: Iterable[Dossier]) -> dict[tuple[str, datetime.date], Dossier]:
    """Dossiers by their natural key in the demo: their SME's SIRET, their orientation date
    (read them with `select_related("pme")`)."""
    return {(dossier.pme.siret, dossier.orientation_date): dossier for dossier in dossiers}


def find_dossier(index: dict[tuple[str, datetime.date], Dossier], spec) -> Dossier:
    """The dossier of a `demo.pme_data.DossierSpec` in `index_dossiers`, or a French error."""
    dossier = index.get((spec.company.siret, spec.oriented_on))
    if dossier is None:
        raise DemoDataError(
            f"Le dossier de démonstration de « {spec.company.name} » est introuvable : "
            "chargez d'abord les PME."
        )
    return dossier


# --- The report ---------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a run wrote, per model (verbose plural name), for the summary."""

    seen: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    # Figures a part measured once written (French sentences), printed after the counts.
    summaries: list[str] = field(default_factory=list)
    # Demo accounts a part adds to the per-role ones (the approval committee's persons):
    # (email, what they are, French), listed with the others.
    more_accounts: list[tuple[str, str]] = field(default_factory=list)

    def count(self, obj: models.Model, *, created: bool = False, updated: bool = False):
        label = str(obj._meta.verbose_name_plural)
        self.seen[label] += 1
        if created:
            self.created[label] += 1
        if updated:
            self.updated[label] += 1

    def count_tables(self, before: Counter, after: Counter) -> None:
        """Count rows measured per table before and after a part wrote them."""
        for label, number in after.items():
            self.seen[label] += number
            if number > before[label]:
                self.created[label] += number - before[label]

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def lines(self) -> list[str]:
        contents = ", ".join(f"{number} {label}" for label, number in self.seen.items())
        lines = [f"Données de démonstration : {contents}."]
        if self.changed:
            created, updated = self.created.total(), self.updated.total()
            unchanged = self.seen.total() - created - updated
            lines.append(f"Créés : {created}, mis à jour : {updated}, déjà à jour : {unchanged}.")
        else:
            lines.append("Rien à changer : les données de démonstration étaient déjà à jour.")
        lines.extend(self.summaries)
        lines.append("")
        lines.append("Comptes de démonstration :")
        accounts = [(account.email, account.role.label) for account in ACCOUNTS]
        accounts += self.more_accounts
        width_email = max(len(email) for email, _ in accounts)
        width_role = max(len(label) for _, label in accounts)
        for email, label in accounts:
            lines.append(
                f"  {email:<{width_email}}  {label:<{width_role}}  mot de passe : {DEMO_PASSWORD}"
            )
        return lines


def table_counts(counted: Iterable[tuple[type[models.Model], str | None]], basins) -> Counter:
    """Rows per model (verbose plural name), each reached from its basin by `path`; a
    model without a path counts its national rows (no basin)."""
    counts = Counter()
    for model, path in counted:
        if path is None:
            rows = model.objects.filter(basin__isnull=True)
        else:
            rows = model.objects.filter(**{f"{path}__in": basins})
        counts[str(model._meta.verbose_name_plural)] = rows.count()
    return counts


class Part:
    """What each part's loader starts from: the report, the Valenciennois and the accounts
    of its operator's staff member and manager."""

    def __init__(self, report: LoadReport):
        self.report = report
        self.basin = get_valenciennois()
        self.staff = get_account(Role.STAFF)
        self.manager = get_account(Role.MANAGER)


# --- Writing ------------------------------------------------------------------------------


def differences(obj: models.Model, values: dict[str, Any]) -> dict[str, Any]:
    """The values that differ from the object's own (foreign keys compared by key, so that
    checking one costs no query)."""
    changed = {}
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            differs = getattr(obj, model_field.attname) != (value.pk if value is not None else None)
        else:
            differs = getattr(obj, name) != value
        if differs:
            changed[name] = value
    return changed


def save_directly(obj: models.Model, values: dict[str, Any]) -> models.Model:
    """Set the values, validate and save: a record written as an import would write it."""
    return save_validated(obj, **values)


def save_referential(obj: models.Model) -> models.Model:
    return services.save_referential(instance=obj)


def upsert(
    model: type[models.Model],
    report: LoadReport,
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    create: Callable[..., models.Model] | None = None,
    save: Callable[[models.Model], models.Model] = save_referential,
) -> models.Model:
    """Find by natural key; create if missing, save only if a value differs.

    `create` receives the lookup and values as keyword arguments (a service such as
    `set_advance_cap`); by default the new object goes through `save`.
    """
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = create(**lookup, **values) if create else save(model(**lookup, **values))
        report.count(obj, created=True)
        return obj
    changed = differences(obj, values)
    for name, value in changed.items():
        setattr(obj, name, value)
    if changed:
        save(obj)
    report.count(obj, updated=bool(changed))
    return obj


@contextmanager
def about(what: str) -> Iterator[None]:
    """Turn a refusal from a service into a French message naming what was being loaded."""
    try:
        yield
    except (ValidationError, PermissionDenied) as exc:
        messages = exc.messages if isinstance(exc, ValidationError) else [str(exc)]
        raise DemoDataError(f"Impossible de charger {what} : {' '.join(messages)}") from exc


# --- The clock ------------------------------------------------------------------------------


def moment(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def workday(day: datetime.date) -> datetime.date:
    """The day itself, or the Monday after a weekend."""
    if day.weekday() >= 5:
        return day + datetime.timedelta(days=7 - day.weekday())
    return day


@contextmanager
def clock_at(when: datetime.datetime) -> Iterator[None]:
    """Run the services as if it were `when`.

    Why not create the dossiers today, then back-date them with a queryset update? The
    transition logs are append-only down to a database trigger, which would have to be
    switched off, and every back-dating would add update events to the audit trail. Here
    each action is replayed at its historical moment instead: the services run unchanged,
    stamp that moment (transition log, time in state, decision date, hire and creation
    dates), check "not in the future" against it as they did then, and write each row once
    with its final values. Only `django.utils.timezone.now` changes, inside the
    single-threaded `load_demo` command; the audit trail's own timestamps come from
    PostgreSQL and still tell when the demo was loaded.
    """
    real_now = timezone.now
    timezone.now = lambda: when
    try:
        yield
    finally:
        timezone.now = real_now


# Captured at import, before any clock is set: the field defaults that read it.
REAL_NOW = timezone.now


@functools.cache
def _now_default_fields() -> tuple[models.Field, ...]:
    return tuple(
        model_field
        for label in ("comites", "avances")
        for model in apps.get_app_config(label).get_models()
        for model_field in model._meta.concrete_fields
        if model_field.default is REAL_NOW
    )


@contextmanager
def at(when: datetime.datetime) -> Iterator[None]:
    """`clock_at`, plus the committee and advance fields whose default is `timezone.now`
    (vote, recusal, attendance and payment stamps): Django keeps the function itself as
    their default, so setting the clock alone would stamp them with today's date."""
    fields = _now_default_fields()
    saved = [(model_field, model_field.__dict__.get("_get_default")) for model_field in fields]
    for model_field in fields:
        # `Field._get_default` is a cached property: its cached value is what Django calls.
        model_field.__dict__["_get_default"] = lambda: when
    try:
        with clock_at(when):
            yield
    finally:
        for model_field, previous in saved:
            if previous is None:
                model_field.__dict__.pop("_get_default", None)
            else:
                model_field.__dict__["_get_default"] = previous
