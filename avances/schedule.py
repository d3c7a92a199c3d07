"""The arithmetic of an interest-free advance: terms, due dates, instalments, gross grant
equivalent. Pure functions on `Decimal` and dates, no database: the services build the
schedules with them, the de minimis check prices an advance with them.

Duration and grace period
    The duration is the whole life of the advance from its (first) disbursement and
    *includes* the grace period. 36 months with 6 months' grace: no instalment for 6
    months, then 30 monthly instalments, the last one due 36 months after the
    disbursement. There are (duration − grace) ÷ period instalments (a period is 1 month,
    or 3 for quarterly instalments), which must be a whole number.

Due dates
    Instalment k falls due `grace + k × period` months after the anchor (the first
    disbursement, or the start date of a rescheduling): the first one grace + 1 period
    after it. Every date is counted from the anchor, never from the previous due date, so
    the anchor's day comes back whenever the month has it: 31 January → 28 (29 in a leap
    year) February → 31 March. A date that falls on a weekend or a French public holiday
    then moves by the basin's rule (`alize.business_days.DueDateRule`: to the next business
    day by default, to the previous one, or not at all); lateness counts from the date
    moved. The move never feeds the next date: each is counted from the anchor again.

Amounts
    Each instalment is the principal ÷ their number, rounded *down* to the cent; the last
    one takes what is left, so the instalments add up to exactly the principal (the last is
    at most count − 1 cents above the others). A principal smaller than one cent per
    instalment (a few cents left to reschedule) is spread one cent at a time over the first
    due dates.

Gross grant equivalent (équivalent-subvention brut, for the de minimis rules)
    The advantage of an interest-free loan is the interest the SME does not pay. We use the
    standard simplified formula: the present value, at the reference rate, of the interest
    the reference rate would have charged on the principal outstanding each month of the
    schedule. With r the annual reference rate and i = r ÷ 12 its monthly rate, O_m the
    principal outstanding during month m (before the instalment due at its end):

        GGE = Σ_{m=1..duration} O_m × i × (1 + i)^-m

    which is also P − Σ_k A_k × (1 + i)^-m_k (the principal minus the present value of
    the instalments A_k due at month m_k). Rounded half up to the cent.
"""

import calendar
import datetime
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext

from alize.business_days import DueDateRule, move_due_date

CENT = Decimal("0.01")
MAX_DURATION_MONTHS = 120
MAX_GRACE_MONTHS = 12

DURATION_MESSAGE = f"La durée de l'avance va de 1 à {MAX_DURATION_MONTHS} mois."
GRACE_MESSAGE = f"Le différé de remboursement va de 0 à {MAX_GRACE_MONTHS} mois."
GRACE_WITHIN_DURATION_MESSAGE = (
    "Le différé est compris dans la durée de l'avance : il doit lui être inférieur."
)
QUARTERS_MESSAGE = (
    "En échéances trimestrielles, la durée hors différé doit compter un nombre entier de "
    "trimestres."
)


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day `months` later (or earlier), or the month's last day when it has no such
    day: 31 January 2024 + 1 → 29 February 2024; 31 January 2007 + 1 → 28 February 2007."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(
        year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1])
    )


def terms_errors(duration_months, grace_months, period_months: int) -> dict[str, str]:
    """French messages, by field, for terms an advance cannot have (empty when valid)."""
    errors = {}
    if duration_months is None or not 1 <= duration_months <= MAX_DURATION_MONTHS:
        errors["duration_months"] = DURATION_MESSAGE
    if grace_months is None or not 0 <= grace_months <= MAX_GRACE_MONTHS:
        errors["grace_months"] = GRACE_MESSAGE
    if errors:
        return errors
    if grace_months >= duration_months:
        errors["grace_months"] = GRACE_WITHIN_DURATION_MESSAGE
    elif (duration_months - grace_months) % period_months:
        errors["duration_months"] = QUARTERS_MESSAGE
    return errors


def instalment_count(duration_months: int, grace_months: int, period_months: int) -> int:
    if terms_errors(duration_months, grace_months, period_months):
        raise ValueError("invalid advance terms")
    return (duration_months - grace_months) // period_months


def due_dates(
    anchor: datetime.date, *, grace_months: int, period_months: int, count: int
) -> list[datetime.date]:
    return [add_months(anchor, grace_months + k * period_months) for k in range(1, count + 1)]


def split_principal(principal: Decimal, count: int) -> list[Decimal]:
    """`count` amounts in cents adding up to exactly `principal`; the last absorbs the
    rounding. Fewer amounts when the principal has fewer cents than `count`."""
    if principal <= 0 or count < 1:
        raise ValueError("a schedule spreads a positive principal over one instalment or more")
    if principal != principal.quantize(CENT):
        raise ValueError("the principal is an amount in cents")
    cents = int(principal / CENT)
    if cents < count:
        return [CENT] * cents
    regular = (principal / count).quantize(CENT, rounding=ROUND_DOWN)
    return [regular] * (count - 1) + [principal - regular * (count - 1)]


@dataclass(frozen=True)
class PlannedInstalment:
    number: int
    due_date: datetime.date
    amount: Decimal
    # Months from the anchor to the due date: what the gross grant equivalent discounts.
    month: int


def plan_schedule(
    *,
    principal: Decimal,
    anchor: datetime.date,
    duration_months: int,
    grace_months: int,
    period_months: int,
    due_date_rule: str = DueDateRule.NONE,
    departement: str | None = None,
) -> list[PlannedInstalment]:
    """The instalments of `principal` lent on `anchor` under these terms (see the module),
    each due date moved to a business day by `due_date_rule` (none by default)."""
    count = instalment_count(duration_months, grace_months, period_months)
    amounts = split_principal(principal, count)
    return [
        PlannedInstalment(
            number=k,
            due_date=move_due_date(
                add_months(anchor, grace_months + k * period_months),
                due_date_rule,
                departement=departement,
            ),
            amount=amount,
            month=grace_months + k * period_months,
        )
        for k, amount in enumerate(amounts, start=1)
    ]


def gross_grant_equivalent(
    *,
    principal: Decimal,
    duration_months: int,
    grace_months: int,
    period_months: int,
    annual_rate_percent: Decimal,
) -> Decimal:
    """The gross grant equivalent of lending `principal` at zero interest (see the module):
    the present value of the monthly interest at the reference rate, to the cent."""
    # Dates do not matter, only months: any anchor gives the same instalments.
    instalments = plan_schedule(
        principal=principal,
        anchor=datetime.date(2001, 1, 1),
        duration_months=duration_months,
        grace_months=grace_months,
        period_months=period_months,
    )
    due_in_month = {}
    for instalment in instalments:
        due_in_month[instalment.month] = due_in_month.get(instalment.month, 0) + instalment.amount
    with localcontext() as context:
        context.prec = 40
        monthly_rate = Decimal(annual_rate_percent) / 100 / 12
        discount = 1 / (1 + monthly_rate)
        outstanding, factor, total = principal, Decimal(1), Decimal(0)
        for month in range(1, duration_months + 1):
            factor *= discount
            total += outstanding * monthly_rate * factor
            outstanding -= due_in_month.get(month, 0)
        return total.quantize(CENT, rounding=ROUND_HALF_UP)
