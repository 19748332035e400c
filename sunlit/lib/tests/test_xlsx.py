"""The streaming XLSX reader gives the values openpyxl gives, faster and in flat memory."""

from __future__ import annotations

import io
import zipfile
from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from sunlit.lib import tabular
from sunlit.lib.errors import InvalidInput
from sunlit.lib.xlsx import Workbook, XlsxError


def _book(tmp_path: Path) -> Path:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.title = "2024"
    ws.append(["村代码", "日期", "凭证号", "摘要", "借方金额", "贷方金额", "已审核"])
    ws.append(["431382101201", date(2024, 1, 5), 1, "收到运转经费", 45000, None, True])
    ws.append(["431382101201", datetime(2024, 1, 12, 9, 30), 2.0, '支付电费 <&> "引号"', 386.4, 0.5, False])
    ws["B3"].number_format = "yyyy/m/d h:mm"
    ws["E4"] = "只有一格"  # a row with one cell, in the middle
    ws["A7"] = "间隔后的行"  # rows 5 and 6 are missing from the file
    ws["E8"] = 1234567890123  # a big integer stays an integer
    ws["F8"] = 1e-7
    ws["C9"] = "=1+1"  # a formula with no cached value: None, as openpyxl's data_only gives
    second = wb.create_sheet("2025")
    second.append(["村代码", "日期"])
    second.append(["431382101202", date(2025, 2, 1)])
    path = tmp_path / "book.xlsx"
    wb.save(path)
    return path


def _openpyxl_rows(path: Path, index: int) -> list[list[object]]:
    book = load_workbook(path, read_only=True, data_only=True)
    rows = []
    for row in book.worksheets[index].iter_rows(values_only=True):
        values = list(row)
        while values and values[-1] is None:
            values.pop()
        rows.append(values)
    book.close()
    return rows


def test_it_reads_what_openpyxl_reads(tmp_path: Path) -> None:
    path = _book(tmp_path)
    with path.open("rb") as f:
        book = Workbook(f)
        assert [name for name, _ in book.sheets] == ["2024", "2025"]
        ours = [list(book.rows(0)), list(book.rows(1))]
        book.close()
    assert ours == [_openpyxl_rows(path, 0), _openpyxl_rows(path, 1)]
    assert ours[0][1][1] == datetime(2024, 1, 5) and ours[0][2][1] == datetime(2024, 1, 12, 9, 30)
    assert ours[0][1][2] == 1 and isinstance(ours[0][1][2], int) and ours[0][2][4] == 386.4
    assert ours[0][2][3] == '支付电费 <&> "引号"' and ours[0][1][6] is True
    assert ours[0][4] == [] and ours[0][6] == ["间隔后的行"]  # row numbers stay Excel's
    assert ours[0][7][4] == 1234567890123


def _rewrite(path: Path, out: Path, change: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            dst.writestr(item, change.get(item.filename, src.read(item.filename)))


def test_it_reads_shared_strings_rich_text_and_a_namespace_prefix(tmp_path: Path) -> None:
    path = _book(tmp_path)
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        '<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="C1" t="s"><x:v>1</x:v></x:c></x:row>'
        '<x:row r="2"><x:c r="B2" t="inlineStr"><x:is><x:r><x:t>硬</x:t></x:r><x:r><x:t>化</x:t></x:r></x:is>'
        '</x:c><x:c r="D2" t="str"><x:f>A1</x:f><x:v>公式结果</x:v></x:c><x:c r="E2" t="e"><x:v>#N/A</x:v></x:c>'
        "</x:row></x:sheetData></x:worksheet>"
    ).encode()
    strings = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
        "<si><t>村代码</t></si><si><r><t>摘</t></r><r><t>要</t></r><rPh><t>zhai</t></rPh></si></sst>"
    ).encode()
    out = tmp_path / "prefixed.xlsx"
    _rewrite(path, out, {"xl/worksheets/sheet1.xml": sheet, "xl/sharedStrings.xml": strings})
    with zipfile.ZipFile(out, "a") as z:
        if "xl/sharedStrings.xml" not in z.namelist():
            z.writestr("xl/sharedStrings.xml", strings)
    with out.open("rb") as f:
        book = Workbook(f)
        rows = list(book.rows(0))
        book.close()
    assert rows == [["村代码", None, "摘要"], [None, "硬化", None, "公式结果"]]


def test_it_refuses_what_is_not_a_workbook(tmp_path: Path) -> None:
    with pytest.raises(XlsxError):
        Workbook(io.BytesIO(b"PK\x03\x04 not really a zip"))
    empty = io.BytesIO()
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("hello.txt", "hi")
    with pytest.raises(XlsxError):
        Workbook(empty)
    broken = tmp_path / "broken.xlsx"
    _rewrite(_book(tmp_path), broken, {"xl/worksheets/sheet1.xml": b"<worksheet><sheetData><row><c>"})
    with pytest.raises(InvalidInput):
        list(tabular.rows(broken, None, []))


def test_it_numbers_rows_by_sheet_and_names_the_sheet_in_labels(tmp_path: Path) -> None:
    path = _book(tmp_path)
    numbered = [n for n, _cells in tabular.rows(path, None, [])]
    assert numbered[:2] == [1, 2] and numbered[-2:] == [10_000_001, 10_000_002]
    assert tabular.row_label(10_000_002, tabular.sheet_names(path)) == "2025!2"
