"""Importing book-keeping exports: every bad input reported with its row and column, all
or nothing, the same file twice changes nothing, UTF-8 (± BOM) and GB18030, XLSX."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import Workbook

from sunlit.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast
from sunlit.finance import imports, services
from sunlit.finance.models import Entry, ImportBatch, ImportClaim, ImportStatus, Voucher, VoucherStatus
from sunlit.finance.tasks import finance_import_task
from sunlit.finance.tests.conftest import book, make_case, pay, publish_month

pytestmark = pytest.mark.django_db

HEADER_ZH = "村代码,日期,凭证号,摘要,科目编码,借方金额,贷方金额,对方单位,结算方式"
HEADER_EN = "village,date,voucher,summary,account,debit,credit,counterparty,payment_method"
GOOD = [
    f"{VILLAGE_A},2025-03-02,1,收到村级组织运转经费,102,30000.00,,六亩塘镇财政所,银行",
    f"{VILLAGE_A},2025-03-02,1,收到村级组织运转经费,522,,30000.00,六亩塘镇财政所,银行",
    f'{VILLAGE_A},2025-03-05,2,支付3月电费,541,"1,234.50",,国网涟源市供电公司,',
    f"{VILLAGE_A},2025-03-05,2,支付3月电费,102,,1234.5,国网涟源市供电公司,",
]


@pytest.fixture
def write(tmp_path: Path) -> Callable[..., Path]:
    def _write(lines: list[str], *, header: str = HEADER_ZH, encoding: str = "utf-8", name: str = "books.csv") -> Path:
        path = tmp_path / name
        path.write_bytes(("\n".join([header, *lines]) + "\n").encode(encoding))
        return path

    return _write


def run(path: Path, *, by=None, village: str = "") -> imports.Outcome:
    batch = imports.batch_start(filename=path.name, default_village=village, by=by)
    return imports.import_file(batch=batch, path=path, by=by)


def refused(path: Path, **kw) -> list[imports.Problem]:
    with pytest.raises(imports.ImportRefused) as info:
        run(path, **kw)
    assert Voucher.objects.count() == 0, "nothing may be written when a file is refused"
    return info.value.problems


class TestGoodFiles:
    def test_it_imports_vouchers_and_entries_posted_awaiting_review(self, cast: Cast, write) -> None:
        outcome = run(write(GOOD), by=cast.official)
        assert (outcome.vouchers_created, outcome.entries_created) == (2, 4)
        v = Voucher.objects.get(number=2)
        assert (v.status, v.reviewed_at, v.summary, v.payment_method) == (
            VoucherStatus.POSTED,
            None,
            "支付3月电费",
            "bank",
        )
        assert [(e.line, e.account_code, e.side, e.amount) for e in v.entries.order_by("line")] == [
            (1, "541", "D", 123450),
            (2, "102", "C", 123450),
        ]
        assert v.recorded_by == cast.official and v.posted_by == cast.official
        assert ImportBatch.objects.get().status == ImportStatus.DONE

    @pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
    def test_it_reads_utf8_with_or_without_bom_and_gb18030(self, cast: Cast, write, encoding: str) -> None:
        assert run(write(GOOD, encoding=encoding)).entries_created == 4
        assert Voucher.objects.get(number=1).summary == "收到村级组织运转经费"

    def test_it_refuses_a_file_in_another_encoding(self, cast: Cast, write) -> None:
        problems = refused(write(GOOD, encoding="utf-16"))
        assert "neither UTF-8 nor GB18030" in problems[0].message

    def test_it_reads_english_headers(self, cast: Cast, write) -> None:
        assert run(write(GOOD, header=HEADER_EN)).vouchers_created == 2

    def test_it_takes_the_village_from_the_command_when_the_file_has_none(self, cast: Cast, write) -> None:
        lines = [line.split(",", 1)[1] for line in GOOD]
        path = write(lines, header=HEADER_ZH.split(",", 1)[1])
        assert run(path, village=VILLAGE_A).vouchers_created == 2
        assert set(Voucher.objects.values_list("village_id", flat=True)) == {VILLAGE_A}

    def test_it_reads_xlsx_with_dates_and_numbers_as_cells(self, cast: Cast, tmp_path: Path) -> None:
        from datetime import datetime

        book_ = Workbook()
        sheet = book_.active
        sheet.append(HEADER_ZH.split(","))
        sheet.append([VILLAGE_A, datetime(2025, 3, 5), 7, "购买办公用品", "541", 88.8, None, "文具店", "现金"])
        sheet.append([VILLAGE_A, datetime(2025, 3, 5), 7, "购买办公用品", 101, None, 88.8, "文具店", "现金"])
        path = tmp_path / "books.xlsx"
        book_.save(path)
        assert run(path).entries_created == 2
        v = Voucher.objects.get()
        assert (v.number, v.payment_method) == (7, "cash")
        assert sorted(Entry.objects.values_list("amount", flat=True)) == [8880, 8880]


class TestIdempotency:
    def test_it_changes_nothing_when_the_same_file_comes_again(self, cast: Cast, write) -> None:
        path = write(GOOD)
        run(path)
        again = run(path)
        assert again.already_imported
        assert (Voucher.objects.count(), Entry.objects.count()) == (2, 4)

    def test_it_skips_vouchers_already_in_the_books_unchanged(self, cast: Cast, write) -> None:
        run(write(GOOD[:2], name="march-1.csv"))
        outcome = run(write(GOOD, name="march.csv"))
        assert (outcome.vouchers_created, outcome.vouchers_unchanged) == (1, 1)
        assert Voucher.objects.count() == 2

    def test_it_refuses_a_voucher_number_taken_by_other_entries(self, cast: Cast, write) -> None:
        run(write(GOOD[:2], name="a.csv"))
        changed = [line.replace("30000.00", "31000.00") for line in GOOD[:2]]
        with pytest.raises(imports.ImportRefused) as info:
            run(write(changed, name="b.csv"))
        assert "already in the books" in info.value.problems[0].message
        assert Voucher.objects.count() == 1


class TestBadInput:
    def assert_one(self, problems: list[imports.Problem], row: str, column: str, text: str) -> None:
        assert [(p.row, p.column) for p in problems] == [(row, column)], problems
        assert text in problems[0].message

    def test_it_reports_an_unknown_account(self, cast: Cast, write) -> None:
        lines = [*GOOD[:2], GOOD[2].replace(",541,", ",549,"), GOOD[3]]
        self.assert_one(refused(write(lines)), "4", "科目编码", "unknown account '549'")

    def test_it_reports_an_unbalanced_voucher(self, cast: Cast, write) -> None:
        lines = [*GOOD[:3], GOOD[3].replace("1234.5", "1234.4")]
        self.assert_one(refused(write(lines)), "4", "借方金额", "does not balance")

    def test_it_reports_a_bad_date(self, cast: Cast, write) -> None:
        lines = [GOOD[0].replace("2025-03-02", "2025-02-30"), *GOOD[1:]]
        self.assert_one(refused(write(lines)), "2", "日期", "not a date")

    def test_it_reports_a_negative_amount(self, cast: Cast, write) -> None:
        lines = [GOOD[0].replace("30000.00", "-30000.00"), *GOOD[1:]]
        self.assert_one(refused(write(lines)), "2", "借方金额", "negative")

    def test_it_reports_a_non_numeric_amount(self, cast: Cast, write) -> None:
        lines = [*GOOD[:3], GOOD[3].replace("1234.5", "一千")]
        self.assert_one(refused(write(lines)), "5", "贷方金额", "not an amount")

    def test_it_reports_a_voucher_number_used_twice_in_the_file(self, cast: Cast, write) -> None:
        lines = [*GOOD, GOOD[0].replace("2025-03-02", "2025-03-09"), GOOD[1].replace("2025-03-02", "2025-03-09")]
        self.assert_one(refused(write(lines)), "6", "凭证号", "used again (first at row 2)")

    def test_it_reports_an_unknown_village(self, cast: Cast, write) -> None:
        lines = [GOOD[0].replace(VILLAGE_A, "431382101299"), *GOOD[1:]]
        self.assert_one(refused(write(lines)), "2", "村代码", "unknown village 431382101299")

    def test_it_reports_a_village_outside_the_uploaders_jurisdiction(self, cast: Cast, write) -> None:
        lines = [line.replace(VILLAGE_A, VILLAGE_C) for line in GOOD]
        problems = refused(write(lines), by=cast.official)
        assert {(p.row, p.column) for p in problems} == {(str(r), "村代码") for r in range(2, 6)}
        assert "outside your jurisdiction" in problems[0].message

    def test_it_lets_the_agent_import_for_every_village_of_the_township(self, cast: Cast, write) -> None:
        lines = GOOD + [line.replace(VILLAGE_A, VILLAGE_B).replace(",1,", ",9,").replace(",2,", ",8,") for line in GOOD]
        assert run(write(lines), by=cast.official).vouchers_created == 4

    def test_it_refuses_a_cadre_importing_for_another_village(self, cast: Cast, write) -> None:
        problems = refused(write(GOOD), by=cast.cadre_b)
        assert "outside your jurisdiction" in problems[0].message

    def test_it_reports_every_problem_at_once(self, cast: Cast, write) -> None:
        lines = [
            GOOD[0].replace("2025-03-02", "2025-13-01"),
            GOOD[1].replace(",522,", ",599,"),
            GOOD[2].replace('"1,234.50"', "abc"),
            GOOD[3],
        ]
        problems = refused(write(lines))
        assert [(p.row, p.column) for p in problems] == [("2", "日期"), ("3", "科目编码"), ("4", "借方金额")]

    def test_it_reports_missing_columns(self, cast: Cast, write) -> None:
        problems = refused(write(GOOD, header="村代码,日期,凭证号,摘要,科目编码,借方金额"))
        assert "credit" in problems[0].message

    def test_it_refuses_vouchers_dated_in_a_published_month(self, cast: Cast, director_a, write) -> None:
        from datetime import date

        book(cast, director_a, date(2025, 3, 1), pay(100))
        publish_month(cast, 202503)
        with pytest.raises(imports.ImportRefused) as info:
            run(write([line.replace(",1,", ",11,").replace(",2,", ",12,") for line in GOOD]))
        assert "is published" in info.value.problems[0].message
        assert Voucher.objects.count() == 1

    def test_it_needs_the_case_of_large_spending(self, cast: Cast, write, settings) -> None:
        settings.SUNLIT_FINANCE_CASE_REQUIRED_ABOVE_YUAN = 1000
        problems = refused(write(GOOD))
        assert [(p.row, p.column) for p in problems] == [("4", "case")]
        case = make_case(cast)
        header = HEADER_ZH + ",授权事项编号"
        assert run(write([line + f",{case.number}" for line in GOOD], header=header)).vouchers_created == 2
        assert Voucher.objects.get(number=2).case == case

    def test_it_reports_a_case_that_authorises_nothing(self, cast: Cast, write) -> None:
        case = make_case(cast, state="rejected")
        header = HEADER_ZH + ",授权事项编号"
        problems = refused(write([line + f",{case.number}" for line in GOOD], header=header))
        assert [(p.row, p.column) for p in problems] == [(str(r), "授权事项编号") for r in range(2, 6)]
        assert "not approved" in problems[0].message

    def test_it_reports_a_case_of_an_item_that_may_not_authorise_a_voucher(self, cast: Cast, write) -> None:
        case = make_case(cast, code="BM-14", authorises=())
        header = HEADER_ZH + ",授权事项编号"
        problems = refused(write([line + f",{case.number}" for line in GOOD], header=header))
        assert [(p.row, p.column) for p in problems] == [(str(r), "授权事项编号") for r in range(2, 6)]
        assert "item BM-14" in problems[0].message


class TestCommand:
    def test_it_imports_from_the_command_line(self, cast: Cast, write) -> None:
        out = io.StringIO()
        call_command("finance", "import", str(write(GOOD)), "--no-progress", stdout=out)
        assert "2 voucher(s) and 4 entries imported" in out.getvalue()

    def test_it_prints_each_problem_and_fails(self, cast: Cast, write) -> None:
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("finance", "import", str(write([GOOD[0]])), "--no-progress", stderr=err)
        assert "row 2, column 借方金额: voucher 1 of 2025 does not balance" in err.getvalue()

    def test_it_loads_the_2023_chart(self, cast: Cast) -> None:
        out = io.StringIO()
        call_command("finance", "chart", "load", str(services.DATA_DIR / "chart-2023.yaml"), stdout=out)
        assert "42 accounts" in out.getvalue()


class TestTwoImportsAtOnce:
    """The driver (sunlit/lib/importdesk.py) with the books' claims: a village's books of a
    year, the unit voucher numbers run in."""

    def hold(self, key: str) -> ImportBatch:
        """Another import, running, that holds `key` (as a second worker would)."""
        other = imports.batch_start(filename="other.csv", by=None)
        ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.RUNNING, started_at=timezone.now())
        ImportClaim.objects.create(key=key, holder=other.pk, claimed_at=timezone.now())
        return other

    def test_it_refuses_books_another_import_is_writing_naming_the_village_year_and_import(
        self, cast: Cast, write
    ) -> None:
        other = self.hold(f"{VILLAGE_A}/2025")
        problems = refused(write(GOOD))
        assert len(problems) == 1
        assert problems[0].message.startswith(f"The books of village {VILLAGE_A} for 2025: import #{other.pk} (started")
        batch = ImportBatch.objects.exclude(pk=other.pk).get()
        assert batch.status == ImportStatus.FAILED and batch.problems[0]["message"] == problems[0].message
        # Once the other import has ended, the same file goes in.
        ImportBatch.objects.filter(pk=other.pk).update(status=ImportStatus.DONE)
        assert run(write(GOOD, name="again.csv")).vouchers_created == 2
        assert not ImportClaim.objects.exists()

    def test_it_lets_another_village_or_year_through(self, cast: Cast, write) -> None:
        self.hold(f"{VILLAGE_B}/2025")
        self.hold(f"{VILLAGE_A}/2024")
        assert run(write(GOOD)).vouchers_created == 2

    def test_it_refuses_the_second_of_two_overlapping_imports_while_the_first_checks(
        self, cast: Cast, write, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        # Voucher 1 of March and voucher 1 of April: different months, one number of 2025.
        april = [line.replace("2025-03-02", "2025-04-02") for line in GOOD[:2]]
        second_path = write(april, name="april.csv")
        seconds: list[str] = []
        check = imports._Importer.check

        def check_while_another_imports(self: imports._Importer) -> None:
            if not seconds:  # the first import, holding its claims: the second starts now
                seconds.append("started")
                with pytest.raises(imports.ImportRefused) as info:
                    run(second_path)
                seconds.append(info.value.problems[0].message)
            check(self)

        monkeypatch.setattr(imports._Importer, "check", check_while_another_imports)
        first = run(write(GOOD))
        assert first.vouchers_created == 2
        assert f"import #{first.batch.pk}" in seconds[1] and f"village {VILLAGE_A} for 2025" in seconds[1]
        assert list(Voucher.objects.values_list("period", flat=True).distinct()) == [202503]
        # Run again now: the checks see the first import's books and name the number taken.
        with pytest.raises(imports.ImportRefused) as info:
            run(write(april, name="april-again.csv"))
        assert "voucher number 1 of 2025 is already in the books" in info.value.problems[0].message

    def test_it_ends_failed_with_the_reason_and_writes_nothing_when_the_write_breaks(
        self, cast: Cast, write, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        write_ = imports._Importer.write

        def write_then_break(self: imports._Importer) -> None:
            write_(self)
            assert Voucher.objects.count() == 2  # written, not yet committed
            raise ZeroDivisionError("planted")

        monkeypatch.setattr(imports._Importer, "write", write_then_break)
        with pytest.raises(ZeroDivisionError):
            run(write(GOOD))
        batch = ImportBatch.objects.get()
        assert batch.status == ImportStatus.FAILED and "ZeroDivisionError: planted" in batch.problems[0]["message"]
        assert (batch.vouchers_created, Voucher.objects.count(), Entry.objects.count()) == (0, 0, 0)
        assert not ImportClaim.objects.exists()

    def test_it_runs_an_uploaded_batch_once_however_often_its_task_is_delivered(self, cast: Cast, write) -> None:
        batch = imports.batch_start(filename="books.csv", by=cast.official)
        batch.file.save("books.csv", ContentFile(write(GOOD).read_bytes()), save=True)
        first = finance_import_task.enqueue(batch.pk, cast.official.pk)
        again = finance_import_task.enqueue(batch.pk, cast.official.pk)
        assert (first.return_value, again.return_value) == ({"vouchers": 2, "entries": 4}, {"skipped": 1})
        assert Voucher.objects.count() == 2


class TestHostileFiles:
    """Issue 14, points 8 and 9: refused at the row and column, the batch "failed"."""

    def _batch_refused(self, path: Path) -> list[imports.Problem]:
        problems = refused(path)
        batch = ImportBatch.objects.get()
        assert batch.status == ImportStatus.FAILED and batch.problems == [p.as_dict() for p in problems]
        return problems

    @pytest.mark.parametrize("size", [40_000, 131_073, 2_000_000])
    def test_it_refuses_a_huge_csv_cell_at_its_row_and_column(self, cast: Cast, write, size: int) -> None:
        bad = f"{VILLAGE_A},2025-03-05,2,{'电' * size},541,1.00,,,"
        problems = self._batch_refused(write([*GOOD, bad]))
        assert [(p.row, p.column) for p in problems] == [("6", "D (摘要)")]
        assert "32,767" in problems[0].message

    def test_it_refuses_an_xlsx_row_past_the_last_row_of_a_sheet(self, cast: Cast, tmp_path: Path) -> None:
        # 1 KB that asked for 2.9 GB: the rows up to 900,000,000 were made one by one.
        wb = Workbook()
        wb.active.append(HEADER_ZH.split(","))
        path = tmp_path / "rows.xlsx"
        wb.save(path)
        patched = tmp_path / "hostile.xlsx"
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                data = src.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data.replace(
                        b"</sheetData>", b'<row r="900000000"><c r="A900000000"><v>1</v></c></row></sheetData>'
                    )
                dst.writestr(item, data)
        problems = self._batch_refused(patched)
        assert len(problems) == 1 and "900,000,000" in problems[0].message


class TestNothingShortenedInSilence:
    """A value longer than its column is refused at its cell, never cut (issue 14, point 11)."""

    def test_it_refuses_a_counterparty_longer_than_its_column(self, cast: Cast, write) -> None:
        long_name = "涟" * 151
        lines = [GOOD[0].replace("六亩塘镇财政所", long_name), GOOD[1]]
        problems = refused(write(lines))
        assert [(p.row, p.column) for p in problems if "151" in p.message and "100" in p.message] == [("2", "对方单位")]

    def test_it_refuses_a_summary_longer_than_its_column(self, cast: Cast, write) -> None:
        lines = [line.replace("收到村级组织运转经费", "摘" * 201) for line in GOOD[:2]]
        problems = refused(write(lines))
        assert any("201" in p.message and "200" in p.message for p in problems)

    def test_it_refuses_a_long_counterparty_typed_on_a_voucher(self, cast: Cast) -> None:
        from sunlit.lib.errors import InvalidInput

        entries = pay(1000)
        long_entries = [services.EntryInput(e.account_code, e.side, e.amount, counterparty="涟" * 101) for e in entries]
        with pytest.raises(InvalidInput, match="100"):
            services.voucher_record(
                village=cast.village_a,
                date=timezone.localdate().replace(day=1),
                summary="支付电费",
                entries=long_entries,
                by=cast.cadre_a,
            )
        assert Voucher.objects.count() == 0
