"""Repayments from a bank statement: the rows the CSV reader (`avances.csv_import`) made of
the file, checked against the payment rules and recorded all together or not at all.

`check_statement` says, row by row, what would be recorded and every French error,
writing nothing. A line identical to an earlier one of the same file (same date, amount and
label: a bank exporting a transfer twice, or two real instalments paid the same day) is
flagged and recorded only if the user confirms it. `record_statement` does the same again
under the funds' locks and, only if no row has an error, records every payment (through
`record_payment`) in one transaction: a single bad row and nothing is saved.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from avances import permissions
from avances.models import Advance, Payment, PaymentMeans
from avances.services.fund import lock_fund
from avances.services.payments import payment_errors, payment_state, record_payment

UNKNOWN_ADVANCE_MESSAGE = "L'avance {reference} est inconnue ou ne relève pas de vos bassins."


@dataclass
class StatementRow:
    line: int
    cells: list[str]
    paid_on: datetime.date | None = None
    amount: Decimal | None = None
    reference: str = ""
    advance_reference: str | None = None
    """The advance's reference found in the label (normalised), None if there is none."""
    advance: Advance | None = None
    errors: list[str] = field(default_factory=list)
    duplicate_of: int | None = None
    """The line of the file this one repeats exactly, if any."""
    confirmed: bool = False
    """A repeated line the user confirmed: it is recorded too."""

    @property
    def is_valid(self) -> bool:
        return not self.errors

    @property
    def skipped(self) -> bool:
        """A repeated line not confirmed: shown, not recorded."""
        return self.duplicate_of is not None and not self.confirmed

    def identity(self) -> tuple:
        if self.paid_on is not None and self.amount is not None:
            return (self.paid_on, self.amount, " ".join(self.reference.upper().split()))
        return tuple(" ".join(cell.split()) for cell in self.cells)


@dataclass
class StatementPreview:
    rows: list[StatementRow]
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and all(row.is_valid for row in self.rows)

    @property
    def recorded(self) -> list[StatementRow]:
        """The rows the import records (repeated lines only once confirmed)."""
        return [row for row in self.rows if not row.skipped]

    @property
    def duplicates(self) -> list[StatementRow]:
        return [row for row in self.rows if row.duplicate_of is not None]

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.recorded if row.amount), Decimal("0.00"))

    def messages(self) -> list[str]:
        return self.errors + [
            f"Ligne {row.line} : {error}" for row in self.rows for error in row.errors
        ]


def flag_duplicates(rows: list[StatementRow], confirmed: frozenset[int] = frozenset()) -> None:
    """Mark each row identical to an earlier one of the file (`duplicate_of`), and those of
    them the user confirmed (by line number)."""
    first_line: dict[tuple, int] = {}
    for row in rows:
        key = row.identity()
        if key in first_line:
            row.duplicate_of = first_line[key]
            row.confirmed = row.line in confirmed
        else:
            first_line[key] = row.line


def check_statement(
    rows: list[StatementRow], *, by, confirmed_duplicates: frozenset[int] = frozenset()
) -> StatementPreview:
    """Every row of the statement with what it would record and its French errors.

    The payment rules are applied row after row as if the earlier valid rows of the file
    were recorded: two rows that together overpay an advance are caught. A repeated line
    (see `flag_duplicates`) counts only if its line is in `confirmed_duplicates`.
    """
    flag_duplicates(rows, confirmed_duplicates)
    preview = StatementPreview(rows=rows)
    if not rows:
        preview.errors.append("Le fichier ne contient aucune ligne de paiement.")
        return preview
    references = [row.advance_reference if len(row.cells) == 3 else None for row in rows]
    advances = Advance.objects.select_related("dossier__pme").in_bulk(
        {ref for ref in references if ref}, field_name="reference"
    )
    states = {}
    for row, reference in zip(rows, references, strict=True):
        if len(row.cells) != 3 or row.skipped:
            continue
        if reference is None:
            row.errors.append(
                f"Aucune référence d'avance (de la forme AV2007-00012) dans « {row.reference} »."
            )
            continue
        advance = advances.get(reference)
        if advance is None or not permissions.can_manage_advances(by, advance.basin_id):
            row.errors.append(UNKNOWN_ADVANCE_MESSAGE.format(reference=reference))
            continue
        row.advance = advance
        if row.paid_on is None or row.amount is None or row.errors:
            continue
        if advance.pk not in states:
            states[advance.pk] = payment_state(advance)
        state = states[advance.pk]
        errors = payment_errors(state, paid_on=row.paid_on, amount=row.amount)
        row.errors.extend(str(message) for message in errors.values())
        if (
            Payment.objects.not_reversed()
            .filter(
                advance=advance, paid_on=row.paid_on, amount=row.amount, reference=row.reference
            )
            .exists()
        ):
            row.errors.append(
                "Ce paiement est déjà enregistré (même avance, date, montant et libellé) : "
                "relevé importé deux fois ?"
            )
        if row.is_valid:
            state.outstanding -= row.amount
    return preview


@transaction.atomic
def record_statement(
    rows: list[StatementRow],
    *,
    by,
    means: str = PaymentMeans.TRANSFER,
    confirmed_duplicates: frozenset[int] = frozenset(),
) -> list[Payment]:
    """Record every payment of the statement, or none: the first invalid row (checked again
    here, under the funds' locks) refuses the whole file with every row's error. A line
    repeating an earlier one is recorded only if its line is in `confirmed_duplicates`."""
    references = {row.advance_reference for row in rows} - {None}
    basin_ids = sorted(
        set(Advance.objects.filter(reference__in=references).values_list("basin_id", flat=True))
    )
    # Funds locked in a fixed order: two imports over the same basins never deadlock.
    for basin_id in basin_ids:
        lock_fund(basin_id)
    preview = check_statement(rows, by=by, confirmed_duplicates=confirmed_duplicates)
    if not preview.is_valid:
        raise ValidationError(preview.messages())
    return [
        record_payment(
            advance=row.advance,
            paid_on=row.paid_on,
            amount=row.amount,
            means=means,
            reference=row.reference,
            by=by,
        )
        for row in preview.recorded
    ]
