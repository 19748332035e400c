"""Reading spreadsheets people upload (XLSX, CSV): shared by every import.

`scan` hashes the bytes and detects a CSV's encoding (UTF-8 with or without BOM, else
GB18030, else refused with the line of the first bad byte) in one pass; `rows` streams
(number, cells) pairs without decoding the file into memory; `Problem` and
`ImportRefused` report what is wrong by row and column. Each import keeps its own
column names and checks (finance/imports.py, projects/imports.py, welfare/imports.py).

A hostile or broken file is refused here, for every import, at the row and column where
it passes a limit, before the memory is spent: the limits of sunlit/lib/xlsx.py (its
docstring says why each) hold for CSV too. A CSV cell ≤ 32,767 characters and a record ≤
1,048,576 characters are read with `readline(limit)`, so a 2 GB line is never read
whole; the csv module's own 131,072-character field limit, which used to escape as
`_csv.Error`, is reported the same way.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput
from sunlit.lib.xlsx import (
    MAX_CELL,
    MAX_COLUMNS,
    MAX_ROW_CHARS,
    Workbook,
    XlsxError,
    XlsxLimit,
    cell_too_long,
    column_letter,
)

CHUNK = 1 << 20
_HEADER_NOISE = re.compile(r"[\s()（）\[\]【】:：_\-]")


@dataclass
class Problem:
    row: str
    column: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"row": self.row, "column": self.column, "message": self.message}

    def __str__(self) -> str:
        return _("row %(row)s, column %(column)s: %(message)s") % self.as_dict()


class ImportRefused(InvalidInput):
    """The file was checked and nothing was written; `problems` say why, row by row."""

    def __init__(self, problems: list[Problem], count: int) -> None:
        super().__init__(_("%(count)d problem(s); nothing was imported.") % {"count": count})
        self.problems = problems
        self.count = count


def scan(path: Path) -> tuple[str, str | None]:
    """(sha256, text encoding) in one pass over the bytes; the encoding is None for XLSX.

    A file that is neither UTF-8 nor GB18030 is refused before anything else, with the
    line of its first undecodable byte: never silently mis-read.
    """
    digest = hashlib.sha256()
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(0)
        is_zip = head == b"PK\x03\x04"
        utf8 = codecs.getincrementaldecoder("utf-8")()
        gb = codecs.getincrementaldecoder("gb18030")()
        utf8_ok = gb_ok = not is_zip
        offset = newlines = 0
        bad_at: tuple[int, int] | None = None
        while chunk := f.read(CHUNK):
            digest.update(chunk)
            if utf8_ok:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as e:
                    utf8_ok = False
                    bad_at = (offset + e.start, newlines + chunk[: e.start].count(b"\n") + 1)
            if gb_ok and not utf8_ok:
                # Only needed once UTF-8 has failed; GB18030 must then decode it all.
                try:
                    gb.decode(chunk)
                except UnicodeDecodeError:
                    gb_ok = False
            newlines += chunk.count(b"\n")
            offset += len(chunk)
        if is_zip:
            return digest.hexdigest(), None
        try:
            utf8.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8_ok = False
            bad_at = bad_at or (offset, newlines + 1)
        if utf8_ok:
            return digest.hexdigest(), "utf-8-sig"
        if gb_ok and bad_at is not None:
            # GB18030 was only tried from the chunk where UTF-8 failed: decode it all now.
            try:
                with path.open("rb") as again:
                    decoder = codecs.getincrementaldecoder("gb18030")()
                    while chunk := again.read(CHUNK):
                        decoder.decode(chunk)
                    decoder.decode(b"", final=True)
                return digest.hexdigest(), "gb18030"
            except UnicodeDecodeError:
                pass
    position, line = bad_at or (0, 1)
    raise InvalidInput(
        _(
            'Line %(line)d (byte %(pos)d) is neither UTF-8 nor GB18030: save the file as "CSV UTF-8" or as '
            "Excel and try again. Nothing was imported."
        )
        % {"line": line, "pos": position},
        field="file",
    )


class Progress:
    """Bytes read from the underlying file, for progress bars."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw = raw

    @property
    def done(self) -> int:
        try:
            return self.raw.tell()
        except (OSError, ValueError):
            return 0


class _RecordTooLong(Exception):
    """The CSV record being read has passed MAX_ROW_CHARS."""


class _Lines:
    """The lines of a CSV text for csv.reader, each read with a limit: the lines of the
    record being read are kept (at most MAX_ROW_CHARS) to say where it went wrong."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text
        self.record: list[str] = []
        self.size = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.text.readline(MAX_ROW_CHARS - self.size + 1)
        if not line:
            raise StopIteration
        self.record.append(line)
        self.size += len(line)
        if self.size > MAX_ROW_CHARS:
            raise _RecordTooLong
        return line

    def next_record(self) -> None:
        self.record.clear()
        self.size = 0


def _long_field(record: str) -> int | None:
    """The 0-based column of the first field longer than MAX_CELL in the (beginning of a)
    CSV record, by the quoting rules of csv's excel dialect; None if there is none."""
    if '"' not in record:
        return next((i for i, field in enumerate(record.split(",")) if len(field) > MAX_CELL), None)
    column = length = 0
    quoted = False
    for ch in record:
        if ch == '"':
            quoted = not quoted  # a doubled quote inside quotes toggles twice
            continue
        if ch == "," and not quoted:
            column, length = column + 1, 0
            continue
        length += 1
        if length > MAX_CELL:
            return column
    return None


def column_label(index: int | None, header: list[Any] | None) -> str:
    """A column as a problem names it: its letter, and its heading when the file has one."""
    if index is None:
        return ""
    heading = text(header[index])[:40] if header and index < len(header) else ""
    return f"{column_letter(index)} ({heading})" if heading else column_letter(index)


def _refuse(row: str, column: str, message: str) -> ImportRefused:
    return ImportRefused([Problem(row, column, message)], 1)


def rows_csv(path: Path, encoding: str, progress: list[Progress]) -> Iterator[tuple[int, list[Any]]]:
    raw = path.open("rb")
    progress.append(Progress(raw))
    with io.TextIOWrapper(raw, encoding=encoding, newline="") as stream:
        lines = _Lines(stream)
        reader = csv.reader(lines)
        header: list[Any] | None = None
        number = 0
        while True:
            lines.next_record()
            try:
                cells = next(reader)
            except StopIteration:
                return
            except (csv.Error, _RecordTooLong) as e:
                where = _long_field("".join(lines.record))
                if where is not None:
                    message = cell_too_long()
                elif isinstance(e, _RecordTooLong):
                    message = _("The row is longer than %(max)s characters in all") % {"max": f"{MAX_ROW_CHARS:,}"}
                else:
                    message = _("This row cannot be read as CSV (%(error)s)") % {"error": str(e)[:200]}
                raise _refuse(str(number + 1), column_label(where, header), message) from None
            number += 1
            if len(cells) > MAX_COLUMNS:
                raise _refuse(
                    str(number),
                    column_label(MAX_COLUMNS, None),
                    _("The row has more than %(max)s columns (the most an Excel sheet has)")
                    % {"max": f"{MAX_COLUMNS:,}"},
                )
            for index, cell in enumerate(cells):
                if len(cell) > MAX_CELL:
                    raise _refuse(str(number), column_label(index, header), cell_too_long())
            if header is None and any(cell.strip() for cell in cells):
                header = cells
            yield number, cells


def rows_xlsx(path: Path, progress: list[Progress]) -> Iterator[tuple[int, list[Any]]]:
    """The rows of every sheet, streamed by sunlit/lib/xlsx.py (values, as openpyxl's
    read-only `values_only` gives them, several times faster)."""

    raw = path.open("rb")
    progress.append(Progress(raw))
    try:
        book = Workbook(raw)
    except XlsxLimit as e:
        raw.close()
        raise _refuse("—", "", e.message) from None
    except (XlsxError, KeyError, OSError, ValueError) as e:
        raw.close()
        raise InvalidInput(
            _("This is not an Excel workbook (.xlsx) that can be read: %(error)s") % {"error": e}, field="file"
        ) from None
    names = [name for name, _path in book.sheets]
    header: list[Any] | None = None
    index = 0
    try:
        # Sheets after the first continue it (a sheet holds at most 1,048,576 rows); each
        # starts with the same header row. Rows are numbered sheet × 10⁷ + row.
        for index in range(len(book.sheets)):
            for number, row in enumerate(book.rows(index), start=1):
                if header is None and any(text(cell) for cell in row):
                    header = row
                yield index * 10_000_000 + number, row
    except XlsxLimit as e:
        label = row_label(index * 10_000_000 + e.row, names) if e.row else (names[index] if len(names) > 1 else "—")
        raise _refuse(label, column_label(e.column, header), e.message) from None
    except (XlsxError, KeyError, OSError, ValueError) as e:
        raise InvalidInput(
            _("This is not an Excel workbook (.xlsx) that can be read: %(error)s") % {"error": e}, field="file"
        ) from None
    finally:
        book.close()
        raw.close()


def sheet_names(path: Path) -> list[str]:
    """The names of an XLSX file's sheets, in order (for row labels such as 2024!15)."""

    try:
        with path.open("rb") as raw:
            book = Workbook(raw)
            try:
                return [name for name, _path in book.sheets]
            finally:
                book.close()
    except (XlsxError, KeyError, OSError, ValueError):
        return []


def row_label(number: int, sheets: list[str] | None = None) -> str:
    sheet, row = divmod(number, 10_000_000)
    if sheet or (sheets and len(sheets) > 1):
        name = sheets[sheet] if sheets and sheet < len(sheets) else str(sheet + 1)
        return f"{name}!{row}"
    return str(row)


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def header_key(value: Any) -> str:
    return _HEADER_NOISE.sub("", str(value or "")).casefold()


def rows(path: Path, encoding: str | None, progress: list[Progress]) -> Iterator[tuple[int, list[Any]]]:
    """The rows of a CSV (when `encoding` is given, from `scan`) or of an XLSX workbook."""
    return rows_csv(path, encoding, progress) if encoding else rows_xlsx(path, progress)
