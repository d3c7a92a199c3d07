import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory
from stdnum import luhn

from alize.antivirus import ScanStatus
from pme.models import (
    ContractKind,
    Dossier,
    DossierKind,
    DossierState,
    DossierTransition,
    Hire,
    LegalForm,
    Need,
    OrientationSource,
    Pme,
    PmeContact,
)
from tests.alize.factories import BasinFactory, CommuneFactory, UserFactory


def make_siren(n: int) -> str:
    """A valid SIREN built from a number: eight digits and their Luhn key."""
    body = f"{10000000 + n % 90000000:08d}"
    return body + luhn.calc_check_digit(body)


def make_siret(n: int, establishment: int = 1) -> str:
    """A valid SIRET of the SIREN `make_siren(n)`: NIC of four digits and a Luhn key."""
    body = f"{make_siren(n)}{establishment:04d}"
    return body + luhn.calc_check_digit(body)


class PmeFactory(DjangoModelFactory):
    """An SME; `PmeFactory(basin=b)` puts it in a commune of basin `b`."""

    class Meta:
        model = Pme
        exclude = ["basin"]

    class Params:
        industry = factory.Trait(naf_code="25.62B")
        construction = factory.Trait(naf_code="43.22A")
        trade = factory.Trait(naf_code="46.69B")
        services = factory.Trait(naf_code="62.01Z")
        micro = factory.Trait(headcount=4)
        medium = factory.Trait(headcount=120)

    basin = factory.SubFactory(BasinFactory)
    name = factory.Sequence(lambda n: f"Entreprise {n}")
    siret = factory.Sequence(make_siret)
    legal_form = LegalForm.SARL
    naf_code = "25.62B"
    headcount = 25
    founding_date = datetime.date(1998, 3, 1)
    address = factory.Sequence(lambda n: f"{n % 200 + 1} rue de la Mécanique")
    commune = factory.SubFactory(CommuneFactory, epci__basin=factory.SelfAttribute("...basin"))


class PmeContactFactory(DjangoModelFactory):
    class Meta:
        model = PmeContact

    pme = factory.SubFactory(PmeFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Gérant"
    email = factory.Sequence(lambda n: f"contact{n}@pme.test")
    phone = "03 27 00 00 00"


DECISION_DAY = datetime.date(2007, 3, 15)


class DossierFactory(DjangoModelFactory):
    """A dossier written straight to the database in any state (traits), for tests.

    Real dossiers change state only through `transition_dossier`.
    """

    class Meta:
        model = Dossier

    class Params:
        under_instruction = factory.Trait(state=DossierState.UNDER_INSTRUCTION)
        submitted = factory.Trait(state=DossierState.SUBMITTED)
        approved = factory.Trait(state=DossierState.APPROVED, decision_date=DECISION_DAY)
        deferred = factory.Trait(state=DossierState.DEFERRED, decision_date=DECISION_DAY)
        rejected = factory.Trait(state=DossierState.REJECTED, decision_date=DECISION_DAY)
        under_support = factory.Trait(state=DossierState.UNDER_SUPPORT, decision_date=DECISION_DAY)
        closed = factory.Trait(state=DossierState.CLOSED, decision_date=DECISION_DAY)
        withdrawn = factory.Trait(state=DossierState.WITHDRAWN)
        takeover = factory.Trait(kind=DossierKind.TAKEOVER)
        oriented_by_intercommunality = factory.Trait(
            orientation_source=OrientationSource.EPCI,
            oriented_by_epci=factory.SelfAttribute("pme.commune.epci"),
        )
        oriented_by_partner = factory.Trait(
            orientation_source=OrientationSource.PARTNER_NETWORK,
            orientation_partner="Initiative Valenciennes",
        )

    pme = factory.SubFactory(PmeFactory)
    project_summary = "Développer une ligne d'usinage de précision pour l'aéronautique."
    kind = DossierKind.DEVELOPMENT
    needs = factory.LazyFunction(lambda: [Need.PRODUCTION, Need.QUALITY])
    jobs_planned = 7
    jobs_horizon_months = 36
    advance_requested = Decimal("15000.00")
    bank_loans = Decimal("40000.00")
    orientation_source = OrientationSource.SPONTANEOUS
    orientation_date = datetime.date(2006, 10, 2)
    state = DossierState.ORIENTED
    state_changed_at = factory.LazyFunction(timezone.now)


class DossierTransitionFactory(DjangoModelFactory):
    class Meta:
        model = DossierTransition

    dossier = factory.SubFactory(DossierFactory, under_instruction=True)
    transition = "start_instruction"
    from_state = DossierState.ORIENTED
    to_state = DossierState.UNDER_INSTRUCTION
    by = factory.SubFactory(UserFactory)


class HireFactory(DjangoModelFactory):
    class Meta:
        model = Hire

    dossier = factory.SubFactory(DossierFactory, approved=True)
    hire_date = datetime.date(2007, 9, 3)
    contract = ContractKind.CDI
    job_title = "Technicien d'usinage"
    # As `record_hire` leaves evidence the antivirus found clean.
    evidence_scan = ScanStatus.CLEAN
