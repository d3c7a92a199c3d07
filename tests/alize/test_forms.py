"""Bad input on the referential forms: a French message on the form, nothing saved, no 500."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape
from pghistory.models import Events

from alize import services
from alize.forms import (
    AdvanceCapForm,
    CommuneForm,
    ContributionForm,
    EpciForm,
    EuroField,
    PeriodForm,
    parse_euros,
)
from alize.models import AdvanceCap, Commune, Contribution, Epci, ProgrammePeriod, Role
from tests.alize.factories import (
    AdvanceCapFactory,
    CommuneFactory,
    ContributionFactory,
    EpciFactory,
    FunderFactory,
    PeriodFactory,
)
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

AMOUNT_INVALID = "Saisissez un montant en euros, par exemple 15 000 ou 15 000,50."
TOO_PRECISE = "Un montant en euros compte au plus deux décimales (les centimes)."
NEGATIVE = "Un montant ne peut pas être négatif."
NOT_A_CHOICE = "Sélectionnez un choix valide. Ce choix ne fait pas partie de ceux disponibles."
NOT_NEGATIVE = "Assurez-vous que cette valeur est supérieure ou égale à 0."
INSEE_FORMAT = "Le code INSEE doit compter 5 caractères : 5 chiffres, ou 2A/2B suivi de 3 chiffres."
POSTCODE_FORMAT = "Le code postal doit compter 5 chiffres."


# --- parse_euros -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15 000", Decimal("15000")),
        ("15000,00", Decimal("15000.00")),
        ("15 000 €", Decimal("15000")),
        ("15\u202f000,50", Decimal("15000.50")),  # as Django and LibreOffice print it
        ("15\u00a0000,5\u00a0€", Decimal("15000.5")),
        ("15 000,5 EUR", Decimal("15000.5")),
        ("15 000,50 eur", Decimal("15000.50")),
        ("15'000.50", Decimal("15000.50")),  # Swiss spreadsheets
        ("  0  ", Decimal("0")),
        ("-5", Decimal("-5")),  # read here; EuroField then refuses it
        (Decimal("12.30"), Decimal("12.30")),
        (15000, Decimal("15000")),
    ],
)
def test_parse_euros_reads_french_amounts(raw, expected):
    amount = parse_euros(raw)
    assert amount == expected
    assert isinstance(amount, Decimal)
    assert str(amount) == str(expected)  # the exact Decimal, places included


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e6", AMOUNT_INVALID),
        ("abc", AMOUNT_INVALID),
        ("", AMOUNT_INVALID),
        ("NaN", AMOUNT_INVALID),
        ("Infinity", AMOUNT_INVALID),
        ("15.000,50", AMOUNT_INVALID),  # two decimal separators
        ("15,000.50", AMOUNT_INVALID),
        ("1_000", AMOUNT_INVALID),
        ("\u0661\u0662\u0663", AMOUNT_INVALID),  # Arabic-Indic digits
        ("+5", AMOUNT_INVALID),
        ("12,345", TOO_PRECISE),
        ("0,001", TOO_PRECISE),
    ],
)
def test_parse_euros_refuses_what_is_not_an_amount(raw, message):
    with pytest.raises(ValidationError) as error:
        parse_euros(raw)
    assert error.value.messages == [message]


def test_euro_field_shows_a_french_amount():
    field = EuroField()
    assert field.prepare_value(Decimal("15000.5")) == "15 000,50"
    assert field.prepare_value("15 000 abc") == "15 000 abc"  # what was typed stays
    assert EuroField(required=False).clean("") is None


def test_euro_field_may_allow_negative_amounts():
    assert EuroField(allow_negative=True).clean("-5") == Decimal("-5")
    with pytest.raises(ValidationError) as error:
        EuroField().clean("-5")
    assert error.value.messages == [NEGATIVE]


def test_euro_field_refuses_too_many_digits():
    with pytest.raises(ValidationError) as error:
        EuroField().clean("1 000 000 000 000 000")
    assert "chiffres" in error.value.messages[0]


# --- Money fields of the forms: the exact Decimal, or a French error -------------------


def cap_form(staff, raw):
    return AdvanceCapForm(data={"amount": raw, "valid_from": "2009-01-01"}, user=staff)


def contribution_form(staff, raw):
    funder = FunderFactory(basin=staff.basins.get())
    period = PeriodFactory(basin=funder.basin)
    return ContributionForm(
        data={"period": period.pk, "committed": raw, "paid": "0", "earmarked_for_advances": "0"},
        user=staff,
        funder=funder,
    )


def period_form(staff, raw):
    return PeriodForm(
        data={
            "basin": staff.basins.get().pk,
            "name": "Période",
            "start_date": "2005-07-01",
            "end_date": "2008-06-30",
            "budget": raw,
        },
        user=staff,
    )


MONEY_FORMS = [
    pytest.param(cap_form, "amount", id="plafond"),
    pytest.param(contribution_form, "committed", id="contribution"),
    pytest.param(period_form, "budget", id="budget"),
]


@pytest.mark.parametrize(("make_form", "field"), MONEY_FORMS)
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("15 000", Decimal("15000")),
        ("15000,00", Decimal("15000.00")),
        ("15 000 €", Decimal("15000")),
        ("15\u202f000,50", Decimal("15000.50")),
    ],
)
def test_money_fields_accept_french_amounts(staff, make_form, field, raw, expected):
    form = make_form(staff, raw)
    assert form.is_valid(), form.errors
    assert form.cleaned_data[field] == expected
    assert str(form.cleaned_data[field]) == str(expected)


@pytest.mark.parametrize(("make_form", "field"), MONEY_FORMS)
@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e6", AMOUNT_INVALID),
        ("abc", AMOUNT_INVALID),
        ("-5", NEGATIVE),
        ("12,345", TOO_PRECISE),
    ],
)
def test_money_fields_refuse_bad_amounts(staff, make_form, field, raw, message):
    form = make_form(staff, raw)
    assert not form.is_valid()
    assert form.errors[field] == [message]


# --- Through the screens: status 200, the French message in the page, nothing saved ------


def assert_refused(response, *messages):
    assert response.status_code == 200
    html = response.content.decode()
    for message in messages:
        assert escape(message) in html, f"message absent de la page : {message}"
    assert 'class="alert alert-danger"' in html or "is-invalid" in html


def post_refused(client, url, data, *messages):
    """POST bad input: the page comes back with the French messages and nothing is written
    (no insert, update or delete event in the audit trail, whatever the table)."""
    before = Events.objects.count()
    response = client.post(url, data)
    assert_refused(response, *messages)
    assert Events.objects.count() == before, "une saisie refusée a modifié la base"
    return response


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e6", AMOUNT_INVALID),
        ("abc", AMOUNT_INVALID),
        ("-5", NEGATIVE),
        ("12,345", TOO_PRECISE),
    ],
)
def test_bad_cap_amount_on_screen(manager_client, basin, raw, message):
    response = post_refused(
        manager_client,
        reverse("alize:advance_cap_create", args=[basin.pk]),
        {"amount": raw, "valid_from": "2009-01-01"},
        message,
    )
    assert f'value="{raw}"' in response.content.decode()  # what was typed is kept
    assert not AdvanceCap.objects.exists()


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("1e6", AMOUNT_INVALID),
        ("abc", AMOUNT_INVALID),
        ("-5", NEGATIVE),
        ("12,345", TOO_PRECISE),
    ],
)
def test_bad_contribution_amount_on_screen(staff_client, basin, raw, message):
    funder = FunderFactory(basin=basin)
    period = PeriodFactory(basin=basin)
    post_refused(
        staff_client,
        reverse("alize:contribution_create", args=[funder.pk]),
        {"period": period.pk, "committed": raw, "paid": "0", "earmarked_for_advances": "0"},
        message,
    )
    assert not Contribution.objects.exists()


def test_second_cap_for_the_same_date(manager_client, basin):
    AdvanceCapFactory(basin=basin, valid_from=datetime.date(2009, 1, 1))
    with_existing = AdvanceCap.objects.count()
    post_refused(
        manager_client,
        reverse("alize:advance_cap_create", args=[basin.pk]),
        {"amount": "25 000", "valid_from": "2009-01-01"},
        "Ce bassin a déjà un plafond en vigueur à cette date.",
    )
    assert AdvanceCap.objects.count() == with_existing


@pytest.mark.parametrize(
    ("population", "message"),
    [("-1", NOT_NEGATIVE), ("beaucoup", "Saisissez un nombre entier.")],
)
def test_bad_epci_population(staff_client, basin, population, message):
    post_refused(
        staff_client,
        reverse("alize:epci_create"),
        {
            "name": "CA X",
            "siren": "200042190",
            "kind": "CA",
            "population": population,
            "basin": basin.pk,
        },
        message,
    )
    assert not Epci.objects.exists()


def test_negative_commune_population(staff_client, basin):
    epci = EpciFactory(basin=basin)
    post_refused(
        staff_client,
        reverse("alize:commune_create"),
        {
            "name": "Denain",
            "insee_code": "59172",
            "postcode": "59220",
            "population": "-20000",
            "epci": epci.pk,
        },
        NOT_NEGATIVE,
    )
    assert not Commune.objects.exists()


@pytest.mark.parametrize(
    ("insee_code", "postcode", "messages"),
    [
        ("5960", "59300", [INSEE_FORMAT]),
        ("ABCDE", "59300", [INSEE_FORMAT]),
        ("2C123", "20000", [INSEE_FORMAT]),
        ("596060", "59300", ["Assurez-vous que cette valeur comporte au plus 5 caractères"]),
        ("59606", "5930", [POSTCODE_FORMAT]),
        ("59606", "59 300", ["Assurez-vous que cette valeur comporte au plus 5 caractères"]),
        ("59606", "ABCDE", [POSTCODE_FORMAT]),
    ],
)
def test_malformed_commune_codes(staff_client, basin, insee_code, postcode, messages):
    epci = EpciFactory(basin=basin)
    post_refused(
        staff_client,
        reverse("alize:commune_create"),
        {"name": "Valenciennes", "insee_code": insee_code, "postcode": postcode, "epci": epci.pk},
        *messages,
    )
    assert not Commune.objects.exists()


def test_corsican_insee_code_is_accepted(staff_client, basin):
    epci = EpciFactory(basin=basin)
    response = staff_client.post(
        reverse("alize:commune_create"),
        {"name": "Ajaccio", "insee_code": "2A004", "postcode": "20000", "epci": epci.pk},
    )
    assert response.status_code == 302
    assert Commune.objects.get().insee_code == "2A004"


def test_duplicate_insee_code(staff_client, basin):
    epci = EpciFactory(basin=basin)
    CommuneFactory(epci=epci, insee_code="59606")
    post_refused(
        staff_client,
        reverse("alize:commune_create"),
        {"name": "Valenciennes", "insee_code": "59606", "postcode": "59300", "epci": epci.pk},
        "Une commune porte déjà ce code INSEE.",
    )
    assert Commune.objects.count() == 1


def test_period_ending_before_it_starts(staff_client, basin):
    for end in ("2005-06-30", "2005-07-01"):
        post_refused(
            staff_client,
            reverse("alize:period_create"),
            {"basin": basin.pk, "name": "Période", "start_date": "2005-07-01", "end_date": end},
            "La fin de la période doit être postérieure à son début.",
        )
    assert not ProgrammePeriod.objects.exists()


def test_period_with_a_malformed_date(staff_client, basin):
    post_refused(
        staff_client,
        reverse("alize:period_create"),
        {"basin": basin.pk, "name": "P", "start_date": "31/02/2005", "end_date": "2008-06-30"},
        "Saisissez une date valide.",
    )
    assert not ProgrammePeriod.objects.exists()


def test_duplicate_period_name_in_a_basin(staff_client, basin):
    PeriodFactory(basin=basin, name="Première période")
    post_refused(
        staff_client,
        reverse("alize:period_create"),
        {
            "basin": basin.pk,
            "name": "Première période",
            "start_date": "2008-07-01",
            "end_date": "2011-06-30",
        },
        "Ce bassin a déjà une période de ce nom.",
    )
    assert ProgrammePeriod.objects.count() == 1


def test_period_in_a_basin_of_someone_else(staff_client, other_basin):
    post_refused(
        staff_client,
        reverse("alize:period_create"),
        {
            "basin": other_basin.pk,
            "name": "P",
            "start_date": "2005-07-01",
            "end_date": "2008-06-30",
        },
        NOT_A_CHOICE,
    )
    assert not ProgrammePeriod.objects.exists()


def test_contribution_for_a_period_of_another_basin(staff_client, basin, other_basin):
    funder = FunderFactory(basin=basin)
    foreign_period = PeriodFactory(basin=other_basin)
    post_refused(
        staff_client,
        reverse("alize:contribution_create", args=[funder.pk]),
        {
            "period": foreign_period.pk,
            "committed": "45 000",
            "paid": "0",
            "earmarked_for_advances": "0",
        },
        NOT_A_CHOICE,
    )
    assert not Contribution.objects.exists()


def test_the_service_refuses_a_period_of_another_basin(basin, other_basin):
    # The form offers only the funder's basin; the service holds the rule for any caller.
    contribution = Contribution(
        funder=FunderFactory(basin=basin),
        period=PeriodFactory(basin=other_basin),
        committed=Decimal("45000"),
    )
    with pytest.raises(ValidationError) as error:
        services.save_contribution(contribution=contribution)
    assert error.value.message_dict == {
        "period": ["Cette période appartient à un autre bassin que celui du financeur."]
    }
    assert not Contribution.objects.exists()


def test_second_contribution_of_a_funder_for_a_period(staff_client, basin):
    contribution = ContributionFactory(funder__basin=basin)
    post_refused(
        staff_client,
        reverse("alize:contribution_create", args=[contribution.funder.pk]),
        {
            "period": contribution.period.pk,
            "committed": "1 000",
            "paid": "0",
            "earmarked_for_advances": "0",
        },
        "Ce financeur a déjà une contribution pour cette période.",
    )
    assert Contribution.objects.count() == 1


def test_earmark_above_the_commitment(staff_client, basin):
    funder = FunderFactory(basin=basin)
    period = PeriodFactory(basin=basin)
    post_refused(
        staff_client,
        reverse("alize:contribution_create", args=[funder.pk]),
        {
            "period": period.pk,
            "committed": "10 000",
            "paid": "0",
            "earmarked_for_advances": "12 000",
        },
        "La part fléchée vers le fonds d'avances ne peut dépasser le montant engagé.",
    )
    assert not Contribution.objects.exists()


def test_commune_in_an_epci_of_another_basin(staff_client, staff, other_basin):
    foreign_epci = EpciFactory(basin=other_basin)
    form = CommuneForm(user=staff)
    assert foreign_epci not in form.fields["epci"].queryset
    post_refused(
        staff_client,
        reverse("alize:commune_create"),
        {"name": "Cambrai", "insee_code": "59122", "postcode": "59400", "epci": foreign_epci.pk},
        NOT_A_CHOICE,
    )
    assert not Commune.objects.exists()


def test_duplicate_siren(staff_client, basin, other_basin):
    # The SIREN is unique across basins: an EPCI belongs to one basin only.
    EpciFactory(basin=other_basin, siren="200042190")
    post_refused(
        staff_client,
        reverse("alize:epci_create"),
        {
            "name": "CA de la Porte du Hainaut",
            "siren": "200042190",
            "kind": "CA",
            "population": "150000",
            "basin": basin.pk,
        },
        "Une intercommunalité porte déjà ce SIREN.",
    )
    assert Epci.objects.count() == 1


@pytest.mark.parametrize(
    ("siren", "message"),
    [
        (
            "123456789",
            "Ce SIREN n'existe pas : sa clé de contrôle est fausse (vérifiez la saisie).",
        ),
        ("20004219", "Le SIREN doit compter 9 chiffres."),
        ("2000421AB", "Le SIREN doit compter 9 chiffres."),
    ],
)
def test_malformed_siren(staff_client, basin, siren, message):
    post_refused(
        staff_client,
        reverse("alize:epci_create"),
        {"name": "CA X", "siren": siren, "kind": "CA", "population": "1", "basin": basin.pk},
        message,
    )
    assert not Epci.objects.exists()


def test_editing_an_epci_does_not_recheck_an_unchanged_siren(staff, basin):
    # Records loaded before the check keep working; the key is checked when the SIREN changes.
    epci = EpciFactory(basin=basin, siren="200000001")
    data = {
        "name": epci.name,
        "siren": epci.siren,
        "kind": "CA",
        "population": "10",
        "basin": basin.pk,
    }
    assert EpciForm(data=data, instance=epci, user=staff).is_valid()
    data["siren"] = "200000002"
    assert not EpciForm(data=data, instance=epci, user=staff).is_valid()


def test_funder_epci_must_be_in_the_funder_basin(client, basin, other_basin):
    admin = make_user(Role.ADMIN)
    client.force_login(admin)
    foreign_epci = EpciFactory(basin=other_basin)
    post_refused(
        client,
        reverse("alize:funder_create"),
        {"name": "Agglo", "kind": "local_authority", "basin": basin.pk, "epci": foreign_epci.pk},
        "Cette intercommunalité n'appartient pas au bassin choisi.",
    )


def test_errors_are_tied_to_their_field_for_screen_readers(staff_client, basin):
    response = staff_client.post(
        reverse("alize:commune_create"),
        {"name": "Denain", "insee_code": "ABCDE", "postcode": "59220", "epci": ""},
    )
    html = response.content.decode()
    assert response.status_code == 200
    # A summary announced at once, then each message next to its labelled field.
    assert re.search(r'<div class="alert alert-danger" role="alert">.*les erreurs signalées', html)
    assert re.search(r'<label\s+for="id_insee_code"', html)
    field = re.search(r'<input [^>]*name="insee_code"[^>]*>', html).group(0)
    assert 'aria-invalid="true"' in field
    assert 'aria-describedby="id_insee_code_error"' in field
    assert re.search(r'id="id_insee_code_error".*?' + re.escape(INSEE_FORMAT), html, re.S)
    assert "Ce champ est obligatoire." in html


def test_an_error_about_several_fields_is_shown_once(manager_client, basin):
    AdvanceCapFactory(basin=basin, valid_from=datetime.date(2009, 1, 1))
    response = manager_client.post(
        reverse("alize:advance_cap_create", args=[basin.pk]),
        {"amount": "25 000", "valid_from": "2009-01-01"},
    )
    html = response.content.decode()
    assert html.count("Ce bassin a déjà un plafond en vigueur à cette date.") == 1
    assert "corrigez l&#x27;erreur signalée ci-dessous" in html
