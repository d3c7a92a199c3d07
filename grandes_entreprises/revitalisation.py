"""What counts toward a revitalisation convention, beside the money paid into Alizé.

A convention asks a corporation to pay (the amount due, a generated column) and to help
recreate jobs in the area it affects. What the operator shows it, over the convention's
window (from its signature to its end, or to today):
- the money paid into the programme, and the balance still due;
- the skills its experts gave (days and their value) and the SMEs they helped;
- the jobs created in those SMEs (hires of their dossiers), against the jobs to recreate;
- and whatever other apps count toward it, through `register_counter`.

Extension point: the advances app will let an advance name the convention that funded it
(a foreign key on its side, so this app never depends on it) and register, in its
AppConfig.ready():

    register_counter(
        "advances_funded", "Avances remboursables financées",
        lambda convention: <sum of the advances whose funding convention is this one>,
    )

Each counter costs one query; `convention_progress` runs a fixed number otherwise.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum
from django.utils import timezone

from grandes_entreprises.models import DayLog, RevitalisationConvention
from grandes_entreprises.models.common import ZERO
from pme.models import Hire

CounterFunction = Callable[[RevitalisationConvention], Decimal]


@dataclass(frozen=True)
class Counter:
    key: str
    label: str
    function: CounterFunction


_COUNTERS: dict[str, Counter] = {}


def register_counter(key: str, label: str, function: CounterFunction) -> None:
    """Let another app count something toward every convention (e.g. advances funded).

    Registering the same key again replaces the counter (a reloaded app stays single).
    """
    _COUNTERS[key] = Counter(key=key, label=label, function=function)


def unregister_counter(key: str) -> None:
    _COUNTERS.pop(key, None)


def registered_counters() -> list[Counter]:
    return list(_COUNTERS.values())


@dataclass
class ConventionProgress:
    convention: RevitalisationConvention
    window_start: datetime.date
    window_end: datetime.date
    paid: Decimal
    days_given: Decimal
    skills_value: Decimal
    smes_helped: int
    jobs_created: int
    others: dict[str, tuple[str, Decimal]] = field(default_factory=dict)

    @property
    def amount_due(self) -> Decimal:
        return self.convention.amount_due

    @property
    def balance(self) -> Decimal:
        """What the corporation still owes the programme: due − paid."""
        return self.convention.amount_due - self.paid

    @property
    def jobs_to_recreate(self) -> int:
        return self.convention.jobs_to_recreate

    @property
    def jobs_remaining(self) -> int:
        return max(self.convention.jobs_to_recreate - self.jobs_created, 0)


def convention_progress(
    convention: RevitalisationConvention, *, today: datetime.date | None = None
) -> ConventionProgress:
    """The balance of a convention and what counts toward it, in four queries (plus one
    per registered counter).

    Only what falls within the convention's window counts: days given from its signature
    to its end (or today), the SMEs those days went to, and the hires those SMEs made in
    the same window.
    """
    start = convention.signature_date
    end = convention.ends_on or (today or timezone.localdate())
    paid = convention.payments.aggregate(total=Sum("amount"))["total"] or ZERO
    logs = DayLog.objects.for_corporation(convention.corporation_id).between(start, end)
    totals = logs.totals()
    helped_dossiers = logs.values("assignment__mission__dossier_id")
    jobs_created = Hire.objects.filter(
        dossier_id__in=helped_dossiers, hire_date__gte=start, hire_date__lte=end
    ).count()
    smes = logs.order_by().values("assignment__mission__dossier__pme").distinct().count()
    return ConventionProgress(
        convention=convention,
        window_start=start,
        window_end=end,
        paid=paid,
        days_given=totals["days"],
        skills_value=totals["value"],
        smes_helped=smes,
        jobs_created=jobs_created,
        others={
            counter.key: (counter.label, counter.function(convention))
            for counter in registered_counters()
        },
    )
