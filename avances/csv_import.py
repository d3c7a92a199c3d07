"""Bulk entry of repayments from a bank statement exported as CSV.

The file: one payment a line, `date;amount;reference`, separated by semicolons (as French
spreadsheets write them); a first line naming the columns is skipped; blank lines too.
Dates are dd/mm/yyyy; amounts are French ("1 234,56", "1234,56 €"). The reference is the
label of the transfer: it must contain the advance's reference (AV2007-00012), as SMEs
are asked to write on their transfers; spaces and letter case do not matter. UTF-8 and
Windows-1252 files are both read.

`preview_statement` reads the file and says, row by row, what would be recorded and
every French error, writing nothing. `import_statement` does the same again under the
funds' locks and, only if no row has an error, records every payment (through
`record_payment`) in one transaction: a single bad row and nothing is saved.
"""

import csv
import datetime
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from alize.forms import parse_euros
from avances import permissions
from avances.fund import lock_fund
from avances.models import Advance, Payment, PaymentMeans
from avances.services import payment_errors, payment_state, record_payment

_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# AV, the decision year, the dossier number (five digits or more), spaces and dashes
# between them optional: "AV2007-00012", "av 2007 00012", "AV200700012".
_REFERENCE = re.compile(r"AV\s*-?\s*(\d{4})\s*-?\s*(\d{5,})")
UNKNOWN_ADVANCE_MESSAGE = "L'avance {reference} est inconnue ou ne relève pas de vos bassins."


@dataclass
class StatementRow:
    line: int
    cells: list[str]
    paid_on: datetime.date | None = None
    amount: Decimal | None = None
    reference: str = ""
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


def _decode(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("cp1252")


def parse_date(text: str) -> datetime.date:
    match = _DATE.match(text.strip())
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            pass
    raise ValidationError(f"Date illisible « {text.strip()} » : attendue au format jj/mm/aaaa.")


def find_reference(text: str) -> str | None:
    """The advance reference in a transfer's label, normalised (AV2007-00012), or None."""
    match = _REFERENCE.search(text.upper())
    return f"AV{match.group(1)}-{match.group(2)}" if match else None


def _is_header(cells: list[str]) -> bool:
    return bool(cells) and cells[0].strip().lower().startswith("date")


def parse_statement(content: bytes | str) -> list[StatementRow]:
    """The rows of the file with their values read; formatting errors noted on each row."""
    text = _decode(content)
    rows = []
    reader = csv.reader(io.StringIO(text), delimiter=";")
    for line, cells in enumerate(reader, start=1):
        if not any(cell.strip() for cell in cells):
            continue
        if not rows and _is_header(cells):
            continue
        row = StatementRow(line=line, cells=cells)
        rows.append(row)
        if len(cells) != 3:
            row.errors.append(
                "La ligne doit compter trois colonnes séparées par des points-virgules : "
                "date ; montant ; référence."
            )
            continue
        date_text, amount_text, label = cells
        row.reference = label.strip()
        try:
            row.paid_on = parse_date(date_text)
        except ValidationError as error:
            row.errors.extend(error.messages)
        try:
            row.amount = parse_euros(amount_text)
        except ValidationError as error:
            row.errors.extend(f"Montant « {amount_text.strip()} » : {m}" for m in error.messages)
        if row.amount is not None and row.amount <= 0:
            row.errors.append("Le montant d'un remboursement doit être strictement positif.")
    return rows


def preview_statement(content: bytes | str, *, by) -> StatementPreview:
    """Every row of the statement with what it would record and its French errors.

    The payment rules are applied row after row as if the earlier valid rows of the file
    were recorded: two rows that together overpay an advance are caught.
    """
    rows = parse_statement(content)
    preview = StatementPreview(rows=rows)
    if not rows:
        preview.errors.append("Le fichier ne contient aucune ligne de paiement.")
        return preview
    references = [find_reference(row.reference) if len(row.cells) == 3 else None for row in rows]
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
def import_statement(
    content: bytes | str, *, by, means: str = PaymentMeans.TRANSFER
) -> list[Payment]:
    """Record every payment of the statement, or none: the first invalid row (checked again
    here, under the funds' locks) refuses the whole file with every row's error."""
    rows = parse_statement(content)
    references = {find_reference(row.reference) for row in rows} - {None}
    basin_ids = sorted(
        set(Advance.objects.filter(reference__in=references).values_list("basin_id", flat=True))
    )
    # Funds locked in a fixed order: two imports over the same basins never deadlock.
    for basin_id in basin_ids:
        lock_fund(basin_id)
    preview = preview_statement(content, by=by)
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
