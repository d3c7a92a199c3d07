"""De minimis: 300,000 € over three rolling years, with the advance's gross grant equivalent."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from alize.formatting import euros
from alize.models import Role
from avances.models import Advance, DeMinimisAid
from avances.selectors import attestation_data, window_start
from avances.services import NO_DECLARATION_MESSAGE, record_de_minimis_declaration
from tests.avances.conftest import grant as grant_with_decision
from tests.avances.factories import (
    AdvanceFactory,
    DeMinimisAidFactory,
    DeMinimisDeclarationFactory,
    ReferenceRateFactory,
)
from tests.conftest import make_user
from tests.pme.factories import DossierFactory

pytestmark = pytest.mark.django_db
D = datetime.date
# 15,000 € over 36 months, 6 months' grace, monthly, at 5 %.
GGE = Decimal("1273.88")


@pytest.fixture
def dossier(funded):
    return DossierFactory(approved=True, pme__basin=funded, advance_requested=Decimal("15000"))


def declare(pme, *aids):
    declaration = DeMinimisDeclarationFactory(pme=pme)
    for granted_on, amount in aids:
        DeMinimisAidFactory(declaration=declaration, granted_on=granted_on, amount=amount)
    return declaration


def grant(dossier, by, amount=Decimal("15000.00")):
    return grant_with_decision(dossier, amount, by)


def test_window_is_the_three_years_ending_on_the_decision():
    assert window_start(D(2007, 3, 15)) == D(2004, 3, 16)
    assert window_start(D(2008, 2, 29)) == D(2005, 3, 1)


def test_a_grant_that_would_pass_300_000_euros_is_refused(dossier, manager):
    declare(dossier.pme, (D(2006, 5, 10), Decimal("298726.13")))

    with pytest.raises(ValidationError) as refusal:
        grant(dossier, manager)

    assert refusal.value.message_dict["amount"] == [
        f"Avec cette avance (équivalent-subvention brut de {euros(GGE, 2)}), les aides de "
        f"minimis de la PME du 16/03/2004 au 15/03/2007 atteindraient "
        f"{euros(Decimal('300000.01'), 2)}, au-delà du plafond de {euros(Decimal('300000'), 0)} "
        "sur trois ans : l'avance ne peut pas être accordée."
    ]
    assert not Advance.objects.exists()


def test_exactly_300_000_euros_is_allowed(dossier, manager):
    declare(dossier.pme, (D(2006, 5, 10), Decimal("298726.12")))
    advance = grant(dossier, manager)
    position = attestation_data(advance)
    assert position.total == Decimal("300000.00")
    assert position.headroom == Decimal("0.00")


def test_aid_older_than_three_years_is_not_counted(dossier, manager):
    declare(
        dossier.pme,
        (D(2004, 3, 15), Decimal("250000.00")),  # three years and a day before: out
        (D(2004, 3, 16), Decimal("40000.00")),  # in
    )
    advance = grant(dossier, manager)
    position = attestation_data(advance)
    assert position.declared_total == Decimal("40000.00")
    assert position.total == Decimal("40000.00") + GGE


def test_no_declaration_no_advance(funded, manager):
    dossier = DossierFactory(approved=True, pme__basin=funded, advance_requested=Decimal("15000"))
    with pytest.raises(ValidationError) as refusal:
        grant(dossier, manager)
    assert refusal.value.messages == [NO_DECLARATION_MESSAGE]


def test_the_smes_other_alize_advances_count_too(dossier, manager):
    declare(dossier.pme, (D(2006, 5, 10), Decimal("298000.00")))
    AdvanceFactory(
        basin=dossier.pme.commune.epci.basin,
        dossier__pme=dossier.pme,
        dossier__closed=True,
        decision_date=D(2005, 10, 20),
        gross_grant_equivalent=Decimal("800.00"),
    )
    # 298,000 + 800 + 1,273.88 > 300,000.
    with pytest.raises(ValidationError):
        grant(dossier, manager)
    advance = grant(dossier, manager, amount=Decimal("10000.00"))
    position = attestation_data(advance)
    assert position.other_advances_total == Decimal("800.00")
    assert position.this_advance_gge == advance.gross_grant_equivalent


def test_a_basin_rate_prevails_over_the_national_one(dossier, manager):
    declare(dossier.pme)
    ReferenceRateFactory(basin=dossier.pme.commune.epci.basin, annual_rate_percent=Decimal("0"))
    advance = grant(dossier, manager)
    assert advance.reference_rate_copied == Decimal("0.000")
    assert advance.gross_grant_equivalent == Decimal("0.00")


def test_record_a_declaration(basin, staff):
    pme = DossierFactory(pme__basin=basin).pme
    declaration = record_de_minimis_declaration(
        pme=pme,
        declared_on=D(2007, 2, 20),
        signatory="Marc Heuille, gérant",
        aids=[
            {"grantor": "Région", "granted_on": D(2006, 5, 10), "amount": Decimal("20000")},
            {"grantor": "Département", "granted_on": D(2005, 1, 3), "amount": Decimal("5000.50")},
        ],
        by=staff,
    )
    assert declaration.aids.count() == 2
    assert sum(a.amount for a in declaration.aids.all()) == Decimal("25000.50")


def test_a_declaration_lists_aid_already_received(basin, staff, other_basin):
    pme = DossierFactory(pme__basin=basin).pme
    with pytest.raises(ValidationError) as refusal:
        record_de_minimis_declaration(
            pme=pme,
            declared_on=D(2007, 2, 20),
            signatory="Marc Heuille",
            aids=[{"grantor": "Région", "granted_on": D(2007, 3, 1), "amount": Decimal("1000")}],
            by=staff,
        )
    assert refusal.value.messages == [
        "Aide n° 1 : elle est postérieure à la déclaration (01/03/2007)."
    ]
    assert not DeMinimisAid.objects.exists()
    with pytest.raises(PermissionDenied):
        record_de_minimis_declaration(
            pme=pme,
            declared_on=D(2007, 2, 20),
            signatory="Marc Heuille",
            aids=[],
            by=make_user(Role.STAFF, other_basin),
        )
