"""Reading a bank statement exported as CSV: the edge where text becomes values.

The file: one payment a line, `date;amount;reference`, separated by semicolons (as French
spreadsheets write them); a first line naming the columns is skipped; blank lines too.
Dates are dd/mm/yyyy; amounts are French ("1 234,56", "1234,56 €"). The reference is the
label of the transfer: it must contain the advance's reference (AV2007-00012), as SMEs
are asked to write on their transfers; spaces and letter case do not matter; it holds at
most 140 characters, as a SEPA transfer's. UTF-8 and Windows-1252 files are both read, with
any line endings (CRLF, LF, or the CR alone of an old Mac export); a cell longer than the
csv module reads refuses the whole file with a French message.

`parse_statement` turns the file into rows of dates, Decimal amounts and references, with
the formatting errors of each row; the rules of payments are the services'
(`avances.services.statements`, which take rows, never text). `preview_statement` and
`import_statement` read the file and hand its rows to them.
"""

import csv
import datetime
import io
import re

from django.core.exceptions import ValidationError

from alize.forms import parse_euros
from avances.models import Payment, PaymentMeans
from avances.services.statements import (
    StatementPreview,
    StatementRow,
    check_statement,
    record_statement,
)

# A SEPA transfer's remittance information holds 140 characters, as does Payment.reference.
LABEL_MAX_LENGTH = Payment._meta.get_field("reference").max_length
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# AV, the decision year, the dossier number (five digits or more), spaces and dashes
# between them optional: "AV2007-00012", "av 2007 00012", "AV200700012".
_REFERENCE = re.compile(r"AV\s*-?\s*(\d{4})\s*-?\s*(\d{5,})")


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


def _records(text: str):
    """The file's records, whatever its line endings (CRLF, LF, or a classic Mac's CR); a
    cell longer than the csv module reads refuses the file in French."""
    # The reader splits records on LF; CR-only files (and stray CRs) become LFs first.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text), delimiter=";")
    try:
        yield from reader
    except csv.Error as error:
        if "field limit" in str(error):
            limit = f"{csv.field_size_limit():,}".replace(",", "\u202f")
            raise ValidationError(
                f"Ligne {reader.line_num} : une cellule dépasse {limit} caractères ; ce "
                "fichier n'est pas un relevé bancaire.",
                code="field_too_long",
            ) from error
        raise ValidationError(
            f"Ligne {reader.line_num} : le fichier n'est pas un CSV lisible.", code="invalid_csv"
        ) from error


def parse_statement(content: bytes | str) -> list[StatementRow]:
    """The rows of the file with their values read; formatting errors noted on each row.

    Raises a French ValidationError for a file the csv module cannot read at all."""
    text = _decode(content)
    rows = []
    for line, cells in enumerate(_records(text), start=1):
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
        if len(row.reference) > LABEL_MAX_LENGTH:
            row.errors.append(
                f"Le libellé compte {len(row.reference)} caractères : un virement en porte "
                f"{LABEL_MAX_LENGTH} au plus."
            )
        row.advance_reference = find_reference(row.reference)
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


def preview_statement(
    content: bytes | str, *, by, confirmed_duplicates: frozenset[int] = frozenset()
) -> StatementPreview:
    """Every row of the statement with what it would record and its French errors (see
    `avances.services.statements.check_statement`); nothing is written."""
    return check_statement(
        parse_statement(content), by=by, confirmed_duplicates=confirmed_duplicates
    )


def import_statement(
    content: bytes | str,
    *,
    by,
    means: str = PaymentMeans.TRANSFER,
    confirmed_duplicates: frozenset[int] = frozenset(),
):
    """Record every payment of the statement, or none (see `record_statement`); a line
    repeating an earlier one only if its line is in `confirmed_duplicates`."""
    return record_statement(
        parse_statement(content), by=by, means=means, confirmed_duplicates=confirmed_duplicates
    )
