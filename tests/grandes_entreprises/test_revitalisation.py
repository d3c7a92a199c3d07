import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, ProgrammingError, transaction

from alize.models import Role
from grandes_entreprises import revitalisation
from grandes_entreprises.models import (
    ConventionPayment,
    RevitalisationConvention,
    SmicRate,
)
from grandes_entreprises.services import create_convention, record_convention_payment
from tests.conftest import make_user
from tests.grandes_entreprises.factories import (
    ConventionPaymentFactory,
    CorporationFactory,
    DailyRateFactory,
    DayLogFactory,
    RevitalisationConventionFactory,
    SupportMissionFactory,
)
from tests.pme.factories import HireFactory

pytestmark = pytest.mark.django_db

SIGNED = datetime.date(2025, 3, 14)  # SMIC of 1 November 2024 in force: 1 801,80 €


def convention(by, corporation, **overrides):
    data = {
        "by": by,
        "corporation": corporation,
        "reference": "REV-59-2025-001",
        "signature_date": SIGNED,
        "jobs_eliminated": 120,
        "employees_reclassified": 20,
        "multiple": Decimal("2"),
        "jobs_to_recreate": 100,
    }
    data.update(overrides)
    return create_convention(**data)


# --- The arithmetic ----------------------------------------------------------------------


def test_floor_120_jobs_20_reclassified(staff, corporation):
    created = convention(staff, corporation, multiple=Decimal("2"))
    assert created.smic_monthly == Decimal("1801.80")
    assert created.smic_valid_from == datetime.date(2024, 11, 1)
    assert created.amount_due == Decimal("360360.00")
    # And as the database stores it, read afresh.
    assert RevitalisationConvention.objects.get(pk=created.pk).amount_due == Decimal("360360.00")


def test_ceiling_120_jobs_20_reclassified(staff, corporation):
    assert convention(staff, corporation, multiple=Decimal("4")).amount_due == Decimal("720720.00")


def test_no_reclassification_counts_every_job(staff, corporation):
    created = convention(staff, corporation, employees_reclassified=0, multiple=Decimal("2"))
    assert created.amount_due == Decimal("432432.00")  # 120 × 2 × 1 801,80


def test_multiple_between_floor_and_ceiling_rounds_to_the_cent_half_up(staff, corporation):
    # 7 × 2.35 × 1 801,80 = 29 639.61 exactly; 3 × 2.33 × 1 801,80 = 12 594.582 → 12 594.58
    # and 1 × 2.25 × 1 254,28 (SMIC of July 2006) = 2 822.13
    created = convention(
        staff,
        corporation,
        reference="A",
        jobs_eliminated=7,
        employees_reclassified=0,
        multiple=Decimal("2.35"),
    )
    assert created.amount_due == Decimal("29639.61")
    created = convention(
        staff,
        corporation,
        reference="B",
        jobs_eliminated=3,
        employees_reclassified=0,
        multiple=Decimal("2.33"),
    )
    assert created.amount_due == Decimal("12594.58")
    created = convention(
        staff,
        corporation,
        reference="C",
        signature_date=datetime.date(2006, 9, 1),
        jobs_eliminated=1,
        employees_reclassified=0,
        multiple=Decimal("2.25"),
    )
    assert created.smic_monthly == Decimal("1254.28")
    expected = (Decimal("2.25") * Decimal("1254.28")).quantize(Decimal("0.01"), ROUND_HALF_UP)
    assert created.amount_due == expected == Decimal("2822.13")


def test_all_reclassified_owes_nothing(staff, corporation):
    created = convention(staff, corporation, jobs_eliminated=20, employees_reclassified=20)
    assert created.amount_due == Decimal("0.00")


def test_without_convention_forces_4(staff, corporation):
    created = convention(staff, corporation, multiple=None, without_convention=True)
    assert created.multiple == Decimal("4")
    assert created.amount_due == Decimal("720720.00")


def test_without_convention_refuses_another_multiple(staff, corporation):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, multiple=Decimal("2"), without_convention=True)
    assert "4 SMIC mensuels" in str(error.value.message_dict["multiple"])
    assert not RevitalisationConvention.objects.exists()


def test_smic_table_updated_later_leaves_the_amount_unchanged(staff, corporation):
    created = convention(staff, corporation, multiple=Decimal("2"))
    # The SMIC row is corrected, and a new SMIC is dated before the signature.
    SmicRate.objects.filter(valid_from=datetime.date(2024, 11, 1)).update(
        monthly_amount=Decimal("1900.00")
    )
    SmicRate.objects.create(
        valid_from=datetime.date(2025, 1, 1),
        hourly_amount=Decimal("13.00"),
        monthly_amount=Decimal("1971.67"),
    )
    fresh = RevitalisationConvention.objects.get(pk=created.pk)
    assert fresh.smic_monthly == Decimal("1801.80")
    assert fresh.amount_due == Decimal("360360.00")
    # A convention signed afterwards takes the new SMIC.
    later = convention(staff, corporation, reference="REV-2", multiple=Decimal("2"))
    assert later.smic_monthly == Decimal("1971.67")


def test_copied_smic_cannot_be_rewritten(corporation):
    created = RevitalisationConventionFactory(corporation=corporation)
    for column, value in (
        ("smic_monthly", Decimal("1900.00")),
        ("smic_valid_from", datetime.date(2025, 1, 1)),
        ("signature_date", datetime.date(2025, 3, 15)),
    ):
        with pytest.raises(ProgrammingError, match="Cannot update"), transaction.atomic():
            RevitalisationConvention.objects.filter(pk=created.pk).update(**{column: value})
    # Its other columns stay editable (a comment, the end of the window).
    RevitalisationConvention.objects.filter(pk=created.pk).update(comment="Avenant n° 1")


def test_amount_due_cannot_be_typed(corporation):
    created = RevitalisationConventionFactory(corporation=corporation, floor=True)
    created.refresh_from_db()
    assert created.amount_due == Decimal("360360.00")
    # It is a generated column: the only way to change it is to change what it is made of.
    RevitalisationConvention.objects.filter(pk=created.pk).update(multiple=Decimal("4"))
    created.refresh_from_db()
    assert created.amount_due == Decimal("720720.00")


# --- Bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize("multiple", ["1.99", "4.01", "0", "-2", "5"])
def test_multiple_outside_2_and_4_refused(staff, corporation, multiple):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, multiple=Decimal(multiple))
    assert error.value.message_dict["multiple"] == [
        "Le multiple du SMIC mensuel est compris entre 2 et 4."
    ]
    assert not RevitalisationConvention.objects.exists()


@pytest.mark.parametrize("multiple", ["2", "2.00", "3.5", "4"])
def test_bounds_included(staff, corporation, multiple):
    assert convention(staff, corporation, multiple=Decimal(multiple)).pk


def test_database_refuses_multiple_outside_bounds(corporation):
    with (
        pytest.raises(IntegrityError, match="convention_multiple_between_2_and_4"),
        transaction.atomic(),
    ):
        RevitalisationConventionFactory(corporation=corporation, multiple=Decimal("1.5"))


def test_database_refuses_no_convention_below_4(corporation):
    with pytest.raises(IntegrityError, match="convention_none_means_4"), transaction.atomic():
        RevitalisationConventionFactory(
            corporation=corporation, without_convention=True, multiple=Decimal("3")
        )


def test_reclassified_above_eliminated_refused(staff, corporation):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, jobs_eliminated=20, employees_reclassified=21)
    assert error.value.message_dict["employees_reclassified"] == [
        "Les salariés reclassés dans le groupe ne peuvent pas dépasser les emplois supprimés."
    ]
    with (
        pytest.raises(IntegrityError, match="convention_reclassified_within_eliminated"),
        transaction.atomic(),
    ):
        RevitalisationConventionFactory(
            corporation=corporation, jobs_eliminated=20, employees_reclassified=21
        )
    assert not RevitalisationConvention.objects.exists()


@pytest.mark.parametrize("jobs", [0, -5])
def test_jobs_eliminated_positive(staff, corporation, jobs):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, jobs_eliminated=jobs, employees_reclassified=0)
    assert "jobs_eliminated" in error.value.message_dict


def test_no_smic_known_at_the_date(staff, corporation):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, signature_date=datetime.date(2005, 6, 30))
    assert error.value.message_dict["signature_date"] == [
        "Aucun SMIC n'est connu au 30/06/2005 : complétez la table du SMIC."
    ]


def test_future_signature_refused(staff, corporation):
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation, signature_date=datetime.date.today() + datetime.timedelta(1))
    assert "signature_date" in error.value.message_dict


def test_corporation_under_1000_employees_not_concerned(staff, basin):
    small = CorporationFactory(basin=basin, small=True)
    with pytest.raises(ValidationError) as error:
        convention(staff, small)
    assert "au moins 1 000 salariés" in str(error.value)


def test_reference_unique(staff, corporation):
    convention(staff, corporation)
    with pytest.raises(ValidationError) as error:
        convention(staff, corporation)
    assert "reference" in error.value.message_dict
    assert RevitalisationConvention.objects.count() == 1


def test_only_the_basins_operators_record_conventions(corporation, other_basin, coordinator):
    for user in (
        make_user(Role.STAFF, other_basin),
        make_user(Role.STEERING, corporation.basin),
        coordinator,
        make_user(Role.ADMIN),
    ):
        with pytest.raises(PermissionDenied):
            convention(user, corporation)
    assert not RevitalisationConvention.objects.exists()


# --- Payments and balance ------------------------------------------------------------------


@pytest.fixture
def signed(staff, corporation):
    return convention(staff, corporation, multiple=Decimal("2"))


def test_payments_and_balance(staff, signed):
    record_convention_payment(
        convention=signed, by=staff, paid_on=datetime.date(2025, 6, 30), amount=Decimal("100000")
    )
    record_convention_payment(
        convention=signed,
        by=staff,
        paid_on=datetime.date(2025, 12, 15),
        amount=Decimal("60360.00"),
    )
    row = RevitalisationConvention.objects.with_balance().get(pk=signed.pk)
    assert row.paid == Decimal("160360.00")
    assert row.balance == Decimal("200000.00")
    progress = revitalisation.convention_progress(signed, today=datetime.date(2025, 12, 31))
    assert progress.paid == Decimal("160360.00")
    assert progress.balance == Decimal("200000.00")


def test_balance_without_payment_is_the_amount_due(signed):
    row = RevitalisationConvention.objects.with_balance().get(pk=signed.pk)
    assert (row.paid, row.balance) == (Decimal("0.00"), Decimal("360360.00"))


def test_payment_beyond_the_amount_due_refused(staff, signed):
    ConventionPaymentFactory(convention=signed, amount=Decimal("360000.00"), recorded_by=staff)
    with pytest.raises(ValidationError) as error:
        record_convention_payment(
            convention=signed, by=staff, paid_on=datetime.date(2025, 7, 1), amount=Decimal("361")
        )
    assert error.value.message_dict["amount"] == [
        "Ce versement porterait le total versé à 360\u202f361,00\u00a0€, au-delà du montant dû "
        "(360\u202f360,00\u00a0€)."
    ]
    assert ConventionPayment.objects.count() == 1
    # The exact rest is accepted.
    record_convention_payment(
        convention=signed, by=staff, paid_on=datetime.date(2025, 7, 1), amount=Decimal("360")
    )


@pytest.mark.parametrize(
    ("paid_on", "amount", "field"),
    [
        (datetime.date(2025, 6, 30), Decimal("0"), "amount"),
        (datetime.date(2025, 6, 30), Decimal("-10"), "amount"),
        (datetime.date(2025, 3, 13), Decimal("10"), "paid_on"),
        (datetime.date.today() + datetime.timedelta(days=1), Decimal("10"), "paid_on"),
    ],
)
def test_bad_payments_refused(staff, signed, paid_on, amount, field):
    with pytest.raises(ValidationError) as error:
        record_convention_payment(convention=signed, by=staff, paid_on=paid_on, amount=amount)
    assert field in error.value.message_dict
    assert not ConventionPayment.objects.exists()


def test_no_payment_into_alize_without_convention(staff, corporation):
    none_signed = convention(staff, corporation, multiple=None, without_convention=True)
    with pytest.raises(ValidationError, match="Trésor public"):
        record_convention_payment(
            convention=none_signed, by=staff, paid_on=SIGNED, amount=Decimal("10")
        )


def test_payment_by_another_basin_refused(signed, other_basin):
    with pytest.raises(PermissionDenied):
        record_convention_payment(
            convention=signed,
            by=make_user(Role.STAFF, other_basin),
            paid_on=SIGNED,
            amount=Decimal("10"),
        )
    assert not ConventionPayment.objects.exists()


# --- What counts toward it ---------------------------------------------------------------


def test_progress_counts_what_falls_in_the_window(staff, corporation):
    created = convention(
        staff, corporation, signature_date=datetime.date(2007, 1, 15), multiple=Decimal("3")
    )
    assert created.smic_monthly == Decimal("1254.28")
    DailyRateFactory(
        corporation=corporation, rate=Decimal("700.00"), valid_from=created.signature_date
    )
    inside = SupportMissionFactory(corporation=corporation, running=True)
    DayLogFactory(mission=inside)
    DayLogFactory(mission=inside, date=inside.start_date + datetime.timedelta(days=1), half=True)
    HireFactory(dossier=inside.dossier, hire_date=datetime.date(2007, 9, 3))
    HireFactory(dossier=inside.dossier, hire_date=datetime.date(2006, 12, 1))  # before: out
    # Days given before the signature do not count.
    before = SupportMissionFactory(
        corporation=corporation,
        running=True,
        start_date=datetime.date(2006, 10, 2),
        end_date=datetime.date(2006, 10, 6),
    )
    DayLogFactory(mission=before)
    HireFactory(dossier=before.dossier, hire_date=datetime.date(2007, 9, 3))

    progress = revitalisation.convention_progress(created, today=datetime.date(2007, 12, 31))
    assert progress.days_given == Decimal("1.5")
    assert progress.skills_value == Decimal("1050.00")
    assert progress.smes_helped == 1
    assert progress.jobs_created == 1
    assert progress.jobs_remaining == 99
    # Nothing else (an advance another app would count) was funded by this convention.
    assert all(amount == 0 for _, amount in progress.others.values())


def test_other_apps_count_through_the_extension_point(signed):
    # A key of its own: the counters the installed apps registered stay as they are.
    revitalisation.register_counter(
        "test_counter", "Compteur d'essai", lambda conv: Decimal("15000.00")
    )
    try:
        progress = revitalisation.convention_progress(signed)
    finally:
        revitalisation.unregister_counter("test_counter")
    assert progress.others["test_counter"] == ("Compteur d'essai", Decimal("15000.00"))
    assert "test_counter" not in {c.key for c in revitalisation.registered_counters()}


def test_progress_runs_a_fixed_number_of_queries(django_assert_num_queries, staff, signed):
    for _ in range(3):
        ConventionPaymentFactory(convention=signed, amount=Decimal("10"), recorded_by=staff)
    # Four, and one per counter another app registered (the advances funded).
    with django_assert_num_queries(4 + len(revitalisation.registered_counters())):
        revitalisation.convention_progress(signed)
