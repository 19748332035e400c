"""Hostile and broken import files are refused early, at their row and column, in flat
memory (issue 14, points 8 and 9). Each file is built here, in memory: a few KB that
would have asked for gigabytes."""

from __future__ import annotations

import io
import os
import tracemalloc
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import translation

from sunlit.lib import idnumbers, tabular, xlsx
from sunlit.lib.errors import InvalidInput
from sunlit.lib.tabular import ImportRefused, Problem

MAIN = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
WORKBOOK = (
    f'<workbook {MAIN} xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
RELS = (
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/></Relationships>'
)
HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>村代码</t></is></c><c r="B1" t="inlineStr"><is><t>摘要</t></is></c></row>'


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _sheet(rows: str) -> str:
    return f"<worksheet {MAIN}><sheetData>{HEADER}{rows}</sheetData></worksheet>"


def _book(tmp_path: Path, sheet: str | bytes | Iterator[bytes], **more: bytes | str) -> Path:
    path = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        for name, data in more.items():
            z.writestr(name, data)
        if isinstance(sheet, (str, bytes)):
            z.writestr("xl/worksheets/sheet1.xml", sheet)
        else:
            with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as f:
                for piece in sheet:
                    f.write(piece)
    return path


def _repeat(head: bytes, piece: bytes, times: int, tail: bytes) -> Iterator[bytes]:
    yield head
    for _ in range(times):
        yield piece
    yield tail


def _read(path: Path, encoding: str | None = None) -> list[tuple[int, list[Any]]]:
    return list(tabular.rows(path, encoding, []))


def _refused(path: Path, encoding: str | None = None, *, peak_mb: float = 16) -> Problem:
    """The one problem the file is refused with; the reader's peak allocation stays under `peak_mb`."""
    tracemalloc.start()
    try:
        with pytest.raises(ImportRefused) as info:
            _read(path, encoding)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < peak_mb * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"
    assert info.value.count == 1
    return info.value.problems[0]


class TestXlsx:
    def test_it_refuses_a_row_number_past_the_sheet(self, tmp_path: Path) -> None:
        # 1 KB that grew to 2.9 GB: every row up to 900,000,000 was made as an empty list.
        path = _book(tmp_path, _sheet('<row r="900000000"><c r="A900000000"><v>1</v></c></row>'))
        assert path.stat().st_size < 2000
        problem = _refused(path)
        assert "900,000,000" in problem.message and "1,048,576" in problem.message

    def test_it_keeps_a_gap_of_missing_rows_as_a_count(self, tmp_path: Path) -> None:
        # The empty rows of a gap are yielded one by one (a sheet may have 1,048,576).
        path = _book(tmp_path, _sheet('<row r="100000"><c r="A100000"><v>7</v></c></row>'))
        tracemalloc.start()
        try:
            count, last = 0, None
            for number, row in tabular.rows(path, None, []):
                count, last = count + 1, (number, row)
            _current, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert count == 100_000 and last == (100_000, [7])
        assert peak < 1024 * 1024

    def test_it_refuses_a_column_past_xfd(self, tmp_path: Path) -> None:
        # r="ZZZZZZ3" grew a row to 321 million cells (2.5 GB).
        path = _book(tmp_path, _sheet('<row r="2"/><row r="3"><c r="ZZZZZZ3"><v>1</v></c></row>'))
        problem = _refused(path)
        assert problem.row == "3" and "ZZZZZZ3" in problem.message and "XFD" in problem.message

    def test_it_refuses_too_many_cells_without_references(self, tmp_path: Path) -> None:
        path = _book(tmp_path, _sheet('<row r="2">' + "<c><v>1</v></c>" * (xlsx.MAX_COLUMNS + 1) + "</row>"))
        problem = _refused(path)
        assert problem.row == "2" and "XFD" in problem.message

    def test_it_refuses_a_cell_longer_than_excel_allows_at_its_row_and_column(self, tmp_path: Path) -> None:
        text = os.urandom(30_000).hex()  # 60,000 characters that do not compress: no zip bomb
        path = _book(tmp_path, _sheet(f'<row r="2"><c r="B2" t="inlineStr"><is><t>{text}</t></is></c></row>'))
        problem = _refused(path)
        assert (problem.row, problem.column) == ("2", "B (摘要)")
        assert "32,767" in problem.message

    def test_it_refuses_a_long_shared_string(self, tmp_path: Path) -> None:
        strings = f"<sst {MAIN}><si><t>{os.urandom(20_000).hex()}</t></si></sst>"
        path = _book(
            tmp_path, _sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'), **{"xl/sharedStrings.xml": strings}
        )
        assert "32,767" in _refused(path).message

    def test_it_refuses_a_row_longer_than_a_million_characters(self, tmp_path: Path) -> None:
        cell = '<c t="inlineStr"><is><t>{}</t></is></c>'
        row = "".join(cell.format(os.urandom(15_000).hex()) for _ in range(40))  # 40 × 30,000
        problem = _refused(_book(tmp_path, _sheet(f'<row r="2">{row}</row>')))
        assert problem.row == "2" and "1,048,576" in problem.message

    def test_it_refuses_a_2_gib_cell_from_the_central_directory_before_inflating(self, tmp_path: Path) -> None:
        # One cell of 2 GiB in a 2 MB zip took 2.1 GB. Built as it is compressed (64 MiB
        # here: the directory's size and ratio refuse it the same way, before reading).
        head = b"<worksheet " + MAIN.encode() + b'><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
        path = _book(tmp_path, _repeat(head, b"A" * (1 << 20), 64, b"</t></is></c></row></sheetData></worksheet>"))
        assert path.stat().st_size < 200_000
        problem = _refused(path, peak_mb=4)
        assert "xl/worksheets/sheet1.xml" in problem.message and "100 to 1" in problem.message

    def test_it_counts_while_inflating_whatever_the_header_says(self, tmp_path: Path) -> None:
        # zipfile trusts the central directory's sizes; the count does not.
        bomb = zlib.compress(b"<x>" + b"A" * (16 << 20), 9)
        path = _book(tmp_path, _sheet(""))
        with path.open("rb") as f:
            book = xlsx.Workbook(f)
            counted = xlsx._Counted(book, "xl/worksheets/sheet1.xml", io.BytesIO(zlib.decompress(bomb)), len(bomb))
            with pytest.raises(xlsx.XlsxLimit, match="100 to 1"):
                while counted.read(xlsx.CHUNK):
                    pass
            assert counted.read_so_far <= max(xlsx.RATIO_GRACE, len(bomb) * xlsx.MAX_RATIO) + xlsx.CHUNK
            book.close()

    def test_it_measures_the_ratio_against_the_file_not_a_lying_header(self, tmp_path: Path) -> None:
        path = _book(tmp_path, _repeat(b"<worksheet>", b"<row/>" * 1000, 2000, b"</worksheet>"))
        data = bytearray(path.read_bytes())
        # Claim a compressed size of 1 GB in the central directory entry of the sheet.
        name = b"xl/worksheets/sheet1.xml"
        at = data.rfind(b"PK\x01\x02", 0, data.rfind(name))
        data[at + 20 : at + 24] = (1 << 30).to_bytes(4, "little")
        path.write_bytes(bytes(data))
        assert "100 to 1" in _refused(path, peak_mb=4).message

    def test_it_refuses_a_zip_bomb_of_shared_strings_in_flat_memory(self, tmp_path: Path) -> None:
        # 0.26 MB that took a web worker from 88 to 519 MB.
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                f.write(f"<sst {MAIN}>".encode())
                for _ in range(40):
                    f.write(b"<si><t>ab</t></si>" * 50_000)
                f.write(b"</sst>")
        path = _book(tmp_path, _sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'))
        with zipfile.ZipFile(path, "a") as z, zipfile.ZipFile(out) as src:
            z.writestr(src.infolist()[0], src.read("xl/sharedStrings.xml"))
        assert path.stat().st_size < 400_000
        assert "xl/sharedStrings.xml" in _refused(path, peak_mb=4).message

    def test_it_stops_counting_shared_strings_at_the_limit(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(xlsx, "MAX_STRINGS", 1000)
        strings = f"<sst {MAIN}>" + "".join(f"<si><t>{i}</t></si>" for i in range(1001)) + "</sst>"
        path = _book(tmp_path, _sheet(""), **{"xl/sharedStrings.xml": strings})
        assert "1,000" in _refused(path).message

    def test_it_refuses_a_dtd_and_entities(self, tmp_path: Path) -> None:
        laughs = (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            f'<worksheet {MAIN}><sheetData><row><c t="inlineStr"><is><t>&lol2;</t></is></c></row></sheetData></worksheet>'
        )
        assert "DTD" in _refused(_book(tmp_path, laughs)).message

    def test_it_refuses_an_xml_tag_longer_than_a_mib(self, tmp_path: Path) -> None:
        attribute = os.urandom(800_000).hex()  # 1.6 MB inside one tag: expat would hold it whole
        sheet = _sheet(f'<row r="2" x="{attribute}"><c><v>1</v></c></row>')
        assert "MB" in _refused(_book(tmp_path, sheet)).message

    def test_it_reads_odd_digits_in_numbers_as_no_number(self, tmp_path: Path) -> None:
        # "²".isdigit() is True and int("²") raises: the row number and style are ignored.
        sheet = _sheet('<row r="2²"><c r="A2" s="1²"><v>5</v></c></row>')
        assert _read(_book(tmp_path, sheet))[-1] == (2, [5])

    @pytest.mark.parametrize("directory", [2_000, 100_000])
    def test_it_refuses_a_directory_of_too_many_parts(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, directory: int
    ) -> None:
        # zipfile keeps a record of every part: the directory's size is checked first
        # (2,000 bytes here), then the number of parts (1,000 here).
        monkeypatch.setattr(xlsx, "MAX_DIRECTORY", directory)
        path = tmp_path / "parts.xlsx"
        with zipfile.ZipFile(path, "w") as z:
            for i in range(1_001):
                z.writestr(f"p{i}", b"")
            z.writestr("xl/workbook.xml", WORKBOOK)
        assert "too many parts" in _refused(path).message


class TestCsv:
    def _csv(self, tmp_path: Path, *lines: str) -> Path:
        path = tmp_path / "hostile.csv"
        path.write_text("\r\n".join(["村代码,日期,凭证号,摘要", *lines]) + "\r\n", encoding="utf-8")
        return path

    @pytest.mark.parametrize("size", [40_000, 131_073, 3_000_000])
    def test_it_refuses_a_long_cell_at_its_row_and_column(self, tmp_path: Path, size: int) -> None:
        # Over 131,072 characters the csv module raised _csv.Error; 40,000 it read, past Excel's limit.
        path = self._csv(tmp_path, "1,2,3,4", "431382101201,2025-03-02,1," + "x" * size)
        problem = _refused(path, "utf-8-sig")
        assert (problem.row, problem.column) == ("3", "D (摘要)")
        assert "32,767" in problem.message

    def test_it_refuses_a_long_quoted_cell_across_lines(self, tmp_path: Path) -> None:
        path = self._csv(tmp_path, 'a,"' + "line\n" * 40_000 + '",b')
        problem = _refused(path, "utf-8-sig")
        assert (problem.row, problem.column) == ("2", "B (日期)")

    def test_it_refuses_a_record_of_many_short_cells(self, tmp_path: Path) -> None:
        path = self._csv(tmp_path, ",".join(["x" * 1000] * 2000))
        problem = _refused(path, "utf-8-sig")
        assert problem.row == "2" and "1,048,576" in problem.message

    def test_it_refuses_more_columns_than_a_sheet_has(self, tmp_path: Path) -> None:
        path = self._csv(tmp_path, "," * xlsx.MAX_COLUMNS)
        problem = _refused(path, "utf-8-sig")
        assert problem.row == "2" and "16,384" in problem.message

    def test_it_reads_a_cell_of_the_longest_excel_allows(self, tmp_path: Path) -> None:
        path = self._csv(tmp_path, "a,b,c," + "x" * xlsx.MAX_CELL)
        assert len(_read(path, "utf-8-sig")[1][1][3]) == xlsx.MAX_CELL


class TestIdNumbers:
    @pytest.mark.parametrize("odd", ["²", "١", "߀"])
    def test_it_refuses_digits_that_are_not_ascii(self, odd: str) -> None:
        number = "43138219600517123" + "4"
        for at in (0, 8, 17):
            with pytest.raises(InvalidInput, match="18 characters"):
                idnumbers.normalize(number[:at] + odd + number[at + 1 :])
