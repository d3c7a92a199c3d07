"""The programme referential of the demonstration data set, and one account per role.

Basins, advance caps, periods, intercommunalities (with their communes, read from the
etalab referential), funders and their first-period contributions; then the demo accounts,
all on the Valenciennois, with the published demo password.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import Group

from alize import geo, services
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
from demo.base import (
    ACCOUNTS,
    DEMO_PASSWORD,
    FIRST_PERIOD,
    MAUBEUGE_VAL_DE_SAMBRE,
    PORTE_DU_HAINAUT,
    RENEWAL_PERIOD,
    SAMBRE_AVESNOIS,
    VALENCIENNES_METROPOLE,
    VALENCIENNOIS,
    VALLEE_DE_LA_SCARPE,
    D,
    DemoDataError,
    LoadReport,
    get_porte_du_hainaut_funder,
    get_valenciennois,
    keep_demo_login,
    save_referential,
    upsert,
)

__all__ = ["ETALAB_DATA_DIR", "VALLEE_DE_LA_SCARPE", "load_accounts", "load_referential"]

# The official referential's files, read by alize.geo (a test points the demo elsewhere).
ETALAB_DATA_DIR = geo.ETALAB_DATA_DIR

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
    (VALENCIENNOIS, FIRST_PERIOD, D(2005, 7, 1), D(2008, 6, 30), 400, FIRST_PERIOD_BUDGET),
    (VALENCIENNOIS, RENEWAL_PERIOD, D(2008, 7, 1), D(2011, 6, 30), None, None),
    (SAMBRE_AVESNOIS, FIRST_PERIOD, D(2005, 7, 1), D(2008, 6, 30), None, None),
)  # fmt: skip


def _read_etalab(filename: str) -> list[dict[str, Any]]:
    try:
        return geo.read_records(filename, ETALAB_DATA_DIR)
    except geo.ReferentialMissing as exc:
        raise DemoDataError(str(exc)) from exc


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
        basins[spec["slug"]] = upsert(Basin, report, lookup={"slug": spec["slug"]}, values=values)

    # A new cap goes through its service; a demo cap edited by hand is put back as it was.
    for slug, amount, valid_from in ADVANCE_CAPS:
        upsert(
            AdvanceCap,
            report,
            lookup={"basin": basins[slug], "valid_from": valid_from},
            values={"amount": amount},
            create=services.set_advance_cap,
        )

    periods = {}
    for slug, name, start_date, end_date, target_jobs, budget in PERIODS:
        periods[slug, name] = upsert(
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
        epcis[spec.siren] = upsert(
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
            upsert(
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
    renewal = periods[VALENCIENNOIS, RENEWAL_PERIOD]
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
        funder = upsert(
            Funder,
            report,
            lookup={"basin": valenciennois, "name": name},
            values=funder_values,
        )
        # Both periods are over: every commitment was paid. The funders renewed theirs for
        # the renewal at the same amounts (the article gives no other).
        for period in (first_period, renewal):
            upsert(
                Contribution,
                report,
                lookup={"funder": funder, "period": period},
                values={"committed": amount, "paid": amount},
                create=lambda **kwargs: services.save_contribution(
                    contribution=Contribution(**kwargs)
                ),
                save=lambda contribution: services.save_contribution(contribution=contribution),
            )


def load_accounts(report: LoadReport) -> None:
    """One account per role, all on the Valenciennois, with the published demo password."""
    valenciennois = get_valenciennois()
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    funder = get_porte_du_hainaut_funder(valenciennois)

    def create_user(**kwargs):
        user = User(**kwargs)
        user.set_password(DEMO_PASSWORD)
        return save_referential(user)

    for account in ACCOUNTS:
        is_admin = account.role == Role.ADMIN
        writes_before = report.created.total() + report.updated.total()
        user = upsert(
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
        updated = keep_demo_login(user, groups[account.role], valenciennois)
        # Count the account once, whether its fields, password or memberships changed.
        if updated and report.created.total() + report.updated.total() == writes_before:
            report.updated[str(User._meta.verbose_name_plural)] += 1
