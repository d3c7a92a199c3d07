"""Factories of advances and their settings.

`AdvanceFactory` writes a granted advance straight to the database (decided on
15 March 2007, like the article's dossiers); what happens next goes through the real
services, so that schedules, allocations and the fund's ledger stay consistent:

    AdvanceFactory()                      granted, contract not signed
    AdvanceFactory(signed=True)           contract signed on 2 April 2007
    AdvanceFactory(disbursed=True)        paid out in full on 16 April 2007 (schedule built)
    AdvanceFactory(disbursed=True, paid_instalments=3)   the first three paid on their dates
    AdvanceFactory(late=True)             disbursed, nothing ever paid
    AdvanceFactory(written_off=True)      disbursed, nothing paid, write-off approved on
                                          30 June 2009 (a date: approved on that date)
"""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from alize.models import Role
from avances.models import (
    Advance,
    DeMinimisAid,
    DeMinimisDeclaration,
    Frequency,
    Instalment,
    ReferenceRate,
)
from avances.schedule import gross_grant_equivalent
from tests.alize.factories import BasinFactory, UserFactory
from tests.conftest import make_user
from tests.pme.factories import DECISION_DAY, DossierFactory

CONTRACT_DAY = datetime.date(2007, 4, 2)
DISBURSEMENT_DAY = datetime.date(2007, 4, 16)
WRITE_OFF_DAY = datetime.date(2009, 6, 30)


class ReferenceRateFactory(DjangoModelFactory):
    """The national reference rate, 5 % since 2000 (per basin with `basin=`)."""

    class Meta:
        model = ReferenceRate

    basin = None
    valid_from = datetime.date(2000, 1, 1)
    annual_rate_percent = Decimal("5.000")
    source = "Taux de référence de la Commission européenne (taux de base + marge)"


class DeMinimisDeclarationFactory(DjangoModelFactory):
    """A declaration of no other de minimis aid, made before the committee."""

    class Meta:
        model = DeMinimisDeclaration

    pme = factory.SubFactory("tests.pme.factories.PmeFactory")
    declared_on = datetime.date(2007, 2, 20)
    signatory = "Marc Heuille, gérant"
    recorded_by = factory.SubFactory(UserFactory)


class DeMinimisAidFactory(DjangoModelFactory):
    class Meta:
        model = DeMinimisAid

    declaration = factory.SubFactory(DeMinimisDeclarationFactory)
    grantor = "Région Nord-Pas-de-Calais"
    granted_on = datetime.date(2006, 5, 10)
    amount = Decimal("20000.00")
    description = "Aide à l'investissement"


def _operator(advance, role=Role.STAFF):
    return make_user(role, advance.basin)


def _disburse(advance, day):
    from avances.services import disburse_advance, sign_contract

    by = _operator(advance)
    if advance.contract_signed_on is None:
        signed_on = max(advance.decision_date, min(CONTRACT_DAY, day))
        sign_contract(advance=advance, signed_on=signed_on, by=by)
        advance.refresh_from_db()
    disburse_advance(advance=advance, disbursed_on=day, by=by)


class AdvanceFactory(DjangoModelFactory):
    class Meta:
        model = Advance
        skip_postgeneration_save = True

    class Params:
        signed = factory.Trait(contract_signed_on=CONTRACT_DAY)
        quarterly = factory.Trait(frequency=Frequency.QUARTERLY)

    basin = factory.SubFactory(BasinFactory)
    dossier = factory.SubFactory(
        DossierFactory,
        approved=True,
        advance_requested=Decimal("15000.00"),
        pme__basin=factory.SelfAttribute("...basin"),
    )
    reference = factory.LazyAttribute(lambda o: f"AV{o.decision_date:%Y}-{o.dossier.pk:05d}")
    amount = Decimal("10000.00")
    requested_copied = factory.SelfAttribute("dossier.advance_requested")
    cap_copied = Decimal("15000.00")
    decision_date = DECISION_DAY
    duration_months = 36
    grace_months = 6
    frequency = Frequency.MONTHLY
    reference_rate_copied = Decimal("5.000")
    gross_grant_equivalent = factory.LazyAttribute(
        lambda o: gross_grant_equivalent(
            principal=o.amount,
            duration_months=o.duration_months,
            grace_months=o.grace_months,
            period_months=Frequency(o.frequency).months,
            annual_rate_percent=o.reference_rate_copied,
        )
    )
    granted_by = factory.SubFactory(UserFactory)
    contract_signed_on = None

    @factory.post_generation
    def disbursed(obj, create, extracted, **kwargs):
        """True: paid out in full on 16 April 2007; a date: on that date."""
        if create and extracted:
            _disburse(obj, extracted if isinstance(extracted, datetime.date) else DISBURSEMENT_DAY)

    @factory.post_generation
    def late(obj, create, extracted, **kwargs):
        """Disbursed on 16 April 2007 and nothing ever paid back."""
        if create and extracted and not obj.disbursements.exists():
            _disburse(obj, DISBURSEMENT_DAY)

    @factory.post_generation
    def paid_instalments(obj, create, extracted, **kwargs):
        """Pay the first `extracted` instalments, each in full on its due date."""
        if not (create and extracted):
            return
        from avances.services import record_payment

        by = _operator(obj)
        instalments = Instalment.objects.filter(schedule__advance=obj, schedule__is_active=True)
        for instalment in instalments.order_by("number")[:extracted]:
            record_payment(
                advance=obj, paid_on=instalment.due_date, amount=instalment.amount, by=by
            )

    @factory.post_generation
    def written_off(obj, create, extracted, **kwargs):
        if not (create and extracted):
            return
        from avances.services import approve_write_off, request_write_off

        if not obj.disbursements.exists():
            _disburse(obj, DISBURSEMENT_DAY)
        request = request_write_off(
            advance=obj,
            reason="Liquidation judiciaire clôturée pour insuffisance d'actif.",
            by=_operator(obj),
        )
        on = extracted if isinstance(extracted, datetime.date) else WRITE_OFF_DAY
        approve_write_off(write_off=request, by=_operator(obj, Role.MANAGER), on=on)
        obj.refresh_from_db()
