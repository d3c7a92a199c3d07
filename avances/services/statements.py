"""Repayments from a bank statement: the rows the CSV reader (`avances.csv_import`) made of
the file, checked against the payment rules and recorded all together or not at all.

`check_statement` says, row by row, what would be recorded and every French error,
writing nothing. `record_statement` does the same again under the funds' locks and, only
if no row has an error, records every payment (through `record_payment`) in one
transaction: a single bad row and nothing is saved.
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

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class StatementPreview:
    rows: list[StatementRow]
    errors: list[str] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors and all(row.is_valid for row in self.rows)

    @property
    def total(self) -> Decimal:
        return sum((row.amount for row in self.rows if row.amount), Decimal("0.00"))

    def messages(self) -> list[str]:
        return self.errors + [
            f"Ligne {row.line} : {error}" for row in self.rows for error in row.errors
        ]


def check_statement(rows: list[StatementRow], *, by) -> StatementPreview:
    """Every row of the statement with what it would record and its French errors.

    The payment rules are applied row after row as if the earlier valid rows of the file
    were recorded: two rows that together overpay an advance are caught.
    """
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
        if len(row.cells) != 3:
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
    rows: list[StatementRow], *, by, means: str = PaymentMeans.TRANSFER
) -> list[Payment]:
    """Record every payment of the statement, or none: the first invalid row (checked again
    here, under the funds' locks) refuses the whole file with every row's error."""
    references = {row.advance_reference for row in rows} - {None}
    basin_ids = sorted(
        set(Advance.objects.filter(reference__in=references).values_list("basin_id", flat=True))
    )
    # Funds locked in a fixed order: two imports over the same basins never deadlock.
    for basin_id in basin_ids:
        lock_fund(basin_id)
    preview = check_statement(rows, by=by)
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
        for row in preview.rows
    ]
