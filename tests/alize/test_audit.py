"""The audit trail: every change of the referential is recorded, with who made it, for good."""

import datetime
import re
from decimal import Decimal

import pghistory
import pytest
from django.apps import apps
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils.html import escape
from pghistory.models import Event, Events

from alize.history import contribution_history_for, history_for
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    Role,
)
from tests.alize.factories import (
    AdvanceCapFactory,
    BasinFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
    UserFactory,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

NNBSP, NBSP = "\u202f", "\u00a0"

# Each referential model, how to make one, and a change to make to it.
TRACKED = [
    pytest.param(BasinFactory, "operator_name", "CCI Grand Hainaut", id="bassin"),
    pytest.param(AdvanceCapFactory, "amount", Decimal("25000.00"), id="plafond"),
    pytest.param(PeriodFactory, "target_jobs", 450, id="periode"),
    pytest.param(EpciFactory, "population", 158000, id="epci"),
    pytest.param(CommuneFactory, "postcode", "59230", id="commune"),
    pytest.param(FunderFactory, "name", "Diact", id="financeur"),
    pytest.param(ContributionFactory, "paid", Decimal("15000.00"), id="contribution"),
]


def events_of(model, pk) -> list:
    """The trail of one object, oldest first, read back from the database."""
    return list(Events.objects.tracks(model(pk=pk)).order_by("pgh_created_at", "pgh_id"))


@pytest.mark.parametrize(("factory", "attribute", "new_value"), TRACKED)
def test_insert_update_and_delete_are_recorded(factory, attribute, new_value):
    obj = factory()
    model, pk = type(obj), obj.pk
    old_value = getattr(obj, attribute)
    setattr(obj, attribute, new_value)
    obj.save()
    data_before_delete = events_of(model, pk)[-1].pgh_data
    obj.delete()

    trail = events_of(model, pk)
    assert [event.pgh_label for event in trail] == ["insert", "update", "delete"]
    insert, update, delete = trail
    assert insert.pgh_data["id"] == pk
    assert update.pgh_diff == {attribute: [_json(old_value), _json(new_value)]}
    # The deletion keeps the last state of the row: nothing is lost.
    assert delete.pgh_data == data_before_delete
    assert not model.objects.filter(pk=pk).exists()


def _json(value):
    """How a value comes back from the trail's JSON (numbers as numbers)."""
    return float(value) if isinstance(value, Decimal) else value


def test_bulk_update_is_recorded_row_by_row():
    basin = BasinFactory()
    epcis = [EpciFactory(basin=basin, population=1000) for _ in range(3)]
    untouched = EpciFactory(population=1000)  # another basin

    updated = Epci.objects.filter(basin=basin).update(population=F("population") + 10)

    assert updated == 3
    for epci in epcis:
        trail = events_of(Epci, epci.pk)
        assert [event.pgh_label for event in trail] == ["insert", "update"]
        assert trail[-1].pgh_diff == {"population": [1000, 1010]}
    assert [event.pgh_label for event in events_of(Epci, untouched.pk)] == ["insert"]


def test_bulk_delete_is_recorded_row_by_row():
    funder = FunderFactory()
    contributions = [
        ContributionFactory(funder=funder, period=PeriodFactory(basin=funder.basin))
        for _ in range(2)
    ]
    Contribution.objects.filter(funder=funder).delete()
    for contribution in contributions:
        assert [e.pgh_label for e in events_of(Contribution, contribution.pk)] == [
            "insert",
            "delete",
        ]


def test_raw_sql_is_recorded_too():
    # The triggers live in the database: even a change made outside Django is kept.
    period = PeriodFactory(target_jobs=400)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE alize_programmeperiod SET target_jobs = 349 WHERE id = %s",
            [period.pk],
        )
    assert events_of(ProgrammePeriod, period.pk)[-1].pgh_diff == {"target_jobs": [400, 349]}


# --- Who made the change -------------------------------------------------------------------


def test_a_change_through_a_screen_records_who_made_it(client, basin):
    staff = make_user(Role.STAFF, basin)
    staff.first_name, staff.last_name = "Sylvie", "Lemaire"
    staff.save()
    epci = EpciFactory(basin=basin, name="CA de la Porte du Hainaut", population=150000)
    client.force_login(staff)

    response = client.post(
        reverse("alize:epci_update", args=[epci.pk]),
        {
            "name": epci.name,
            "siren": epci.siren,
            "kind": epci.kind,
            "population": "158000",
            "basin": basin.pk,
        },
    )
    assert response.status_code == 302

    update = events_of(Epci, epci.pk)[-1]
    assert update.pgh_label == "update"
    assert update.pgh_context["user"] == staff.pk
    assert update.pgh_context["url"] == reverse("alize:epci_update", args=[epci.pk])

    html = client.get(epci.get_absolute_url()).content.decode()
    panel = html[html.index("Historique des modifications") :]
    assert re.search(
        r"<strong>Modification</strong> le \d\d/\d\d/\d{4} à \d\d:\d\d par Sylvie Lemaire", panel
    )
    assert f"Population : <del>150{NNBSP}000</del> → 158{NNBSP}000" in panel
    # The creation, made outside any request (by a script or the demo loader).
    assert "<strong>Création</strong>" in panel and "par Système" in panel


def test_an_advance_cap_records_its_manager(client, basin):
    manager = make_user(Role.MANAGER, basin)
    client.force_login(manager)
    client.post(
        reverse("alize:advance_cap_create", args=[basin.pk]),
        {"amount": "25 000", "valid_from": "2009-01-01"},
    )
    cap = AdvanceCap.objects.get(basin=basin)
    insert = events_of(AdvanceCap, cap.pk)[0]
    assert insert.pgh_label == "insert"
    assert insert.pgh_context["user"] == manager.pk
    entry = history_for(cap)[0]
    assert (entry.action, entry.who) == ("Création", str(manager))
    assert ("plafond (€)", None, f"25{NNBSP}000,00{NBSP}€") in entry.changes
    assert ("en vigueur à partir du", None, "01/01/2009") in entry.changes


def test_history_for_shows_values_as_pages_do():
    basin = BasinFactory(name="Valenciennois")
    other = BasinFactory(name="Sambre-Avesnois")
    period = PeriodFactory(basin=basin, budget=Decimal("300000"), target_jobs=None)
    with pghistory.context(user=None):
        ProgrammePeriod.objects.filter(pk=period.pk).update(
            basin=other, target_jobs=400, end_date=datetime.date(2009, 6, 30)
        )
    update = history_for(period)[0]
    assert update.action == "Modification"
    assert update.who == "Système"
    assert sorted(update.changes) == [
        ("bassin", "Valenciennois", "Sambre-Avesnois"),
        ("fin", "30/06/2008", "30/06/2009"),
        ("objectif d'emplois", "—", "400"),
    ]
    creation = history_for(period)[-1]
    assert ("budget prévisionnel (€)", None, f"300{NNBSP}000,00{NBSP}€") in creation.changes
    assert ("bassin", None, "Valenciennois") in creation.changes


def test_a_person_who_left_is_still_named_by_number():
    epci = EpciFactory(population=1)
    with pghistory.context(user=987654):
        Epci.objects.filter(pk=epci.pk).update(population=2)
    assert history_for(epci)[0].who == "Utilisateur n° 987654"


def test_contribution_history_on_the_funder_page(client, basin):
    staff = make_user(Role.STAFF, basin)
    funder = FunderFactory(basin=basin, name="Valenciennes Métropole")
    period = PeriodFactory(basin=basin, name="Première période")
    contribution = ContributionFactory(funder=funder, period=period, committed=Decimal("45000"))
    client.force_login(staff)
    client.post(
        reverse("alize:contribution_update", args=[contribution.pk]),
        {
            "period": period.pk,
            "committed": "45 000",
            "paid": "15 000",
            "earmarked_for_advances": "0",
        },
    )
    contribution.delete()

    entries = contribution_history_for(funder)
    assert [e.action for e in entries] == ["Suppression", "Modification", "Création"]
    assert {e.subject for e in entries} == {f"Contribution {period}"}
    assert entries[1].who == str(staff)
    assert entries[1].changes == [("montant versé (€)", f"0,00{NBSP}€", f"15{NNBSP}000,00{NBSP}€")]

    html = client.get(funder.get_absolute_url()).content.decode()
    panel = html[html.index("Historique des contributions") :]
    assert f"Contribution {escape(str(period))} : <strong>Suppression</strong>" in panel
    assert f"par {escape(str(staff))}" in panel


# --- Roles and basins: changes of access ----------------------------------------------------


def test_role_changes_are_recorded():
    user = UserFactory()
    manager = Group.objects.get(name=Role.MANAGER)
    staff = Group.objects.get(name=Role.STAFF)
    UserGroupEvent = apps.get_model("alize", "UserGroupEvent")

    with pghistory.context(user=None, reason="promotion"):
        user.groups.add(staff, manager)
        user.groups.remove(staff)
    user.groups.clear()

    trail = list(
        UserGroupEvent.objects.filter(user=user)
        .order_by("pgh_id")
        .values_list("pgh_label", "group__name")
    )
    assert trail == [
        ("add", Role.STAFF),
        ("add", Role.MANAGER),
        ("remove", Role.STAFF),
        ("remove", Role.MANAGER),
    ]
    first = UserGroupEvent.objects.filter(user=user).order_by("pgh_id").first()
    assert first.pgh_context.metadata["reason"] == "promotion"


def test_basin_memberships_are_recorded():
    user = UserFactory()
    basin = BasinFactory()
    UserBasinEvent = apps.get_model("alize", "UserBasinEvent")
    user.basins.add(basin)
    user.basins.remove(basin)
    assert list(
        UserBasinEvent.objects.filter(user=user, basin=basin)
        .order_by("pgh_id")
        .values_list("pgh_label", flat=True)
    ) == ["add", "remove"]


def test_role_change_in_the_admin_records_the_administrator(client, basin):
    admin = make_user(Role.ADMIN)
    person = make_user(Role.STAFF, basin)
    client.force_login(admin)
    response = client.post(
        reverse("admin:alize_user_change", args=[person.pk]),
        {
            "email": person.email,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "organisation": "",
            "groups": [Group.objects.get(name=Role.MANAGER).pk],
            "basins": [basin.pk],
            "is_active": "on",
            "date_joined_0": "01/01/2024",
            "date_joined_1": "00:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    UserGroupEvent = apps.get_model("alize", "UserGroupEvent")
    events = UserGroupEvent.objects.filter(user=person).order_by("pgh_id")
    changes = [(e.pgh_label, e.group.name) for e in events]
    assert changes[-2:] in (
        [("remove", Role.STAFF), ("add", Role.MANAGER)],
        [("add", Role.MANAGER), ("remove", Role.STAFF)],
    )
    assert all(e.pgh_context.metadata["user"] == admin.pk for e in events.reverse()[:2])


# --- Append-only ----------------------------------------------------------------------------


def alize_event_models():
    return [m for m in apps.get_app_config("alize").get_models() if issubclass(m, Event)]


def test_every_referential_model_is_tracked():
    tracked = {m.pgh_tracked_model for m in alize_event_models()}
    for model in (Basin, AdvanceCap, ProgrammePeriod, Epci, Commune, Funder, Contribution):
        assert model in tracked


@pytest.fixture
def one_event_of_each_kind():
    basin = BasinFactory()
    user = make_user(Role.STAFF, basin)  # user, role and basin membership events
    AdvanceCapFactory(basin=basin)
    ContributionFactory(funder__basin=basin)
    CommuneFactory(epci__basin=basin)
    return user


@pytest.mark.parametrize("operation", ["update", "delete"])
def test_event_tables_are_append_only(one_event_of_each_kind, operation):
    models = alize_event_models()
    assert len(models) >= 10
    for model in models:
        event = model.objects.order_by("pgh_id").first()
        assert event is not None, model
        with pytest.raises(DatabaseError), transaction.atomic():
            if operation == "update":
                model.objects.filter(pk=event.pk).update(pgh_label="falsifié")
            else:
                model.objects.filter(pk=event.pk).delete()
        event.refresh_from_db()
        assert event.pgh_label in {"insert", "add"}


def test_event_tables_refuse_raw_sql_too(one_event_of_each_kind):
    table = apps.get_model("alize", "EpciEvent")._meta.db_table
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608 - a table name, no user input


# --- The panel on every detail page ---------------------------------------------------------


@pytest.mark.parametrize(
    "factory",
    [BasinFactory, PeriodFactory, EpciFactory, CommuneFactory, FunderFactory],
    ids=["bassin", "periode", "epci", "commune", "financeur"],
)
def test_history_panel_on_every_detail_page(client, factory):
    obj = factory()
    basin = obj if isinstance(obj, Basin) else obj.basin
    client.force_login(make_user(Role.STAFF, basin))
    html = client.get(obj.get_absolute_url()).content.decode()
    assert '<h2 id="historique-titre" class="h5 mb-0">Historique des modifications</h2>' in html
    assert re.search(r"<strong>Création</strong> le \d\d/\d\d/\d{4} à \d\d:\d\d par Système", html)
