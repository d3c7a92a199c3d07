import datetime
import json
import re
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.db.models import Q, Sum

from alize.models import (
    Basin,
    Commune,
    Contribution,
    Epci,
    EpciEvent,
    Funder,
    ProgrammePeriod,
    Role,
    User,
)
from demo import referential as demo
from tests.conftest import load_demo

pytestmark = pytest.mark.django_db

DEMO_EMAILS = {
    Role.STAFF: "chargee.mission@alize.demo",
    Role.MANAGER: "responsable@alize.demo",
    Role.COMMITTEE_MEMBER: "membre.comite@alize.demo",
    Role.STEERING: "sous-prefecture@alize.demo",
    Role.FUNDER: "financeur@alize.demo",
    Role.ADMIN: "admin@alize.demo",
}


@pytest.fixture(scope="module")
def output(demo_output):
    return demo_output


@pytest.fixture
def run(output):
    """Run the command again over the loaded demo."""
    return load_demo


def row_counts() -> dict[str, int]:
    """Rows of every table the demo could touch, audit events and M2M tables included."""
    models = [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"alize", "auth", "pghistory"}
    ]
    return {model._meta.label: model.objects.count() for model in models}


def test_basins_and_their_caps(output):
    assert Basin.objects.count() == 2
    valenciennois = Basin.objects.get(slug="valenciennois")
    assert valenciennois.name == "Valenciennois"
    assert valenciennois.operator_name == "CCI du Valenciennois"
    assert valenciennois.operator_short_name == "CCIV"
    assert valenciennois.departement == "59"
    assert valenciennois.cap_on(datetime.date(2005, 7, 1)) == Decimal("15000")
    assert valenciennois.cap_on(datetime.date(2005, 6, 30)) is None
    sambre = Basin.objects.get(slug="sambre-avesnois")
    assert sambre.cap_on(datetime.date(2007, 1, 1)) == Decimal("25000")


def test_programme_periods(output):
    first = ProgrammePeriod.objects.get(basin__slug="valenciennois", start_date="2005-07-01")
    assert (first.end_date, first.target_jobs) == (datetime.date(2008, 6, 30), 400)
    renewal = ProgrammePeriod.objects.get(basin__slug="valenciennois", start_date="2008-07-01")
    assert renewal.end_date == datetime.date(2011, 6, 30)
    assert "Renouvellement" in renewal.name
    assert ProgrammePeriod.objects.filter(
        basin__slug="sambre-avesnois",
        start_date=datetime.date(2005, 7, 1),
        end_date=datetime.date(2008, 6, 30),
    ).exists()


def test_the_articles_three_intercommunalities(output):
    epcis = {
        epci.siren: (epci.kind, epci.population)
        for epci in Epci.objects.filter(basin__slug="valenciennois")
    }
    assert epcis == {
        "245901160": (Epci.Kind.CA, 350000),
        "200042190": (Epci.Kind.CA, 150000),
        demo.VALLEE_DE_LA_SCARPE: (Epci.Kind.CC, 8000),
    }
    scarpe = Epci.objects.get(siren=demo.VALLEE_DE_LA_SCARPE)
    assert "Vallée de la Scarpe" in scarpe.name
    # The placeholder SIREN of the vanished community must not be a real EPCI's.
    with (demo.ETALAB_DATA_DIR / "epci.json").open(encoding="utf-8") as stream:
        assert scarpe.siren not in {record["code"] for record in json.load(stream)}
    assert Epci.objects.filter(basin__slug="sambre-avesnois").exists()


def test_communes_are_the_real_ones(output):
    saint_amand = Commune.objects.get(insee_code="59526")
    assert (saint_amand.name, saint_amand.postcode) == ("Saint-Amand-les-Eaux", "59230")
    assert saint_amand.epci.siren == "200042190"
    valenciennes = Commune.objects.get(insee_code="59606")
    assert (valenciennes.name, valenciennes.postcode) == ("Valenciennes", "59300")
    assert valenciennes.epci.siren == "245901160"
    assert Commune.objects.get(name="Mortagne-du-Nord").epci.siren == demo.VALLEE_DE_LA_SCARPE
    for epci in Epci.objects.all():
        assert epci.communes.count() >= 3, epci
    assert not Commune.objects.filter(population__isnull=True).exists()


def test_first_period_budget_shares(output):
    period = ProgrammePeriod.objects.get(basin__slug="valenciennois", start_date="2005-07-01")
    kind = Funder.Kind
    totals = Contribution.objects.filter(period=period).aggregate(
        total=Sum("committed"),
        paid=Sum("paid"),
        local=Sum("committed", filter=Q(funder__kind=kind.LOCAL_AUTHORITY)),
        corporations=Sum("committed", filter=Q(funder__kind=kind.CORPORATION)),
        others=Sum(
            "committed", filter=Q(funder__kind__in=[kind.STATE, kind.CAISSE_DEPOTS, kind.FSE])
        ),
        porte_du_hainaut=Sum("committed", filter=Q(funder__epci__siren="200042190")),
        valenciennes_metropole=Sum("committed", filter=Q(funder__epci__siren="245901160")),
    )
    total = totals["total"]
    assert Decimal("7.5") <= 100 * totals["local"] / total <= Decimal("8.5")
    assert Decimal("49") <= 100 * totals["corporations"] / total <= Decimal("51")
    assert totals["local"] + totals["corporations"] + totals["others"] == total
    assert totals["porte_du_hainaut"] == Decimal("39000.00")
    assert totals["valenciennes_metropole"] == Decimal("45000.00")
    # The first period is over: everything committed was paid, and the budget is the sum.
    assert totals["paid"] == total
    assert period.budget == total

    corporations = Funder.objects.filter(basin__slug="valenciennois", kind=kind.CORPORATION)
    assert corporations.count() == 11
    names = " ".join(corporations.values_list("name", flat=True))
    for name in ("Toyota", "Saint-Gobain", "Alstom", "Vallourec"):
        assert name in names
    local = Funder.objects.filter(kind=kind.LOCAL_AUTHORITY)
    assert set(local.values_list("epci__siren", flat=True)) == {
        "245901160",
        "200042190",
        demo.VALLEE_DE_LA_SCARPE,
    }
    assert set(
        Funder.objects.exclude(kind__in=[kind.CORPORATION, kind.LOCAL_AUTHORITY]).values_list(
            "kind", flat=True
        )
    ) == {kind.STATE, kind.CAISSE_DEPOTS, kind.FSE}


def test_one_demo_account_per_role(output):
    valenciennois = Basin.objects.get(slug="valenciennois")
    for role, email in DEMO_EMAILS.items():
        user = User.objects.get(email=email)
        assert user.is_active
        assert user.check_password("alize-demo-2026")
        assert list(user.groups.values_list("name", flat=True)) == [role]
        assert list(user.basins.all()) == [valenciennois]
        assert user.is_superuser == user.is_staff == (role == Role.ADMIN)
        assert "émo" in user.get_full_name() + user.organisation
    funder = User.objects.get(email=DEMO_EMAILS[Role.FUNDER]).funder
    assert funder.epci.siren == "200042190"
    assert not User.objects.exclude(email=DEMO_EMAILS[Role.FUNDER]).filter(funder__isnull=False)


def test_output_lists_the_six_logins(output):
    for role, email in DEMO_EMAILS.items():
        line = rf"^  {re.escape(email)} +{re.escape(role.label)} +mot de passe : alize-demo-2026$"
        assert re.search(line, output, re.MULTILINE), email
    assert "2 bassins d'emploi" in output


def test_second_run_writes_nothing(run):
    before = row_counts()
    output = run()
    assert row_counts() == before
    assert "Rien à changer" in output


def test_second_run_restores_only_what_differs(run):
    Epci.objects.filter(siren="200042190").update(population=1)
    admin = User.objects.get(email=DEMO_EMAILS[Role.ADMIN])
    admin.set_password("autre-mot-de-passe")
    admin.save()
    admin.basins.clear()
    before = row_counts()

    output = run()

    assert Epci.objects.get(siren="200042190").population == 150000
    assert EpciEvent.objects.count() == before["alize.EpciEvent"] + 1
    assert EpciEvent.objects.latest("pgh_id").pgh_label == "update"
    admin.refresh_from_db()
    assert admin.check_password("alize-demo-2026")
    assert admin.basins.get().slug == "valenciennois"
    assert "mis à jour : 2" in output
    after = row_counts()
    changed = {label for label in before if before[label] != after[label]}
    assert changed <= {
        "alize.AuditSeal",  # each new event is sealed
        "alize.EpciEvent",
        "alize.User_basins",
        "alize.UserBasinEvent",
        "pghistory.Context",
        "pghistory.Events",
        "pghistory.MiddlewareEvents",
    }


def test_missing_node_modules_says_to_run_make_install(run, monkeypatch, tmp_path):
    monkeypatch.setattr(demo, "ETALAB_DATA_DIR", tmp_path / "absent")
    before = row_counts()
    with pytest.raises(CommandError, match="make install"):
        run()
    assert row_counts() == before


def test_refuses_outside_development_unless_forced(run, settings):
    settings.DEBUG = False
    before = row_counts()
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("load_demo", stdout=StringIO())
    assert row_counts() == before
    assert "Rien à changer" in run()
