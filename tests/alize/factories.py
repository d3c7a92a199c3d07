import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from alize.business_days import DueDateRule
from alize.models import (
    AdvanceCap,
    Basin,
    Commune,
    Contribution,
    Epci,
    Funder,
    ProgrammePeriod,
    User,
)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@alize.test")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.django.Password("motdepasse-de-test")


class BasinFactory(DjangoModelFactory):
    class Meta:
        model = Basin

    name = factory.Sequence(lambda n: f"Bassin {n}")
    slug = factory.Sequence(lambda n: f"bassin-{n}")
    operator_name = factory.LazyAttribute(lambda o: f"CCI de {o.name}")
    # The tests' schedules keep the calendar's dates (the 16th of each month...): the
    # business-day moves are tested on their own (`tests/avances/test_business_days.py`).
    due_date_rule = DueDateRule.NONE

    class Params:
        valenciennes = factory.Trait(
            name="Valenciennois",
            slug="valenciennois",
            operator_name="CCI du Valenciennois",
            operator_short_name="CCIV",
            departement="59",
        )


class AdvanceCapFactory(DjangoModelFactory):
    class Meta:
        model = AdvanceCap

    basin = factory.SubFactory(BasinFactory)
    amount = Decimal("15000.00")
    valid_from = datetime.date(2005, 7, 1)


class PeriodFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammePeriod

    basin = factory.SubFactory(BasinFactory)
    name = factory.Sequence(lambda n: f"Période {n}")
    target_jobs = 400

    # A basin's periods never overlap: a second period of the same basin follows the last.
    @factory.lazy_attribute
    def start_date(self):
        last = (
            ProgrammePeriod.objects.filter(basin=self.basin).order_by("-end_date").first()
            if self.basin.pk
            else None
        )
        return last.end_date + datetime.timedelta(days=1) if last else datetime.date(2005, 7, 1)

    @factory.lazy_attribute
    def end_date(self):
        start = self.start_date
        return start.replace(year=start.year + 3) - datetime.timedelta(days=1)


class EpciFactory(DjangoModelFactory):
    class Meta:
        model = Epci

    siren = factory.Sequence(lambda n: f"{200000000 + n:09d}")
    name = factory.Sequence(lambda n: f"Communauté d'agglomération {n}")
    kind = Epci.Kind.CA
    population = 150000
    basin = factory.SubFactory(BasinFactory)


class CommuneFactory(DjangoModelFactory):
    class Meta:
        model = Commune

    insee_code = factory.Sequence(lambda n: f"{59000 + n % 1000:05d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    postcode = "59300"
    epci = factory.SubFactory(EpciFactory)


class FunderFactory(DjangoModelFactory):
    class Meta:
        model = Funder

    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = Funder.Kind.STATE
    basin = factory.SubFactory(BasinFactory)


class ContributionFactory(DjangoModelFactory):
    class Meta:
        model = Contribution

    funder = factory.SubFactory(FunderFactory)
    period = factory.SubFactory(PeriodFactory, basin=factory.SelfAttribute("..funder.basin"))
    committed = Decimal("45000.00")
    paid = Decimal("0.00")
