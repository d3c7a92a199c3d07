"""The demonstration data set: the Valenciennes programme of the source article.

`load()` writes it in one transaction and can run any number of times: every object is
looked up by its natural key and written only when one of its values differs, so a second
run adds no row and no audit event.

Each capability adds its own part as a `load_<part>(report)` function called from `load()`
in dependency order (referential, then accounts, then SMEs, corporations, committees,
advances…), and reads what it needs through the getters below (`get_valenciennois()`,
`get_first_period()`…) rather than through module state.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TextIO

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import models, transaction

from alize import services
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
    User,
)

# Published in the README and printed by the command: demo accounts only, never production.
DEMO_PASSWORD = "alize-demo-2026"  # noqa: S105

ETALAB_DATA_DIR = settings.NODE_MODULES / "@etalab" / "decoupage-administratif" / "data"


class DemoDataError(Exception):
    """The demo cannot be loaded; the message is French and tells the operator what to do."""


# --- The data --------------------------------------------------------------------------

VALENCIENNOIS = "valenciennois"
SAMBRE_AVESNOIS = "sambre-avesnois"
FIRST_PERIOD = "Première période"
RENEWAL_PERIOD = "Renouvellement"

BASINS = (
    {
        "slug": VALENCIENNOIS,
        "name": "Valenciennois",
        "operator_name": "CCI du Valenciennois",
        "operator_short_name": "CCIV",
        "departement": "59",
    },
    {
        "slug": SAMBRE_AVESNOIS,
        "name": "Sambre-Avesnois",
        "operator_name": "CCI Grand Hainaut",
        "operator_short_name": "CCIGH",
        "departement": "59",
    },
)

# (basin slug, amount, valid from): the article's 15 000 € against 25 000 € elsewhere.
ADVANCE_CAPS = (
    (VALENCIENNOIS, Decimal("15000.00"), datetime.date(2005, 7, 1)),
    (SAMBRE_AVESNOIS, Decimal("25000.00"), datetime.date(2005, 7, 1)),
)

VALENCIENNES_METROPOLE = "245901160"
PORTE_DU_HAINAUT = "200042190"
# The CC rurale de la Vallée de la Scarpe merged into the Porte du Hainaut long ago and the
# etalab data no longer knows it. 245999990 is a placeholder, not its real SIREN: Luhn-valid
# (so a stricter SIREN check would still accept it), numbered like a Nord EPCI, and absent
# from the current EPCI list.
VALLEE_DE_LA_SCARPE = "245999990"
MAUBEUGE_VAL_DE_SAMBRE = "200043396"


@dataclass(frozen=True)
class EpciSpec:
    siren: str
    name: str
    kind: str
    basin: str
    # The article's population; None takes today's from the etalab EPCI list.
    population: int | None
    # INSEE codes of member communes, read from the etalab commune list.
    communes: tuple[str, ...]


EPCIS = (
    EpciSpec(
        VALENCIENNES_METROPOLE,
        "CA Valenciennes Métropole",
        Epci.Kind.CA,
        VALENCIENNOIS,
        350_000,
        # Valenciennes, Anzin, Marly, Saint-Saulve
        ("59606", "59014", "59383", "59544"),
    ),
    EpciSpec(
        PORTE_DU_HAINAUT,
        "CA de la Porte du Hainaut",
        Epci.Kind.CA,
        VALENCIENNOIS,
        150_000,
        # Saint-Amand-les-Eaux, Denain, Raismes, Wallers
        ("59526", "59172", "59491", "59632"),
    ),
    EpciSpec(
        VALLEE_DE_LA_SCARPE,
        "CC rurale de la Vallée de la Scarpe",
        Epci.Kind.CC,
        VALENCIENNOIS,
        8_000,
        # Mortagne-du-Nord, Flines-lès-Mortagne, Château-l'Abbaye, Thun-Saint-Amand
        ("59418", "59238", "59144", "59594"),
    ),
    EpciSpec(
        MAUBEUGE_VAL_DE_SAMBRE,
        "CA Maubeuge Val de Sambre",
        Epci.Kind.CA,
        SAMBRE_AVESNOIS,
        None,
        # Maubeuge, Hautmont, Jeumont, Louvroil
        ("59392", "59291", "59324", "59365"),
    ),
)

# The eleven partner corporations of the first period fund half of its budget.
CORPORATIONS = (
    ("Toyota Motor Manufacturing France", Decimal("55000.00")),
    ("Saint-Gobain", Decimal("55000.00")),
    ("Alstom Transport", Decimal("55000.00")),
    ("Vallourec", Decimal("55000.00")),
    ("PSA Peugeot Citroën", Decimal("55000.00")),
    ("Bombardier Transport", Decimal("45000.00")),
    ("ArcelorMittal", Decimal("45000.00")),
    ("EDF", Decimal("45000.00")),
    ("Veolia Environnement", Decimal("45000.00")),
    ("Crédit Agricole Nord de France", Decimal("45000.00")),
    ("La Poste", Decimal("45000.00")),
)

# The three intercommunalities fund about 8 % (the article gives the first two amounts).
LOCAL_AUTHORITIES = (
    (PORTE_DU_HAINAUT, Decimal("39000.00")),
    (VALENCIENNES_METROPOLE, Decimal("45000.00")),
    (VALLEE_DE_LA_SCARPE, Decimal("3000.00")),
)

PUBLIC_FUNDERS = (
    ("Diact", Funder.Kind.STATE, Decimal("200000.00")),
    ("Caisse des dépôts", Funder.Kind.CAISSE_DEPOTS, Decimal("120000.00")),
    ("Fonds social européen", Funder.Kind.FSE, Decimal("138000.00")),
)


# The first Valenciennes budget is what its funders committed: 1 090 000 €.
FIRST_PERIOD_BUDGET = (
    sum(amount for _, amount in CORPORATIONS)
    + sum(amount for _, amount in LOCAL_AUTHORITIES)
    + sum(amount for _, _, amount in PUBLIC_FUNDERS)
)

# (basin slug, name, start, end, target jobs, budget)
PERIODS = (
    (
        VALENCIENNOIS,
        FIRST_PERIOD,
        datetime.date(2005, 7, 1),
        datetime.date(2008, 6, 30),
        400,
        FIRST_PERIOD_BUDGET,
    ),
    (
        VALENCIENNOIS,
        RENEWAL_PERIOD,
        datetime.date(2008, 7, 1),
        datetime.date(2011, 6, 30),
        None,
        None,
    ),
    (
        SAMBRE_AVESNOIS,
        FIRST_PERIOD,
        datetime.date(2005, 7, 1),
        datetime.date(2008, 6, 30),
        None,
        None,
    ),
)


@dataclass(frozen=True)
class AccountSpec:
    email: str
    role: Role
    first_name: str
    last_name: str
    organisation: str


ACCOUNTS = (
    AccountSpec(
        "chargee.mission@alize.demo",
        Role.STAFF,
        "Camille",
        "Démo",
        "CCI du Valenciennois (démo)",
    ),
    AccountSpec(
        "responsable@alize.demo",
        Role.MANAGER,
        "Dominique",
        "Démo",
        "CCI du Valenciennois (démo)",
    ),
    AccountSpec(
        "membre.comite@alize.demo",
        Role.COMMITTEE_MEMBER,
        "Claude",
        "Démo",
        "Vallourec (démo)",
    ),
    AccountSpec(
        "sous-prefecture@alize.demo",
        Role.STEERING,
        "Sacha",
        "Démo",
        "Sous-préfecture de Valenciennes (démo)",
    ),
    AccountSpec(
        "financeur@alize.demo",
        Role.FUNDER,
        "Frédérique",
        "Démo",
        "CA de la Porte du Hainaut (démo)",
    ),
    AccountSpec(
        "admin@alize.demo",
        Role.ADMIN,
        "Alix",
        "Démo",
        "Administration Alizé (démo)",
    ),
    # Named coordinator of Alstom by `grandes_entreprises.demo`.
    AccountSpec(
        "coordinateur.alstom@alize.demo",
        Role.COORDINATOR,
        "Corentin",
        "Démo",
        "Alstom Transport (démo)",
    ),
)


# --- Getters for the parts that build on the referential --------------------------------


def get_valenciennois() -> Basin:
    return Basin.objects.get(slug=VALENCIENNOIS)


def get_comparison_basin() -> Basin:
    return Basin.objects.get(slug=SAMBRE_AVESNOIS)


def get_first_period(basin: Basin | None = None) -> ProgrammePeriod:
    """The first three-year period of a basin (the Valenciennois by default)."""
    return ProgrammePeriod.objects.get(basin=basin or get_valenciennois(), name=FIRST_PERIOD)


def get_renewal_period() -> ProgrammePeriod:
    return ProgrammePeriod.objects.get(basin=get_valenciennois(), name=RENEWAL_PERIOD)


def get_epci(siren: str) -> Epci:
    return Epci.objects.get(siren=siren)


def get_funder(name: str, basin: Basin | None = None) -> Funder:
    return Funder.objects.get(basin=basin or get_valenciennois(), name=name)


def get_account(role: Role) -> User:
    email = next(account.email for account in ACCOUNTS if account.role == role)
    return User.objects.get(email=email)


# --- Writing -----------------------------------------------------------------------------


@dataclass
class LoadReport:
    """What a run wrote, per model (verbose plural name), for the summary."""

    seen: Counter = field(default_factory=Counter)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    # Figures a part measured once written (French sentences), printed after the counts.
    summaries: list[str] = field(default_factory=list)

    def count(self, obj: models.Model, *, created: bool = False, updated: bool = False):
        label = str(obj._meta.verbose_name_plural)
        self.seen[label] += 1
        if created:
            self.created[label] += 1
        if updated:
            self.updated[label] += 1

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
        width_email = max(len(account.email) for account in ACCOUNTS)
        width_role = max(len(account.role.label) for account in ACCOUNTS)
        for account in ACCOUNTS:
            lines.append(
                f"  {account.email:<{width_email}}  {account.role.label:<{width_role}}"
                f"  mot de passe : {DEMO_PASSWORD}"
            )
        return lines


def _apply(obj: models.Model, values: dict[str, Any]) -> bool:
    """Set on `obj` the values that differ from its own; True when any did."""
    changed = False
    for name, value in values.items():
        model_field = obj._meta.get_field(name)
        if model_field.is_relation:
            # Compare keys, so that checking a foreign key costs no query.
            current = getattr(obj, model_field.attname)
            wanted = value.pk if value is not None else None
        else:
            current = getattr(obj, name)
            wanted = value
        if current != wanted:
            setattr(obj, name, value)
            changed = True
    return changed


def _save_referential(obj: models.Model) -> models.Model:
    return services.save_referential(instance=obj)


def _upsert(
    model: type[models.Model],
    report: LoadReport,
    *,
    lookup: dict[str, Any],
    values: dict[str, Any],
    create: Callable[..., models.Model] | None = None,
    save: Callable[[models.Model], models.Model] = _save_referential,
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
    updated = _apply(obj, values)
    if updated:
        save(obj)
    report.count(obj, updated=updated)
    return obj


def _read_etalab(filename: str) -> list[dict[str, Any]]:
    path = ETALAB_DATA_DIR / filename
    try:
        with path.open(encoding="utf-8") as stream:
            return json.load(stream)
    except FileNotFoundError as exc:
        raise DemoDataError(
            f"Le référentiel des communes et intercommunalités est introuvable ({path}). "
            "Installez les dépendances avec « make install », puis relancez la commande."
        ) from exc


def _etalab_records(filename: str, codes: set[str], **only: str) -> dict[str, dict[str, Any]]:
    """The records of `filename` with the given codes (and field values), by code."""
    records = {
        record["code"]: record
        for record in _read_etalab(filename)
        if record["code"] in codes and all(record.get(k) == v for k, v in only.items())
    }
    missing = sorted(codes - records.keys())
    if missing:
        raise DemoDataError(
            f"Codes absents du référentiel etalab ({filename}) : {', '.join(missing)}. "
            "Vérifiez la version du paquet @etalab/decoupage-administratif."
        )
    return records


def load_referential(report: LoadReport) -> None:
    """Basins, caps, periods, intercommunalities, communes, funders and contributions."""
    communes = _etalab_records(
        "communes.json",
        {code for spec in EPCIS for code in spec.communes},
        type="commune-actuelle",
    )
    epci_populations = {
        code: record["populationMunicipale"]
        for code, record in _etalab_records(
            "epci.json", {spec.siren for spec in EPCIS if spec.population is None}
        ).items()
    }

    basins = {}
    for spec in BASINS:
        values = {key: value for key, value in spec.items() if key != "slug"}
        basins[spec["slug"]] = _upsert(Basin, report, lookup={"slug": spec["slug"]}, values=values)

    # A new cap goes through its service; a demo cap edited by hand is put back as it was.
    for slug, amount, valid_from in ADVANCE_CAPS:
        _upsert(
            AdvanceCap,
            report,
            lookup={"basin": basins[slug], "valid_from": valid_from},
            values={"amount": amount},
            create=services.set_advance_cap,
        )

    periods = {}
    for slug, name, start_date, end_date, target_jobs, budget in PERIODS:
        periods[slug, name] = _upsert(
            ProgrammePeriod,
            report,
            lookup={"basin": basins[slug], "name": name},
            values={
                "start_date": start_date,
                "end_date": end_date,
                "target_jobs": target_jobs,
                "budget": budget,
            },
        )

    epcis = {}
    for spec in EPCIS:
        epcis[spec.siren] = _upsert(
            Epci,
            report,
            lookup={"siren": spec.siren},
            values={
                "name": spec.name,
                "kind": spec.kind,
                "population": spec.population or epci_populations[spec.siren],
                "basin": basins[spec.basin],
            },
        )

    for spec in EPCIS:
        for code in spec.communes:
            record = communes[code]
            _upsert(
                Commune,
                report,
                lookup={"insee_code": code},
                values={
                    "name": record["nom"],
                    "postcode": record["codesPostaux"][0],
                    "population": record.get("population"),
                    "epci": epcis[spec.siren],
                },
            )

    valenciennois = basins[VALENCIENNOIS]
    first_period = periods[VALENCIENNOIS, FIRST_PERIOD]
    funding = [
        ({"name": name, "kind": Funder.Kind.CORPORATION, "epci": None}, amount)
        for name, amount in CORPORATIONS
    ]
    funding += [
        (
            {"name": epcis[siren].name, "kind": Funder.Kind.LOCAL_AUTHORITY, "epci": epcis[siren]},
            amount,
        )
        for siren, amount in LOCAL_AUTHORITIES
    ]
    funding += [
        ({"name": name, "kind": kind, "epci": None}, amount)
        for name, kind, amount in PUBLIC_FUNDERS
    ]
    for funder_values, amount in funding:
        name = funder_values.pop("name")
        funder = _upsert(
            Funder,
            report,
            lookup={"basin": valenciennois, "name": name},
            values=funder_values,
        )
        # The first period is over: every commitment was paid.
        _upsert(
            Contribution,
            report,
            lookup={"funder": funder, "period": first_period},
            values={"committed": amount, "paid": amount},
            create=lambda **kwargs: services.save_contribution(contribution=Contribution(**kwargs)),
            save=lambda contribution: services.save_contribution(contribution=contribution),
        )


def load_accounts(report: LoadReport) -> None:
    """One account per role, all on the Valenciennois, with the published demo password."""
    valenciennois = get_valenciennois()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    funder = get_funder(Epci.objects.get(siren=PORTE_DU_HAINAUT).name, valenciennois)

    def create_user(**kwargs):
        user = User(**kwargs)
        user.set_password(DEMO_PASSWORD)
        return _save_referential(user)

    for account in ACCOUNTS:
        is_admin = account.role == Role.ADMIN
        writes_before = report.created.total() + report.updated.total()
        user = _upsert(
            User,
            report,
            lookup={"email": account.email},
            values={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "organisation": account.organisation,
                "is_active": True,
                "is_staff": is_admin,
                "is_superuser": is_admin,
                "funder": funder if account.role == Role.FUNDER else None,
            },
            create=create_user,
        )
        updated = False
        # Hashing is slow and a rehash would be a write: only reset a changed password.
        if not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            updated = True
        # set() only adds and removes the difference, so an unchanged account writes nothing.
        if set(user.groups.values_list("name", flat=True)) != {account.role}:
            user.groups.set([groups[account.role]])
            updated = True
        if set(user.basins.values_list("pk", flat=True)) != {valenciennois.pk}:
            user.basins.set([valenciennois])
            updated = True
        # Count the account once, whether its fields, password or memberships changed.
        if updated and report.created.total() + report.updated.total() == writes_before:
            report.updated[str(User._meta.verbose_name_plural)] += 1


def load(stdout: TextIO | None = None) -> LoadReport:
    """Write the whole demo data set in one transaction; print a summary to `stdout`."""
    report = LoadReport()
    # No enclosing pghistory context: nested contexts merge into the outer one, which would
    # credit every event to the last user a service named. Each service names its own user.
    with transaction.atomic():
        load_referential(report)
        load_accounts(report)
        # Imported here: the apps built on the referential import this module's getters.
        from grandes_entreprises.demo import load_corporations
        from pme.demo import load_pmes

        load_pmes(report)
        load_corporations(report)
        from avances.demo import load_advances
        from comites.demo import load_committees

        load_committees(report)
        load_advances(report)
        from pilotage.demo import load_report_subscriptions

        load_report_subscriptions(report)
    if stdout is not None:
        for line in report.lines():
            stdout.write(f"{line}\n")
    return report
