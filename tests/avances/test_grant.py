"""Granting an advance: the cap, the amount requested, the terms, the fund, the rights."""

import datetime
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from alize.formatting import euros
from alize.models import Role
from alize.services import set_advance_cap
from avances.models import Advance, Frequency
from avances.selectors import fund_balance
from avances.services import fund_settings
from avances.services.grant import grant_advance
from grandes_entreprises.revitalisation import convention_progress
from tests.avances.conftest import approved_dossier, committee_decision, fund, grant
from tests.avances.factories import AdvanceFactory
from tests.comites.factories import DecisionFactory
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    CorporationFactory,
    RevitalisationConventionFactory,
)
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db


def test_grant_copies_cap_request_rate_and_terms(funded, dossier, manager):
    advance = grant(dossier, Decimal("15000.00"), manager)

    advance.refresh_from_db()
    assert advance.reference == f"AV2007-{dossier.pk:05d}"
    assert advance.basin == funded
    assert advance.amount == Decimal("15000.00")
    assert advance.cap_copied == Decimal("15000.00")
    assert advance.requested_copied == Decimal("15000.00")
    assert advance.reference_rate_copied == Decimal("5.000")
    assert advance.gross_grant_equivalent == Decimal("1273.88")
    assert (advance.duration_months, advance.grace_months) == (36, 6)
    assert advance.frequency == Frequency.MONTHLY
    assert advance.granted_by == manager
    # Granted, not yet disbursed: committed, out of the available balance.
    balance = fund_balance(funded.pk)
    assert balance.committed == Decimal("15000.00")
    assert balance.available == Decimal("85000.00")
    assert balance.cash == Decimal("100000.00")


def test_fifteen_thousand_and_one_cent_is_refused_in_valenciennes(funded, manager):
    dossier = approved_dossier(funded, requested=Decimal("20000.00"))

    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("15000.01"), manager)

    assert refusal.value.message_dict["amount"] == [
        f"{euros(Decimal('15000.01'), 2)} dépasse le plafond des avances du bassin Valenciennois "
        f"en vigueur au 15/03/2007 ({euros(Decimal('15000'), 2)})."
    ]
    assert not Advance.objects.exists()


def test_the_same_amount_is_accepted_in_a_25_000_euro_basin(other_basin, reference_rate):
    fund(other_basin, Decimal("50000.00"))
    dossier = approved_dossier(other_basin, requested=Decimal("20000.00"))
    manager = make_user(Role.MANAGER, other_basin)

    advance = grant(dossier, Decimal("15000.01"), manager)

    assert advance.amount == Decimal("15000.01")
    assert advance.cap_copied == Decimal("25000.00")


def test_more_than_requested_is_refused(funded, manager):
    dossier = approved_dossier(funded, requested=Decimal("10000.00"))

    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("12000.00"), manager)

    assert "dépasse le montant demandé par la PME" in refusal.value.message_dict["amount"][0]
    assert not Advance.objects.exists()


def test_a_decision_granting_nothing_makes_no_advance(funded, dossier, manager):
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("0"), manager)
    assert refusal.value.message_dict["amount"] == ["Le montant doit être strictement positif."]
    assert not Advance.objects.exists()


@pytest.mark.parametrize(
    ("terms", "field", "message"),
    [
        ({"duration_months": 0}, "duration_months", "La durée de l'avance va de 1 à 120 mois."),
        ({"grace_months": 13}, "grace_months", "Le différé de remboursement va de 0 à 12 mois."),
        ({"grace_months": -1}, "grace_months", "Le différé de remboursement va de 0 à 12 mois."),
        (
            {"duration_months": 35, "frequency": Frequency.QUARTERLY},
            "duration_months",
            "En échéances trimestrielles, la durée hors différé doit compter un nombre entier "
            "de trimestres.",
        ),
    ],
)
def test_terms_out_of_range_are_refused(funded, dossier, manager, terms, field, message):
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("10000.00"), manager, **terms)
    assert refusal.value.message_dict[field] == [message]
    assert not Advance.objects.exists()


def test_grace_of_twelve_months_and_quarterly_instalments_are_accepted(funded, dossier, manager):
    advance = grant(
        dossier,
        Decimal("9000.00"),
        manager,
        duration_months=48,
        grace_months=12,
        frequency=Frequency.QUARTERLY,
    )
    assert (advance.duration_months, advance.grace_months) == (48, 12)


def test_defaults_come_from_the_basin_settings(funded, dossier, manager):
    settings = fund_settings(funded.pk)
    settings.default_duration_months = 48
    settings.default_grace_months = 12
    settings.default_frequency = Frequency.QUARTERLY
    settings.save()

    advance = grant(dossier, Decimal("9000.00"), manager)

    assert (advance.duration_months, advance.grace_months) == (48, 12)
    assert advance.frequency == Frequency.QUARTERLY


def test_one_advance_per_dossier(funded, dossier, manager):
    first = grant(dossier, Decimal("5000.00"), manager)
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("5000.00"), manager)
    assert refusal.value.messages == [
        f"Ce dossier a déjà une avance ({first.reference}) : une seule avance par dossier."
    ]


def test_a_dossier_not_approved_gets_no_advance(funded, manager):
    dossier = DossierFactory(submitted=True, pme__basin=funded)
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("5000.00"), manager)
    assert refusal.value.messages == [
        "Une avance s'accorde sur un dossier agréé par le comité : ce dossier est "
        "« Soumis au comité »."
    ]


def test_only_the_committee_s_recorded_decision_grants(funded, dossier, manager, other_basin):
    decision = committee_decision(dossier, Decimal("5000.00"), by=manager)
    with pytest.raises(PermissionDenied):
        grant_advance(decision=decision, by=make_user(Role.MANAGER, other_basin))
    unrecorded = DecisionFactory.build(item=decision.item, recorded_by=manager)
    with pytest.raises(PermissionDenied):
        grant_advance(decision=unrecorded, by=manager)
    assert not Advance.objects.exists()


def test_a_grant_beyond_the_fund_available_balance_is_refused(basin, reference_rate, manager):
    fund(basin, Decimal("20000.00"))
    grant(approved_dossier(basin), Decimal("15000.00"), manager)

    with pytest.raises(ValidationError) as refusal:
        grant(approved_dossier(basin), Decimal("5000.01"), manager)

    assert refusal.value.message_dict["amount"][0].startswith(
        f"Le fonds d'avances du bassin ne dispose que de {euros(Decimal('5000'), 2)} non engagés"
    )
    assert Advance.objects.count() == 1
    grant(approved_dossier(basin), Decimal("5000.00"), manager)
    assert fund_balance(basin.pk).available == Decimal("0.00")


def test_no_decision_in_the_future(funded, dossier, manager):
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("5000.00"), manager, decision_date=datetime.date(2099, 1, 1))
    assert refusal.value.message_dict["decision_date"] == [
        "La date ne peut pas être dans le futur."
    ]


def test_a_later_cap_change_rewrites_nothing(funded, dossier, manager):
    advance = grant(dossier, Decimal("15000.00"), manager)
    set_advance_cap(basin=funded, amount=Decimal("12000.00"), valid_from=datetime.date(2008, 1, 1))

    advance.refresh_from_db()
    assert advance.cap_copied == Decimal("15000.00")
    later = approved_dossier(funded)
    with pytest.raises(ValidationError):
        grant(later, Decimal("15000.00"), manager, decision_date=datetime.date(2008, 3, 1))
    assert grant(later, Decimal("12000.00"), manager, decision_date=datetime.date(2008, 3, 1))


def test_without_reference_rate_the_grant_is_refused(basin, dossier, manager):
    fund(basin, Decimal("20000.00"))
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("5000.00"), manager)
    assert refusal.value.message_dict["decision_date"][0].startswith(
        "Aucun taux de référence n'est en vigueur au 15/03/2007"
    )


def test_the_database_refuses_an_amount_above_the_copied_cap(basin):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdvanceFactory(basin=basin, amount=Decimal("15000.01"), cap_copied=Decimal("15000.00"))


def test_the_database_refuses_an_amount_above_the_request(basin):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdvanceFactory(
            basin=basin, amount=Decimal("9000.00"), dossier__advance_requested=Decimal("8000")
        )


@pytest.mark.parametrize(
    ("field", "value"), [("grace_months", 13), ("duration_months", 0), ("amount", Decimal("0"))]
)
def test_the_database_refuses_terms_out_of_range(basin, field, value):
    with pytest.raises(IntegrityError), transaction.atomic():
        AdvanceFactory(basin=basin, gross_grant_equivalent=Decimal("0"), **{field: value})


def test_a_revitalisation_convention_counts_the_advances_it_funded(funded, manager):
    # The app registers its counter when it starts; a test elsewhere may have removed it.
    apps.get_app_config("avances").ready()
    corporation = CorporationFactory(basin=funded, headcount=5000)
    convention = RevitalisationConventionFactory(corporation=corporation)
    grant(approved_dossier(funded), Decimal("15000.00"), manager, funding_convention=convention)
    grant(approved_dossier(funded), Decimal("8000.00"), manager, funding_convention=convention)
    grant(approved_dossier(funded), Decimal("5000.00"), manager)

    progress = convention_progress(convention, today=datetime.date(2025, 12, 31))

    assert progress.others["advances_funded"] == (
        "Avances remboursables financées",
        Decimal("23000.00"),
    )


def test_a_convention_of_another_basin_funds_nothing_here(funded, dossier, manager, other_basin):
    convention = RevitalisationConventionFactory(corporation__basin=other_basin)
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, Decimal("5000.00"), manager, funding_convention=convention)
    assert refusal.value.message_dict["funding_convention"] == [
        "Cette convention de revitalisation relève d'un autre bassin."
    ]
