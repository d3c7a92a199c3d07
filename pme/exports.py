"""The filtered lists of SMEs and dossiers as spreadsheets: CSV for any tool, XLSX for Excel.

CSV is written the way French spreadsheet software reads it without asking: UTF-8 with a
byte order mark, `;` between fields, decimal commas. XLSX cells are typed (numbers,
amounts in euros, dates), so the figures add up in the spreadsheet. Both are built in
memory from rows already fetched: the number of queries does not depend on the rows.
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from pme.models import DossierKind, Need, OrientationSource, Sector, SizeBand
from pme.workflow import NEXT_ACTIONS, DossierState

TEXT, INTEGER, MONEY, DATE = "text", "integer", "money", "date"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A spreadsheet runs a cell starting with one of these as a formula: a company named
# "=HYPERLINK(...)" must stay a name.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportColumn:
    header: str
    kind: str
    value: Callable


def _label(choices, value) -> str:
    return choices(value).label if value else ""


def _person(user) -> str:
    return str(user) if user else ""


def _orienting_partner(dossier) -> str:
    if dossier.oriented_by_epci_id:
        return dossier.oriented_by_epci.name
    return dossier.orientation_partner


def _days_in_state(dossier):
    return dossier.days_in_state if dossier else None


def _current(attribute: str, transform=None):
    """A column read on the SME's current dossier (empty when it has none)."""

    def read(pme):
        dossier = pme.current_dossier
        if dossier is None:
            return None
        value = getattr(dossier, attribute)
        return transform(value) if transform else value

    return read


PME_COLUMNS = (
    ExportColumn("Raison sociale", TEXT, lambda p: p.name),
    ExportColumn("SIRET", TEXT, lambda p: p.siret),
    ExportColumn("SIREN", TEXT, lambda p: p.siren),
    ExportColumn("Forme juridique", TEXT, lambda p: p.get_legal_form_display()),
    ExportColumn("Code NAF", TEXT, lambda p: p.naf_code),
    ExportColumn("Secteur", TEXT, lambda p: _label(Sector, p.sector)),
    ExportColumn("Effectif", INTEGER, lambda p: p.headcount),
    ExportColumn("Tranche d'effectif", TEXT, lambda p: _label(SizeBand, p.size_band)),
    ExportColumn("Date de création", DATE, lambda p: p.founding_date),
    ExportColumn("Commune", TEXT, lambda p: p.commune.name),
    ExportColumn("Code postal", TEXT, lambda p: p.commune.postcode),
    ExportColumn("Intercommunalité", TEXT, lambda p: p.commune.epci.name),
    ExportColumn("Bassin", TEXT, lambda p: p.commune.epci.basin.name),
    ExportColumn("N° du dossier en cours", INTEGER, _current("pk")),
    ExportColumn("État du dossier", TEXT, _current("state", lambda s: DossierState(s).label)),
    ExportColumn(
        "Dans cet état depuis le",
        DATE,
        _current("state_changed_at", lambda at: timezone.localdate(at)),
    ),
    ExportColumn("Jours dans l'état", INTEGER, lambda p: _days_in_state(p.current_dossier)),
    ExportColumn("Prochaine action", TEXT, _current("state", lambda s: NEXT_ACTIONS[s])),
    ExportColumn("Emplois prévus", INTEGER, _current("jobs_planned")),
    ExportColumn("Avance demandée (€)", MONEY, _current("advance_requested")),
    ExportColumn(
        "Orientée par",
        TEXT,
        _current("orientation_source", lambda s: OrientationSource(s).label),
    ),
    ExportColumn("Date d'orientation", DATE, _current("orientation_date")),
    ExportColumn("Chargé(e) de mission", TEXT, _current("staff_member", _person)),
)

DOSSIER_COLUMNS = (
    ExportColumn("N° du dossier", INTEGER, lambda d: d.pk),
    ExportColumn("Raison sociale", TEXT, lambda d: d.pme.name),
    ExportColumn("SIRET", TEXT, lambda d: d.pme.siret),
    ExportColumn("Secteur", TEXT, lambda d: _label(Sector, d.pme.sector)),
    ExportColumn("Tranche d'effectif", TEXT, lambda d: _label(SizeBand, d.pme.size_band)),
    ExportColumn("Commune", TEXT, lambda d: d.pme.commune.name),
    ExportColumn("Intercommunalité", TEXT, lambda d: d.pme.commune.epci.name),
    ExportColumn("Bassin", TEXT, lambda d: d.pme.commune.epci.basin.name),
    ExportColumn("État", TEXT, lambda d: d.get_state_display()),
    ExportColumn("Dans cet état depuis le", DATE, lambda d: timezone.localdate(d.state_changed_at)),
    ExportColumn("Jours dans l'état", INTEGER, lambda d: d.days_in_state),
    ExportColumn("Prochaine action", TEXT, lambda d: d.next_action),
    ExportColumn("Nature du projet", TEXT, lambda d: _label(DossierKind, d.kind)),
    ExportColumn("Besoins", TEXT, lambda d: ", ".join(Need(n).label for n in d.needs)),
    ExportColumn("Emplois prévus", INTEGER, lambda d: d.jobs_planned),
    ExportColumn("Horizon des emplois (mois)", INTEGER, lambda d: d.jobs_horizon_months),
    ExportColumn("Embauches réalisées", INTEGER, lambda d: d.hires_count),
    ExportColumn("Avance demandée (€)", MONEY, lambda d: d.advance_requested),
    ExportColumn("Prêts bancaires associés (€)", MONEY, lambda d: d.bank_loans),
    ExportColumn("Orientée par", TEXT, lambda d: d.get_orientation_source_display()),
    ExportColumn("Prescripteur", TEXT, _orienting_partner),
    ExportColumn("Date d'orientation", DATE, lambda d: d.orientation_date),
    ExportColumn("Chargé(e) de mission", TEXT, lambda d: _person(d.staff_member)),
    ExportColumn("Date de décision du comité", DATE, lambda d: d.decision_date),
)


def _safe_text(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _csv_value(kind: str, value) -> str:
    if value is None or value == "":
        return ""
    if kind == MONEY:
        return f"{Decimal(value):.2f}".replace(".", ",")
    if kind == INTEGER:
        return str(value)
    if kind == DATE:
        return value.strftime("%d/%m/%Y")
    return _safe_text(value)


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate():%Y-%m-%d}.{extension}"


def csv_response(stem: str, columns: Iterable[ExportColumn], rows: Iterable) -> HttpResponse:
    buffer = io.StringIO()
    # The BOM tells spreadsheet software the file is UTF-8 (accents in names, "€").
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow([column.header for column in columns])
    for row in rows:
        writer.writerow([_csv_value(column.kind, column.value(row)) for column in columns])
    response = HttpResponse(buffer.getvalue().encode("utf-8"), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


NUMBER_FORMATS = {MONEY: '#,##0.00 "€"', INTEGER: "0", DATE: "DD/MM/YYYY"}


def xlsx_response(
    stem: str, title: str, columns: Iterable[ExportColumn], rows: Iterable
) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value, kind=TEXT, font=None):
        if kind == TEXT:
            value = None if value in (None, "") else str(value)
        elif kind == MONEY and value is not None:
            value = Decimal(value)
        elif kind == DATE and isinstance(value, datetime.datetime):
            value = value.date()
        result = WriteOnlyCell(sheet, value=value)
        if kind == TEXT and value is not None:
            # Text stays text, even "=1+1": never a formula run by the spreadsheet.
            result.data_type = "s"
        elif kind in NUMBER_FORMATS:
            result.number_format = NUMBER_FORMATS[kind]
        if font:
            result.font = font
        return result

    sheet.append([cell(column.header, font=bold) for column in columns])
    for row in rows:
        sheet.append([cell(column.value(row), column.kind) for column in columns])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "xlsx")}"'
    return response
