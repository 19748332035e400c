"""The one writer of every CSV and XLSX file the platform hands out, safe to open in a
spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel, WPS and
LibreOffice as a formula: a summary like `=HYPERLINK("http://…")` typed into a village's
books, or a name on a public welfare list, must not become a live link on the township's
PC. Every text cell (and every header) is therefore prefixed with ' when it starts with
one of those characters (OWASP's advice on CSV injection). Numbers are written as
numbers and need no prefix: a negative amount stays -12.50, not a formula. Amounts in fen
are `Money`: a number with two decimals in XLSX, plain digits in CSV.

Views do not write CSV or XLSX themselves: they call `response()` (or `to_csv`/`to_xlsx`),
so a new download is safe the day it is written (sunlit/lib/tests/test_exports.py walks
the URL conf for downloads and feeds each the payloads).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpResponse
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class Money(int):
    """An amount in fen, written as yuan: a number in XLSX, digits in CSV."""


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: Any) -> Any:
    if isinstance(value, Money):
        return value
    if value is None:
        return ""
    if isinstance(value, (int, float, Decimal)):
        return value
    return neutralise(str(value))


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM: Excel on a township's Windows PC detects UTF-8 only by its BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(str(h)) for h in headers])
    for row in rows:
        cells = []
        for value in row:
            cell = _cell(value)
            if isinstance(cell, Money):
                sign = "-" if cell < 0 else ""
                whole, part = divmod(abs(int(cell)), 100)
                cell = f"{sign}{whole}.{part:02d}"
            cells.append(cell)
        writer.writerow(cells)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def to_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str = "Sheet1") -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=title[:31] or "Sheet1")
    sheet.append([_text(sheet, neutralise(str(h))) for h in headers])
    for row in rows:
        cells = []
        for value in row:
            cell = _cell(value)
            if isinstance(cell, Money):
                money = WriteOnlyCell(sheet, value=Decimal(int(cell)) / 100)
                money.number_format = "#,##0.00"
                cells.append(money)
            elif isinstance(cell, str):
                cells.append(_text(sheet, cell))
            else:
                cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _text(sheet: Any, value: str) -> WriteOnlyCell:
    # Set as a plain string: openpyxl would otherwise store "=…" as a formula.
    cell = WriteOnlyCell(sheet, value=value)
    cell.data_type = "s"
    return cell


def response(
    fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str, title: str = "Sheet1"
) -> HttpResponse:
    """A download of the table as `filename`.csv or .xlsx (`fmt`); any other format is 404."""
    if fmt == "csv":
        reply = HttpResponse(to_csv(headers, rows), content_type=CSV)
    elif fmt == "xlsx":
        reply = HttpResponse(to_xlsx(headers, rows, title=title), content_type=XLSX)
    else:
        raise Http404
    reply["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return reply
