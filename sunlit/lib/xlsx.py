"""A streaming reader for the cells of an XLSX workbook: values only, fast, flat memory,
and safe against hostile files.

openpyxl's read-only mode builds a cell object per value and reads about 7,500 rows a
second; a 1-million-row export took over two minutes. This reader feeds the sheet's XML
through expat in chunks straight from the zip and keeps only the current row, the shared
strings and the styles' date formats: several times faster, and memory stays flat
whatever the number of rows.

What it returns per cell, as openpyxl's `values_only` does for an import: text (shared,
inline or formula result strings), int or float for numbers, `datetime` for numbers in a
date format, bool, or None for an empty cell. Formulas give their cached result.

Limits. An XLSX file is a zip of XML, and a few hundred bytes of it can ask for gigabytes:
`<row r="900000000">` (rows up to it), a cell `r="ZZZZZZ3"` (columns up to it), one cell
of 2 GiB in a 2 MB zip, a zip bomb. Every such file is refused with `XlsxLimit` (naming
the row and column where there is one) as soon as the limit is passed, before the memory
is spent. The numbers, and why:

- rows per sheet ≤ 1,048,576 and columns ≤ 16,384 (XFD): Excel's own sheet size, so any
  sheet Excel, WPS or accounting software writes fits;
- a cell ≤ 32,767 characters: Excel's own cell limit;
- a row ≤ 1,048,576 characters in all: an import row is a few hundred; this bounds what
  one row can hold in memory however many columns it has;
- shared strings ≤ 1,048,576 texts and ≤ 16 Mi characters in all: they are kept in memory
  for the whole read (a 1-million-entry book export has a few hundred thousand distinct
  summaries of ~20 characters);
- each part ≤ 2 GiB unpacked, and all parts read ≤ 2 GiB together: two full sheets of an
  accounting export (about 500 bytes of XML a row) fit; checked against the zip's central
  directory before reading and counted again while inflating (the header can lie);
- a part inflates at most 100 to 1 (past its first MiB): real sheets inflate 5–20 to 1, a
  zip bomb thousands (the ratio Apache POI refuses at, too); the compressed size it is
  measured against is never taken as more than the file itself;
- an XML token (a tag, or text between tags) ≤ 1 MiB: expat keeps a whole tag in memory,
  and a legitimate one is a few dozen bytes (a maximal cell's text is under 330 KB even
  written as character references); no DTD or entity declarations at all (a workbook
  never has one; this is what defusedxml refuses too);
- the zip's central directory ≤ 1 MiB (about 10,000 parts; a workbook has a dozen):
  `zipfile` would otherwise hold a record of every part in memory.

The same row, cell and column limits apply to CSV files (sunlit/lib/tabular.py), and
docs/formats/finance-import.md lists them for people.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from datetime import datetime, timedelta
from functools import cached_property
from typing import IO, Any, NoReturn
from xml.parsers import expat

from django.utils.translation import gettext as _

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CHUNK = 1 << 18

MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
MAX_CELL = 32_767
MAX_ROW_CHARS = 1_048_576
MAX_STRINGS = 1_048_576
MAX_STRING_CHARS = 16 * 1_048_576
MAX_UNPACKED = 2 * 1024**3
MAX_RATIO = 100
RATIO_GRACE = 1 << 20
MAX_TOKEN = 1 << 20
MAX_DIRECTORY = 1 << 20

# Built-in number formats that are dates or times (ECMA-376 §18.8.30, and the ones the
# Chinese-language Excel uses: 27–36, 50–58).
_BUILTIN_DATES = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
_QUOTED = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.')
_EPOCH = datetime(1899, 12, 30)


def _serial_date(number: float) -> Any:
    """An Excel date serial (1900 system) as openpyxl reads it: to the millisecond; a
    fraction of a day alone is a time; serials below 60 carry Excel's 1900 leap-day bug."""
    day, fraction = divmod(number, 1)
    diff = timedelta(milliseconds=round(fraction * 86_400_000))
    try:
        if 0 <= number < 1 and diff.days == 0:
            return (datetime.min + diff).time()
        if 0 < number < 60:
            day += 1
        return _EPOCH + timedelta(days=day) + diff
    except OverflowError:
        return number


class XlsxError(ValueError):
    """The file is not a workbook this reader can read."""


class XlsxLimit(XlsxError):
    """The workbook passes one of the limits above. `row` (1-based, in its sheet) and
    `column` (a letter such as "D") say where, when there is a where."""

    def __init__(self, message: str, *, row: int | None = None, column: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.row = row
        self.column = column


def column_letter(index: int) -> str:
    """The letters of a 0-based column: 0 → A, 26 → AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _col(ref: str) -> int:
    """0-based column of a cell reference such as "AB12"; MAX_COLUMNS for any column past
    the last one (the loop stops there: a reference may be long)."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
            if n > MAX_COLUMNS:
                return MAX_COLUMNS
        else:
            break
    return n - 1


def _is_date_format(code: str) -> bool:
    text = _QUOTED.sub("", code).lower()
    return any(ch in text for ch in "dmyhs") and "general" not in text


def _number(text: str) -> int | None:
    """A number attribute made of ASCII digits only (str.isdigit also takes "²")."""
    return int(text) if text.isascii() and text.isdigit() and len(text) < 12 else None


def _mb(size: int) -> str:
    return f"{size // (1 << 20):,}"


class _Counted:
    """A zip part being inflated, counted: refused past the size and ratio limits
    whatever its header said."""

    def __init__(self, book: Workbook, name: str, raw: IO[bytes], packed: int) -> None:
        self.book, self.name, self.raw = book, name, raw
        self.allowed = min(MAX_UNPACKED, max(RATIO_GRACE, packed * MAX_RATIO))
        self.read_so_far = 0

    def read(self, size: int) -> bytes:
        chunk = self.raw.read(size)
        self.read_so_far += len(chunk)
        self.book.unpacked += len(chunk)
        if self.read_so_far > self.allowed:
            self.book.refuse_part(self.name, self.read_so_far)
        if self.book.unpacked > MAX_UNPACKED:
            raise XlsxLimit(
                _("The workbook unpacks to more than %(max)s MB: refused as a possible zip bomb")
                % {"max": _mb(MAX_UNPACKED)}
            )
        return chunk


def _refuse_dtd(*_args: Any) -> None:
    raise XlsxLimit(_("The workbook's XML declares a DTD or entities, which an Excel workbook never does"))


def _parser(namespaces: bool) -> Any:
    parser = expat.ParserCreate(namespace_separator=" ") if namespaces else expat.ParserCreate()
    parser.buffer_text = True
    parser.StartDoctypeDeclHandler = _refuse_dtd
    parser.EntityDeclHandler = _refuse_dtd
    return parser


def _feed(parser: Any, stream: _Counted) -> Iterator[None]:
    """Feed the part to expat in chunks, pausing (yielding) after each. Refused when a run
    of bytes without "<" (a tag's inside, or text) passes MAX_TOKEN: expat would keep it."""
    since = 0
    try:
        while chunk := stream.read(CHUNK):
            first = chunk.find(b"<")
            since += len(chunk) if first < 0 else first
            if since > MAX_TOKEN:
                raise XlsxLimit(
                    _("%(part)s holds an XML tag or text longer than %(max)s MB")
                    % {"part": stream.name, "max": _mb(MAX_TOKEN)}
                )
            if first >= 0:
                since = len(chunk) - chunk.rfind(b"<")
            parser.Parse(chunk, False)
            yield
        parser.Parse(b"", True)
    except expat.ExpatError as e:
        raise XlsxError(f"{stream.name}: broken XML: {e}") from None
    finally:
        stream.raw.close()


def _parse(stream: _Counted, start: Any, end: Any = None, data: Any = None) -> None:
    parser = _parser(True)
    parser.StartElementHandler = start
    if end is not None:
        parser.EndElementHandler = end
    if data is not None:
        parser.CharacterDataHandler = data
    for _chunk in _feed(parser, stream):
        pass


def _directory_size(source: IO[bytes]) -> int:
    """The size the end-of-central-directory record gives the directory (0 if not found,
    or a zip64 archive: zipfile then reads it, and the part count is checked after)."""
    source.seek(0, 2)
    length = source.tell()
    source.seek(max(0, length - 65_557))
    tail = source.read()
    source.seek(0)
    at = tail.rfind(b"PK\x05\x06")
    if at < 0 or len(tail) < at + 22:
        return 0
    size = int.from_bytes(tail[at + 12 : at + 16], "little")
    return 0 if size == 0xFFFFFFFF else size


class Workbook:
    """The sheets of an XLSX file, in the workbook's order, each as a row iterator."""

    def __init__(self, source: IO[bytes]) -> None:
        try:
            if _directory_size(source) > MAX_DIRECTORY:
                raise XlsxLimit(_("The zip file has too many parts for an Excel workbook"))
            self.zip = zipfile.ZipFile(source)
        except (zipfile.BadZipFile, OSError) as e:
            raise XlsxError(str(e)) from None
        infos = self.zip.infolist()
        if len(infos) > MAX_DIRECTORY // 100:
            self.zip.close()
            raise XlsxLimit(_("The zip file has too many parts for an Excel workbook"))
        source.seek(0, 2)
        self.archive_size = source.tell()
        source.seek(0)
        self.infos = {info.filename: info for info in infos}
        names = set(self.infos)
        if "xl/workbook.xml" not in names:
            raise XlsxError("no xl/workbook.xml: not an Excel workbook")
        self.names = names
        self.unpacked = 0
        self.sheets = self._sheets()

    def close(self) -> None:
        self.zip.close()

    def refuse_part(self, name: str, size: int) -> NoReturn:
        if size > MAX_UNPACKED:
            raise XlsxLimit(
                _("%(part)s unpacks to more than %(max)s MB: refused as a possible zip bomb")
                % {"part": name, "max": _mb(MAX_UNPACKED)}
            )
        raise XlsxLimit(
            _("%(part)s is compressed more than %(ratio)d to 1: refused as a possible zip bomb")
            % {"part": name, "ratio": MAX_RATIO}
        )

    def _open(self, name: str) -> _Counted:
        """A part to read, refused at once when the central directory already gives it more
        than the limits; counted while it is inflated in any case."""
        info = self.infos[name]
        packed = min(info.compress_size, self.archive_size)
        if info.file_size > MAX_UNPACKED or info.file_size > max(RATIO_GRACE, packed * MAX_RATIO):
            self.refuse_part(name, info.file_size)
        return _Counted(self, name, self.zip.open(info), packed)

    def _sheets(self) -> list[tuple[str, str]]:
        targets: dict[str, str] = {}
        if "xl/_rels/workbook.xml.rels" in self.names:

            def rel(name: str, attrs: dict[str, str]) -> None:
                if name == f"{PKG_REL} Relationship":
                    target = attrs.get("Target", "")
                    target = target.lstrip("/") if target.startswith("/") else "xl/" + target
                    targets[attrs.get("Id", "")] = target

            _parse(self._open("xl/_rels/workbook.xml.rels"), rel)
        sheets: list[tuple[str, str]] = []

        def sheet(name: str, attrs: dict[str, str]) -> None:
            if name == f"{MAIN} sheet":
                path = targets.get(attrs.get(f"{REL} id", ""), f"xl/worksheets/sheet{len(sheets) + 1}.xml")
                sheets.append((attrs.get("name", str(len(sheets) + 1)), path))

        _parse(self._open("xl/workbook.xml"), sheet)
        return [(n, p) for n, p in sheets if p in self.names]

    @cached_property
    def strings(self) -> list[str]:
        """The shared strings, read when the first sheet is (not for the sheets' names)."""
        strings: list[str] = []
        if "xl/sharedStrings.xml" not in self.names:
            return strings
        parts: list[str] = []
        state = {"in_t": False, "skip": 0, "length": 0, "total": 0}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == f"{MAIN} si":
                parts.clear()
                state["length"] = 0
            elif name in (f"{MAIN} rPh", f"{MAIN} phoneticPr"):
                state["skip"] += 1  # phonetic guides are not part of the text
            elif name == f"{MAIN} t" and not state["skip"]:
                state["in_t"] = True

        def end(name: str) -> None:
            if name == f"{MAIN} t":
                state["in_t"] = False
            elif name == f"{MAIN} rPh":
                state["skip"] -= 1
            elif name == f"{MAIN} si":
                if len(strings) >= MAX_STRINGS:
                    raise XlsxLimit(
                        _("The workbook holds more than %(max)s different texts") % {"max": f"{MAX_STRINGS:,}"}
                    )
                strings.append("".join(parts))

        def data(text: str) -> None:
            if state["in_t"]:
                state["length"] += len(text)
                state["total"] += len(text)
                if state["length"] > MAX_CELL:
                    raise XlsxLimit(
                        _("Text %(index)s of the workbook is longer than %(max)s characters (the most a cell holds)")
                        % {"index": f"{len(strings) + 1:,}", "max": f"{MAX_CELL:,}"}
                    )
                if state["total"] > MAX_STRING_CHARS:
                    raise XlsxLimit(
                        _("The workbook's texts are longer than %(max)s characters in all")
                        % {"max": f"{MAX_STRING_CHARS:,}"}
                    )
                parts.append(text)

        _parse(self._open("xl/sharedStrings.xml"), start, end, data)
        return strings

    @cached_property
    def date_styles(self) -> frozenset[int]:
        """Indexes of the cell styles (cellXfs) whose number format is a date."""
        if "xl/styles.xml" not in self.names:
            return frozenset()
        custom: dict[int, bool] = {}
        xfs: list[int] = []
        state = {"in_xfs": False}

        def start(name: str, attrs: dict[str, str]) -> None:
            if name == f"{MAIN} numFmt":
                number = _number(attrs.get("numFmtId", ""))
                if number is not None:
                    custom[number] = _is_date_format(attrs.get("formatCode", ""))
            elif name == f"{MAIN} cellXfs":
                state["in_xfs"] = True
            elif name == f"{MAIN} xf" and state["in_xfs"] and len(xfs) < MAX_STRINGS:
                xfs.append(_number(attrs.get("numFmtId", "0")) or 0)

        def end(name: str) -> None:
            if name == f"{MAIN} cellXfs":
                state["in_xfs"] = False

        _parse(self._open("xl/styles.xml"), start, end)
        return frozenset(i for i, fmt in enumerate(xfs) if custom.get(fmt, fmt in _BUILTIN_DATES))

    def rows(self, index: int) -> Iterator[list[Any]]:
        """The rows of sheet `index`, each a list of values; a missing row (a gap in the
        sheet's numbering) comes as an empty list, so row numbers stay what Excel shows.
        Gaps are kept as counts until they are yielded: memory stays flat."""
        _name, path = self.sheets[index]
        strings, date_styles = self.strings, self.date_styles
        # Finished rows, and the counts of missing rows between them.
        done: list[list[Any] | int] = []
        row: list[Any] = []
        text: list[str] = []
        # The hot loop: plain names without namespace processing (a workbook that writes
        # a prefix, "x:c", has it stripped by `local`), state in closure variables.
        col, kind, style, in_value, expected = 0, "n", 0, False, 1
        length = row_chars = 0
        prefix = ""

        def value_of(kind: str, raw: str, style: int) -> Any:
            if kind == "s":
                try:
                    return strings[int(raw)]
                except (ValueError, IndexError):
                    return None
            if kind == "inlineStr" or kind == "str":
                return raw if raw else None
            if kind == "b":
                return raw == "1"
            if kind == "e" or raw == "":
                return None
            try:
                number = float(raw)
            except ValueError:
                return raw
            if style in date_styles:
                return _serial_date(number)
            if number.is_integer() and "E" not in raw and "e" not in raw:
                return int(number)
            return number

        def start(name: str, attrs: dict[str, str]) -> None:
            nonlocal col, kind, style, in_value, expected, prefix, length, row_chars
            if prefix:
                name = name[len(prefix) :]
            if name == "c":
                ref = attrs.get("r")
                col = _col(ref) if ref else len(row)
                if col >= MAX_COLUMNS:
                    raise XlsxLimit(
                        _("Cell %(ref)s is beyond the last column of an Excel sheet (XFD, %(max)s columns)")
                        % {"ref": (ref or "")[:20], "max": f"{MAX_COLUMNS:,}"},
                        row=expected,
                    )
                kind = attrs.get("t", "n")
                s = attrs.get("s")
                style = (_number(s) or 0) if s else 0
                text.clear()
                length = 0
            elif name == "v" or (name == "t" and kind == "inlineStr"):
                in_value = True
            elif name == "row":
                number = _number(attrs.get("r") or "")
                if number is not None and number > MAX_ROWS:
                    raise XlsxLimit(
                        _("Row %(number)s is beyond the last row of an Excel sheet (%(max)s)")
                        % {"number": f"{number:,}", "max": f"{MAX_ROWS:,}"}
                    )
                if number is not None and number > expected:
                    done.append(number - expected)
                    expected = number
                if expected > MAX_ROWS:
                    raise XlsxLimit(
                        _("The sheet has more rows than an Excel sheet can (%(max)s)") % {"max": f"{MAX_ROWS:,}"}
                    )
                row.clear()
                row_chars = 0
            elif ":" in name and name.endswith(":worksheet"):
                prefix = name[: -len("worksheet")]

        def end(name: str) -> None:
            nonlocal in_value, expected, row_chars
            if prefix:
                name = name[len(prefix) :]
            if name == "c":
                value = value_of(kind, "".join(text), style)
                if isinstance(value, str):
                    if len(value) > MAX_CELL:  # a shared string; inline text is counted as it comes
                        raise XlsxLimit(cell_too_long(), row=expected, column=col)
                    row_chars += len(value)
                    if row_chars > MAX_ROW_CHARS:
                        raise XlsxLimit(_row_too_long(), row=expected, column=col)
                if col >= len(row):
                    row.extend([None] * (col - len(row) + 1))
                row[col] = value
            elif name == "v" or name == "t":
                in_value = False
            elif name == "row":
                while row and row[-1] is None:
                    row.pop()
                done.append(row.copy())
                expected += 1

        def data(chunk: str) -> None:
            nonlocal length
            if in_value:
                length += len(chunk)
                if length > MAX_CELL:
                    raise XlsxLimit(cell_too_long(), row=expected, column=col)
                text.append(chunk)

        parser = _parser(False)
        parser.StartElementHandler = start
        parser.EndElementHandler = end
        parser.CharacterDataHandler = data
        try:
            for _chunk in _feed(parser, self._open(path)):
                # The rows this chunk finished, before the next chunk is read.
                if done:
                    yield from _expand(done)
                    done.clear()
        except XlsxLimit:
            # The rows finished before the refusal come first (the header names columns).
            yield from _expand(done)
            raise
        yield from _expand(done)


def _expand(rows: list[list[Any] | int]) -> Iterator[list[Any]]:
    for item in rows:
        if isinstance(item, int):
            for _gap in range(item):
                yield []
        else:
            yield item


def cell_too_long() -> str:
    return _("The cell is longer than %(max)s characters (the most an Excel cell holds)") % {"max": f"{MAX_CELL:,}"}


def _row_too_long() -> str:
    return _("The row is longer than %(max)s characters in all") % {"max": f"{MAX_ROW_CHARS:,}"}
