"""Factories of corporations, missions and conventions, written straight to the database.

Real missions are created and moved only through `grandes_entreprises.services`; these
build any situation for a test. Dates follow the article: dossiers approved on
15 March 2007, missions from Monday 2 April 2007.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from grandes_entreprises.models import (
    ConventionPayment,
    Corporation,
    CorporationContact,
    DailyRate,
    DayLog,
    Expert,
    Membership,
    MissionExpert,
    MissionResult,
    MissionStatus,
    ResultKind,
    RevitalisationConvention,
    SupportMission,
)
from pme.models import Need
from tests.alize.factories import BasinFactory, PeriodFactory, UserFactory
from tests.pme.factories import DossierFactory

MISSION_START = datetime.date(2007, 4, 2)  # a Monday
MISSION_END = datetime.date(2007, 4, 13)  # the Friday of the next week: 10 working days


class CorporationFactory(DjangoModelFactory):
    class Meta:
        model = Corporation

    class Params:
        toyota = factory.Trait(
            group_name="Toyota",
            site_name="Toyota Motor Manufacturing France, Onnaing",
            sector="Construction automobile",
            headcount=300000,
        )
        alstom = factory.Trait(
            group_name="Alstom",
            site_name="Alstom Transport, Petite-Forêt",
            sector="Construction ferroviaire",
            headcount=60000,
        )
        small = factory.Trait(headcount=800)

    group_name = factory.Sequence(lambda n: f"Groupe {n}")
    site_name = factory.Sequence(lambda n: f"Site {n}")
    sector = "Industrie"
    headcount = 5000
    basin = factory.SubFactory(BasinFactory)


class DailyRateFactory(DjangoModelFactory):
    class Meta:
        model = DailyRate

    corporation = factory.SubFactory(CorporationFactory)
    rate = Decimal("600.00")
    valid_from = datetime.date(2005, 7, 1)


class CorporationContactFactory(DjangoModelFactory):
    class Meta:
        model = CorporationContact

    corporation = factory.SubFactory(CorporationFactory)
    name = factory.Faker("name", locale="fr_FR")
    role = "Directeur des ressources humaines"
    email = factory.Sequence(lambda n: f"contact{n}@groupe.test")


class ExpertFactory(DjangoModelFactory):
    class Meta:
        model = Expert

    class Params:
        quality = factory.Trait(job_title="Responsable qualité", domains=[Need.QUALITY])
        inactive = factory.Trait(is_active=False)

    corporation = factory.SubFactory(CorporationFactory)
    name = factory.Faker("name", locale="fr_FR")
    job_title = "Ingénieur méthodes"
    domains = factory.LazyFunction(lambda: [Need.PRODUCTION, Need.QUALITY])


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    corporation = factory.SubFactory(CorporationFactory)
    period = factory.SubFactory(PeriodFactory, basin=factory.SelfAttribute("..corporation.basin"))
    joined_on = factory.SelfAttribute("period.start_date")


class SupportMissionFactory(DjangoModelFactory):
    """A mission with one expert of its corporation (`experts=[…]` to name others,
    `experts=[]` for none), on an approved dossier of an SME of the corporation's basin."""

    class Meta:
        model = SupportMission
        skip_postgeneration_save = True

    class Params:
        running = factory.Trait(status=MissionStatus.RUNNING)
        done = factory.Trait(status=MissionStatus.DONE)
        cancelled = factory.Trait(status=MissionStatus.CANCELLED)

    corporation = factory.SubFactory(CorporationFactory)
    dossier = factory.SubFactory(
        DossierFactory, approved=True, pme__basin=factory.SelfAttribute("...corporation.basin")
    )
    domain = Need.QUALITY
    objective = "Préparer la certification ISO 9001."
    planned_days = Decimal("5.0")
    start_date = MISSION_START
    end_date = MISSION_END
    status = MissionStatus.PLANNED
    status_changed_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def experts(self, create, extracted, **kwargs):
        if not create:
            return
        experts = (
            extracted if extracted is not None else [ExpertFactory(corporation=self.corporation)]
        )
        for expert in experts:
            MissionExpert.objects.create(mission=self, expert=expert)


class DayLogFactory(DjangoModelFactory):
    """A day logged by the mission's first expert (or `expert=`) on its first day."""

    class Meta:
        model = DayLog
        exclude = ["mission", "expert"]

    class Params:
        half = factory.Trait(days=Decimal("0.5"))

    mission = factory.SubFactory(SupportMissionFactory, running=True)
    expert = None
    assignment = factory.LazyAttribute(
        lambda o: (
            MissionExpert.objects.get(mission=o.mission, expert=o.expert)
            if o.expert
            else o.mission.assignments.order_by("pk").first()
        )
    )
    date = factory.LazyAttribute(lambda o: o.mission.start_date)
    days = Decimal("1.0")
    logged_by = factory.SubFactory(UserFactory)


class MissionResultFactory(DjangoModelFactory):
    class Meta:
        model = MissionResult

    class Params:
        iso_9001 = factory.Trait(
            kind=ResultKind.CERTIFICATION,
            title="ISO 9001",
            achieved_on=datetime.date(2007, 3, 20),
        )

    mission = factory.SubFactory(SupportMissionFactory, done=True)
    kind = ResultKind.PROCESS_IMPROVED
    title = "Réorganisation de l'atelier d'usinage"
    recorded_by = factory.SubFactory(UserFactory)


class RevitalisationConventionFactory(DjangoModelFactory):
    """A convention written straight to the database, SMIC of 1 November 2024 copied.

    Real conventions are created by `create_convention`, which copies the SMIC itself.
    """

    class Meta:
        model = RevitalisationConvention

    class Params:
        floor = factory.Trait(multiple=Decimal("2"))
        ceiling = factory.Trait(multiple=Decimal("4"))
        none_signed = factory.Trait(without_convention=True, multiple=Decimal("4"))

    corporation = factory.SubFactory(CorporationFactory)
    reference = factory.Sequence(lambda n: f"REV-2025-{n:03d}")
    signature_date = datetime.date(2025, 3, 14)
    jobs_eliminated = 120
    employees_reclassified = 20
    multiple = Decimal("2.50")
    smic_monthly = Decimal("1801.80")
    smic_valid_from = datetime.date(2024, 11, 1)
    jobs_to_recreate = 100
    created_by = factory.SubFactory(UserFactory)


class ConventionPaymentFactory(DjangoModelFactory):
    class Meta:
        model = ConventionPayment

    convention = factory.SubFactory(RevitalisationConventionFactory)
    paid_on = datetime.date(2025, 6, 30)
    amount = Decimal("100000.00")
    recorded_by = factory.SubFactory(UserFactory)
