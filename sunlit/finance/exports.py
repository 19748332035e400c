"""CSV and XLSX downloads of what a public page shows, safe to open in a spreadsheet.

A cell that starts with = + - @ (or a tab or carriage return) is read by Excel, WPS and
LibreOffice as a formula: a summary like `=HYPERLINK("http://…")` typed into a village's
books must not become a live link on the township's PC. Every text cell is therefore
prefixed with ' when it starts with one of those characters (OWASP's advice). Amounts are
ours, written as numbers (XLSX) or plain digits (CSV), and need no prefix.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


class Money(int):
    """An amount in fen, written as yuan: a number in XLSX, digits in CSV."""


def neutralise(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _cell(value: Any) -> Any:
    if isinstance(value, Money):
        return value
    if value is None:
        return ""
    if isinstance(value, int):
        return value
    return neutralise(str(value))


def to_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    """UTF-8 with a BOM: Excel on a township's Windows PC detects UTF-8 only by its BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
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
    sheet.append([neutralise(h) for h in headers])
    for row in rows:
        cells = []
        for value in row:
            cell = _cell(value)
            if isinstance(cell, Money):
                money = WriteOnlyCell(sheet, value=Decimal(int(cell)) / 100)
                money.number_format = "#,##0.00"
                cells.append(money)
            elif isinstance(cell, str):
                # Set as a plain string: openpyxl would otherwise store "=…" as a formula.
                text = WriteOnlyCell(sheet, value=cell)
                text.data_type = "s"
                cells.append(text)
            else:
                cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
