# ruff: noqa: S608 -- table names in SQL come from models and batch ids, never from input
"""Importing a township agent's book-keeping export (XLSX or CSV): checked whole, then
written whole, or not at all.

How a million rows stay cheap (docs/formats/finance-import.md has the column layout):

1. One pass over the bytes: the file's SHA-256 (the same file twice is a no-op) and, for
   CSV, its encoding (UTF-8 with or without BOM, else GB18030, else refused with the
   line of the first bad byte). Nothing is decoded into memory.
2. One pass over the rows, streamed (csv.reader; openpyxl in read-only mode): each row is
   checked on its own (village, jurisdiction, date, amounts, account in the village's
   chart for that year) and written, checked or not, to a temporary table. Memory holds
   one batch of rows and the small caches (villages, charts, dates seen).
3. The checks that span rows are SQL over the temporary table: unbalanced vouchers, a
   voucher number used twice in the file or already in the books with other entries,
   dates in months already closed, spending without its case.
4. Only when no problem was found: INSERT … SELECT into vouchers and entries, in one
   transaction. Every problem is reported with its row and column, the first
   MAX_PROBLEMS of them in full.

Vouchers identical to ones already in the books (same village, year, number and
entries) are skipped, so a quarter's file imported after its first month changes only
the new months.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.finance import periods
from sunlit.finance.models import (
    Account,
    FiscalYear,
    ImportBatch,
    ImportClaim,
    Month,
    MonthStatus,
    PaymentMethod,
    Voucher,
)
from sunlit.finance.money import NegativeAmount, parse_yuan, yuan
from sunlit.finance.selectors import accounts_of, default_chart
from sunlit.finance.services import (
    COUNTERPARTY_MAX,
    SUB_ACCOUNT_MAX,
    SUMMARY_MAX,
    case_required_above,
    resolve_case,
    row_fingerprint,
)
from sunlit.lib import importdesk, tabular
from sunlit.lib.errors import InvalidInput
from sunlit.lib.importdesk import Claim
from sunlit.lib.tabular import ImportRefused, Problem, header_key, row_label, text  # noqa: F401 -- re-exported
from sunlit.regions import codes
from sunlit.regions.models import Region

if TYPE_CHECKING:
    from sunlit.accounts.models import User

MAX_PROBLEMS = 200
BATCH_ROWS = 5000
PROGRESS_EVERY = 20000

# Field → the headers that name it, compared after normalising (lower case, no spaces,
# no brackets): what Chinese accounting software and Excel templates call them.
HEADERS: dict[str, tuple[str, ...]] = {
    "village": ("village", "villagecode", "村代码", "村编码", "村", "区划代码", "单位代码", "核算单位代码"),
    "date": ("date", "日期", "凭证日期", "记账日期", "制单日期"),
    "voucher": ("voucher", "voucherno", "vouchernumber", "number", "凭证号", "凭证编号", "凭证字号"),
    "summary": ("summary", "摘要"),
    "account": ("account", "accountcode", "科目编码", "科目代码", "会计科目", "科目", "科目编号"),
    "sub_account": ("subaccount", "明细科目", "辅助核算", "子目"),
    "debit": ("debit", "借方", "借方金额", "借方金额元"),
    "credit": ("credit", "贷方", "贷方金额", "贷方金额元"),
    "counterparty": ("counterparty", "对方单位", "往来单位", "收付款单位", "对方", "收款人", "单位或个人"),
    "payment_method": ("paymentmethod", "payment", "结算方式", "支付方式", "付款方式"),
    "case": ("case", "casenumber", "授权事项编号", "事项编号", "事项", "审批事项编号"),
}
REQUIRED = ("date", "voucher", "summary", "account", "debit", "credit")
FIELDS = (
    "village",
    "date",
    "voucher",
    "summary",
    "account",
    "sub_account",
    "debit",
    "credit",
    "counterparty",
    "payment_method",
    "case",
)
ALIASES = {alias: name for name, aliases in HEADERS.items() for alias in aliases}
PAYMENT_WORDS = {
    "": "",
    "cash": "cash",
    "现金": "cash",
    "库存现金": "cash",
    "bank": "bank",
    "banktransfer": "bank",
    "transfer": "bank",
    "银行": "bank",
    "转账": "bank",
    "银行转账": "bank",
    "银行存款": "bank",
    "网银": "bank",
    "支票": "bank",
    "other": "other",
    "其他": "other",
    "其它": "other",
}
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^\D{0,6}?0*(\d{1,9})\s*号?$")
_SIMPLE_AMOUNT = re.compile(r"^(\d{1,12})(?:\.(\d{1,2}))?$")


@dataclass
class Outcome(importdesk.Outcome[ImportBatch]):
    @property
    def vouchers_created(self) -> int:
        return self.batch.vouchers_created

    @property
    def entries_created(self) -> int:
        return self.batch.entries_created

    @property
    def vouchers_unchanged(self) -> int:
        return self.batch.vouchers_unchanged


def _voucher_number(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    m = _NUMBER.match(text(value))
    return int(m.group(1)) if m else 0


# --- checking one row ---------------------------------------------------------------------


@dataclass
class _Village:
    code: str
    county: str
    allowed: bool


class _Checker:
    """Row checks with their caches (villages, charts, dates): small, whatever the file."""

    def __init__(self, *, by: User | None, default_village: str, today: date) -> None:
        self.by = by
        self.default_village = default_village
        self.today = today.isoformat()
        self.villages: dict[str, _Village | None] = {}
        self.charts: dict[tuple[str, int], tuple[str, dict[str, Account]]] = {}
        self.dates: dict[Any, tuple[str, int, int] | None] = {}
        self.payments: dict[Any, str | None] = {}
        self.cases: dict[tuple[str, str], tuple[int | None, str]] = {}
        fy = FiscalYear.objects.values_list("village_id", "year", "chart_id")
        self.fiscal = {(v, y): c for v, y, c in fy}

    def village(self, code: str) -> _Village | None:
        if code in self.villages:
            return self.villages[code]
        region = Region.objects.filter(code=code, level=codes.VILLAGE).only("code").first()
        result: _Village | None = None
        if region is not None:
            allowed = self.by is None or jurisdiction.can(self.by, "finance.import", code)
            result = _Village(code=code, county=codes.county_of(code), allowed=allowed)
        self.villages[code] = result
        return result

    def chart(self, village: str, year: int) -> tuple[str, dict[str, Account]]:
        key = (village, year)
        found = self.charts.get(key)
        if found is None:
            code = self.fiscal.get(key) or default_chart(year).code
            found = (code, accounts_of(code))
            self.charts[key] = found
        return found

    def case(self, number: str, village: str) -> tuple[int | None, str]:
        """(case id, "") or (None, why it does not authorise), cached per village."""
        key = (number, village)
        if key not in self.cases:
            case, why = resolve_case(number, village)
            self.cases[key] = (case.pk if case is not None else None, why)
        return self.cases[key]

    def payment(self, value: Any) -> str | None:
        try:
            return self.payments[value]
        except KeyError:
            found = PAYMENT_WORDS.get(header_key(value))
            self.payments[value] = found
            return found

    def day(self, value: Any) -> tuple[str, int, int] | None:
        """(ISO date, year, period) of a cell, or None if it is not a date."""
        try:
            return self.dates[value]
        except (KeyError, TypeError):
            pass
        parsed: date | None = None
        if isinstance(value, datetime):
            parsed = value.date()
        elif isinstance(value, date):
            parsed = value
        else:
            text = str(value or "").strip()
            m = _DATE.match(text) or _DATE_COMPACT.match(text)
            if m:
                try:
                    parsed = date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
                except ValueError:
                    parsed = None
        result = (parsed.isoformat(), parsed.year, parsed.year * 100 + parsed.month) if parsed else None
        try:
            self.dates[value] = result
        except TypeError:
            pass
        return result


# --- the temporary table ------------------------------------------------------------------

COLUMNS = (
    "rowno",
    "village_code",
    "county_code",
    "year",
    "number",
    "date",
    "period",
    "summary",
    "account_code",
    "sub_account",
    "side",
    "amount",
    "counterparty",
    "payment_method",
    "case_id",
    "cash",
    "fp",
    "run_start",
    "bad",
)


def _create_table(name: str) -> None:
    with connection.cursor() as c:
        c.execute(f"DROP TABLE IF EXISTS {name}")
        c.execute(
            f"CREATE TEMPORARY TABLE {name} ("
            "rowno bigint PRIMARY KEY, village_code varchar(12) NOT NULL, county_code varchar(12) NOT NULL, "
            "year integer NOT NULL, number integer NOT NULL, date date, period integer, summary varchar(200), "
            "account_code varchar(8), sub_account varchar(60), side char(1), amount bigint, "
            "counterparty varchar(100), payment_method varchar(10), case_id bigint, cash varchar(4), "
            "fp bigint, run_start smallint NOT NULL, bad smallint NOT NULL, skip smallint NOT NULL DEFAULT 0)"
        )


def _write_rows(name: str, rows: list[tuple[Any, ...]]) -> None:
    if not rows:
        return
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            raw = c.cursor if hasattr(c, "cursor") else c
            with raw.copy(f"COPY {name} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(COLUMNS))
            c.executemany(f"INSERT INTO {name} ({', '.join(COLUMNS)}) VALUES ({marks})", rows)


def _query(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as c:
        c.execute(sql, params)
        return list(c.fetchall())


def _execute(sql: str, params: list[Any] | tuple[Any, ...] = ()) -> int:
    with connection.cursor() as c:
        c.execute(sql, params)
        return int(c.rowcount or 0)


# --- the import ---------------------------------------------------------------------------


class _Importer(importdesk.ImportRun[ImportBatch]):
    action = "finance.import"
    claim_model = ImportClaim
    count_fields = ("vouchers_created", "entries_created", "vouchers_unchanged")
    max_problems = MAX_PROBLEMS
    by: User | None

    def __init__(
        self, batch: ImportBatch, *, by: User | None, on_progress: Callable[[ImportBatch], None] | None
    ) -> None:
        super().__init__(batch, by=by, on_progress=on_progress)
        self.table = f"finance_import_{batch.pk}"
        self.columns: dict[str, int] = {}
        self.width = 0
        self.fetch: Callable[[list[Any]], tuple[Any, ...]] = operator.itemgetter(*range(len(FIELDS)))
        # Rows that could not be keyed (no village, voucher number or date): their
        # vouchers cannot be checked for balance until they are fixed.
        self.dropped = 0

    def permit(self) -> None:
        if self.by is not None and self.batch.default_village:
            jurisdiction.require(self.by, "finance.import", self.batch.default_village)
        if self.by is not None and not jurisdiction.prefixes(self.by, "finance.import"):
            raise InvalidInput(_("You have no role that allows importing books"))

    def claims(self) -> Iterable[Claim]:
        # Voucher numbers run per village and year: two imports writing the same
        # village-year at once could both find a number free and then collide on it.
        for village, year in _query(f"SELECT DISTINCT village_code, year FROM {self.table}"):
            yield Claim(
                f"{village}/{year}",
                _("The books of village %(village)s for %(year)d") % {"village": village, "year": year},
            )

    def reuse(self, earlier: ImportBatch) -> None:
        self.batch.vouchers_unchanged = earlier.vouchers_created + earlier.vouchers_unchanged

    def record(self, action: str, detail: dict[str, object]) -> None:
        audit_record(action=action, by=self.by, obj=self.batch, region_code=self.batch.default_village, detail=detail)

    def cleanup(self) -> None:
        _execute(f"DROP TABLE IF EXISTS {self.table}")

    # pass 2: rows into the temporary table

    def read(self, encoding: str | None) -> None:
        _create_table(self.table)
        trackers: list[tabular.Progress] = []
        if encoding is None:
            self.sheets = tabular.sheet_names(self.path)  # problems then say "2024!15"
        rows = tabular.rows(self.path, encoding, trackers)
        checker = _Checker(by=self.by, default_village=self.batch.default_village, today=timezone.localdate())
        pending: list[tuple[Any, ...]] = []
        previous_key: tuple[str, int, int] | None = None
        seen = 0
        header_found = False
        for number, cells in rows:
            if not any(c not in (None, "") and str(c).strip() for c in cells):
                continue
            if not header_found or (number % 10_000_000 == 1 and number > 10_000_000):
                if not header_found:
                    self._header(number, cells)
                    header_found = True
                    if self.count:
                        return
                continue
            seen += 1
            row = self._check(number, cells, checker)
            if row is not None:
                key = (row[1], row[3], row[4])
                # run_start marks the first row of each run of a voucher's rows: a number
                # with two runs is a number used twice (found by SQL, with no set of
                # every number seen held in memory).
                pending.append((*row[:-1], 1 if key != previous_key else 0, row[-1]))
                previous_key = key
            else:
                self.dropped += 1
            if len(pending) >= BATCH_ROWS:
                _write_rows(self.table, pending)
                pending.clear()
            if seen % PROGRESS_EVERY == 0:
                done = trackers[0].done if trackers else 0
                self.progress("reading", min(70, done * 70 // self.size), seen)
        _write_rows(self.table, pending)
        if not header_found:
            self.problem("1", "", _("The file is empty"))
        self.progress("checking", 70, seen)

    def _header(self, number: int, cells: list[Any]) -> None:
        headers = [str(c).strip() if c is not None else "" for c in cells]
        for index, heading in enumerate(headers):
            name = ALIASES.get(header_key(heading).lstrip("\ufeff"))
            if name and name not in self.columns:
                self.columns[name] = index
                self.headings[name] = heading
        self.width = len(cells) + 1  # one more: the empty cell that absent columns read
        self.fetch = operator.itemgetter(*[self.columns.get(name, len(cells)) for name in FIELDS])
        missing = [f for f in REQUIRED if f not in self.columns]
        if "village" not in self.columns and not self.batch.default_village:
            missing.append("village")
        if missing:
            self.problem(
                number,
                "",
                _(
                    "Missing column(s): %(columns)s. The header row names them in Chinese or "
                    "English (docs/formats/finance-import.md)."
                )
                % {"columns": ", ".join(missing)},
            )

    def _check(self, number: int, cells: list[Any], checker: _Checker) -> tuple[Any, ...] | None:
        """One row checked on its own: its tuple for the temporary table (flagged bad if a
        problem was found but the row can still be keyed), or None if it cannot be keyed.

        Written for speed (a million calls): one itemgetter fetches every cell, and the
        caches turn repeated villages, dates and payment words into one dict lookup.
        """
        if len(cells) < self.width:
            cells = [*cells, *([None] * (self.width - len(cells)))]
        (v_raw, d_raw, n_raw, s_raw, a_raw, sub_raw, debit_raw, credit_raw, cp_raw, pay_raw, case_raw) = self.fetch(
            cells
        )
        bad = False
        vcode = text(v_raw) or self.batch.default_village
        village = checker.village(vcode) if vcode else None
        if village is None:
            self.problem(number, "village", _("unknown village %(code)s") % {"code": vcode or "—"})
            return None
        if not village.allowed:
            self.problem(number, "village", _("village %(code)s is outside your jurisdiction") % {"code": vcode})
            return None
        voucher = _voucher_number(n_raw)
        if voucher <= 0:
            self.problem(number, "voucher", _("%(value)r is not a voucher number") % {"value": n_raw or ""})
            return None
        day = checker.day(d_raw)
        if day is None:
            self.problem(number, "date", _("%(value)r is not a date (write YYYY-MM-DD)") % {"value": d_raw})
            return None
        iso, year, period = day
        if iso > checker.today:
            self.problem(number, "date", _("%(date)s is in the future") % {"date": iso})
            bad = True
        summary = text(s_raw)
        if not summary:
            self.problem(number, "summary", _("the summary is empty: say what the money was for"))
            bad = True
        elif len(summary) > 200:
            self.problem(number, "summary", _("the summary is longer than 200 characters"))
            bad = True
        chart_code, accounts = checker.chart(vcode, year)
        account_code = text(a_raw).split(" ", 1)[0]
        account = accounts.get(account_code)
        if account is None:
            self.problem(
                number,
                "account",
                _("unknown account %(code)r in chart %(chart)s (%(year)d)")
                % {"code": account_code, "chart": chart_code, "year": year},
            )
            bad = True
        debit = self._amount(number, "debit", debit_raw)
        credit = self._amount(number, "credit", credit_raw)
        side, amount = "D", debit
        if debit < 0 or credit < 0:
            bad, amount = True, 0
        elif debit and credit:
            self.problem(number, "debit", _("both debit and credit hold an amount: one entry per row"))
            bad = True
        elif not debit and not credit:
            self.problem(number, "debit", _("neither debit nor credit holds an amount"))
            bad = True
        elif credit:
            side, amount = "C", credit
        payment = checker.payment(pay_raw)
        if payment is None:
            self.problem(
                number,
                "payment_method",
                _("%(value)r is not a payment method (cash, bank, other)") % {"value": pay_raw},
            )
            bad, payment = True, ""
        counterparty = text(cp_raw)
        sub_account = text(sub_raw)
        # Never shortened in silence: a value longer than its column is refused at its cell.
        for column, value, limit in (
            ("counterparty", counterparty, COUNTERPARTY_MAX),
            ("sub_account", sub_account, SUB_ACCOUNT_MAX),
            ("summary", summary, SUMMARY_MAX),
        ):
            if len(value) > limit:
                self.problem(
                    number,
                    column,
                    _("%(n)d characters: at most %(max)d fit here; shorten it") % {"n": len(value), "max": limit},
                )
                bad = True
        # A refused row is still staged for the file's other checks; cut only there, where the
        # staging table's columns are the ledger's (the file is refused, nothing is written).
        counterparty, sub_account = counterparty[:COUNTERPARTY_MAX], sub_account[:SUB_ACCOUNT_MAX]
        summary = summary[:SUMMARY_MAX]
        case_number = text(case_raw)
        case_id = None
        if case_number:
            case_id, why = checker.case(case_number, vcode)
            if why:
                self.problem(number, "case", why)
                bad = True
        account_code = account_code[:8]
        fp = row_fingerprint(
            day=iso,
            account=account_code,
            sub_account=sub_account,
            side=side,
            amount=amount,
            summary=summary,
            counterparty=counterparty,
            payment_method=payment,
            case_number=case_number,
        )
        return (
            number,
            vcode,
            village.county,
            year,
            voucher,
            iso,
            period,
            summary,
            account_code,
            sub_account,
            side,
            amount,
            counterparty,
            payment,
            case_id,
            account.cash if account else "",
            fp,
            1 if bad else 0,
        )

    def _amount(self, number: int, name: str, value: Any) -> int:
        """Fen, 0 for an empty cell, -1 after reporting a problem."""
        if value is None or value == "":
            return 0
        if isinstance(value, str):
            m = _SIMPLE_AMOUNT.match(value)
            if m:
                return int(m.group(1)) * 100 + int((m.group(2) or "0").ljust(2, "0"))
            if not value.strip():
                return 0
        try:
            return parse_yuan(value)
        except NegativeAmount:
            self.problem(number, name, _("%(value)s is negative: put the amount on the other side") % {"value": value})
        except InvalidInput:
            self.problem(number, name, _("%(value)r is not an amount") % {"value": value})
        return -1

    # pass 3: checks across rows

    def check(self) -> None:
        t = self.table
        key = "village_code, year, number"
        with connection.cursor() as c:
            c.execute(f"CREATE INDEX {t}_key ON {t} ({key}, rowno)")
            if connection.vendor == "postgresql":
                c.execute(f"ANALYZE {t}")
        # A voucher number used for two separate runs of rows.
        for village, year, number, first, _runs in _query(
            f"SELECT {key}, MIN(rowno), SUM(run_start) FROM {t} GROUP BY {key} HAVING SUM(run_start) > 1 "
            f"ORDER BY MIN(rowno) LIMIT {MAX_PROBLEMS}"
        ):
            second = _query(
                f"SELECT rowno FROM {t} WHERE village_code = %s AND year = %s AND number = %s "
                "AND run_start = 1 ORDER BY rowno LIMIT 1 OFFSET 1",
                [village, year, number],
            )
            self.problem(
                second[0][0] if second else first,
                "voucher",
                _("voucher number %(number)d of %(year)d is used again (first at row %(first)s)")
                % {"number": number, "year": year, "first": row_label(first, self.sheets)},
            )
        # Vouchers whose rows are all readable but do not balance, or differ in date.
        balance_rows = (
            []
            if self.dropped
            else _query(
                f"SELECT {key}, MIN(rowno), SUM(CASE WHEN side = 'D' THEN amount ELSE 0 END), "
                f"SUM(CASE WHEN side = 'C' THEN amount ELSE 0 END), COUNT(DISTINCT date) FROM {t} "
                f"GROUP BY {key} HAVING SUM(bad) = 0 AND SUM(run_start) = 1 AND "
                f"(SUM(CASE WHEN side = 'D' THEN amount ELSE -amount END) <> 0 OR COUNT(DISTINCT date) > 1) "
                f"ORDER BY MIN(rowno) LIMIT {MAX_PROBLEMS}"
            )
        )
        for _v, year, number, first, debit, credit, days in balance_rows:
            if debit != credit:
                self.problem(
                    first,
                    "debit",
                    _("voucher %(number)d of %(year)d does not balance: debits %(d)s, credits %(c)s")
                    % {"number": number, "year": year, "d": yuan(debit), "c": yuan(credit)},
                )
            if days > 1:
                self.problem(
                    first,
                    "date",
                    _("the rows of voucher %(number)d of %(year)d carry different dates")
                    % {"number": number, "year": year},
                )
        # Vouchers already in the books: unchanged ones are skipped, others refused.
        vt = Voucher._meta.db_table
        overlap = _query(
            f"SELECT 1 FROM {t} s JOIN {vt} v ON v.village_code = s.village_code AND "
            "v.year = s.year AND v.number = s.number LIMIT 1"
        )
        if overlap:
            _execute(
                f"UPDATE {t} SET skip = 1 WHERE EXISTS (SELECT 1 FROM {vt} v WHERE v.village_code = {t}.village_code "
                f"AND v.year = {t}.year AND v.number = {t}.number AND v.fingerprint = (SELECT SUM(s2.fp) FROM {t} s2 "
                f"WHERE s2.village_code = {t}.village_code AND s2.year = {t}.year AND s2.number = {t}.number))"
            )
            for _v, year, number, first in _query(
                f"SELECT s.village_code, s.year, s.number, MIN(s.rowno) FROM {t} s JOIN {vt} v ON "
                "v.village_code = s.village_code AND v.year = s.year AND v.number = s.number WHERE s.skip = 0 "
                f"GROUP BY s.village_code, s.year, s.number ORDER BY MIN(s.rowno) LIMIT {MAX_PROBLEMS}"
            ):
                self.problem(
                    first,
                    "voucher",
                    _("voucher number %(number)d of %(year)d is already in the books with other entries")
                    % {"number": number, "year": year},
                )
        # Months that are closed or published take no new vouchers.
        mt = Month._meta.db_table
        for village, period, first, status in _query(
            f"SELECT s.village_code, s.period, MIN(s.rowno), m.status FROM {t} s JOIN {mt} m ON "
            "m.village_code = s.village_code AND m.period = s.period WHERE s.skip = 0 AND m.status <> %s "
            f"GROUP BY s.village_code, s.period, m.status ORDER BY MIN(s.rowno) LIMIT {MAX_PROBLEMS}",
            [MonthStatus.OPEN],
        ):
            if status == MonthStatus.PUBLISHED:
                message = _("%(month)s of village %(village)s is published: date corrections in an open month")
            else:
                message = _("%(month)s of village %(village)s is closed: ask the accountant to reopen it first")
            self.problem(first, "date", message % {"month": periods.text(period), "village": village})
        # Spending above the limit needs the case that authorised it.
        limit = case_required_above()
        if limit:
            for _v, year, number, first, spent in _query(
                f"SELECT {key}, MIN(rowno), SUM(CASE WHEN cash <> '' AND side = 'C' THEN amount "
                f"WHEN cash <> '' THEN -amount ELSE 0 END) FROM {t} WHERE skip = 0 GROUP BY {key} "
                f"HAVING SUM(bad) = 0 AND MAX(case_id) IS NULL AND SUM(CASE WHEN cash <> '' AND side = 'C' "
                f"THEN amount WHEN cash <> '' THEN -amount ELSE 0 END) > %s ORDER BY MIN(rowno) LIMIT {MAX_PROBLEMS}",
                [limit],
            ):
                self.problem(
                    first,
                    "case",
                    _(
                        "voucher %(number)d of %(year)d spends %(amount)s yuan: above "
                        "%(limit)s yuan it needs the number of its authorising case"
                    )
                    % {"number": number, "year": year, "amount": yuan(spent), "limit": yuan(limit)},
                )

    # pass 4: the write

    def write(self) -> None:
        # Inside the driver's transaction: all or nothing.
        t = self.table
        vt, et = Voucher._meta.db_table, "finance_entry"
        ops = connection.ops
        now = ops.adapt_datetimefield_value(timezone.now())
        by_id = self.by.pk if self.by is not None and getattr(self.by, "is_authenticated", False) else None
        unchanged = _query(
            f"SELECT COUNT(*) FROM (SELECT DISTINCT village_code, year, number FROM {t} WHERE skip = 1) u"
        )[0][0]
        months = _query(f"SELECT DISTINCT village_code, county_code, period FROM {t} WHERE skip = 0")
        Month.objects.bulk_create(
            [Month(village_id=v, county_code=c, period=p) for v, c, p in months], ignore_conflicts=True
        )
        # A month that gained vouchers is open; one closed since the check would refuse.
        closed = _query(
            f"SELECT 1 FROM {t} s JOIN {Month._meta.db_table} m ON m.village_code = s.village_code "
            "AND m.period = s.period WHERE s.skip = 0 AND m.status <> %s LIMIT 1",
            [MonthStatus.OPEN],
        )
        if closed:
            raise InvalidInput(_("A month of this file was closed while it was being checked: import again"))
        years = _query(f"SELECT DISTINCT village_code, year FROM {t} WHERE skip = 0")
        FiscalYear.objects.bulk_create(
            [FiscalYear(village_id=v, year=y, chart_id=default_chart(y).code) for v, y in years],
            ignore_conflicts=True,
        )
        created = _execute(
            f"INSERT INTO {vt} (county_code, village_code, year, number, date, period, summary, payment_method, "
            "kind, status, source, import_batch_id, fingerprint, recorded_by_id, recorded_at, review_opinion, "
            "posted_by_id, posted_at, case_id) "
            "SELECT f.county_code, f.village_code, f.year, f.number, f.date, f.period, f.summary, "
            "CASE WHEN g.pm <> '' THEN g.pm WHEN g.cmin = 'hand' AND g.cmax = 'hand' THEN %s "
            "WHEN g.cmin = 'bank' AND g.cmax = 'bank' THEN %s ELSE %s END, "
            "'normal', 'posted', 'import', %s, g.fp, %s, %s, '', %s, %s, g.case_id FROM ("
            f"SELECT village_code, year, number, MIN(rowno) AS first, SUM(fp) AS fp, MAX(payment_method) AS pm, "
            "MIN(NULLIF(cash, '')) AS cmin, MAX(NULLIF(cash, '')) AS cmax, MAX(case_id) AS case_id "
            f"FROM {t} WHERE skip = 0 GROUP BY village_code, year, number) g JOIN {t} f ON f.rowno = g.first",
            [PaymentMethod.CASH, PaymentMethod.BANK, PaymentMethod.OTHER, self.batch.pk, by_id, now, by_id, now],
        )
        self.progress("writing", 85)
        entries = _execute(
            f"INSERT INTO {et} (county_code, village_code, voucher_id, line, account_code, sub_account, side, "
            "amount, summary, counterparty) SELECT s.county_code, s.village_code, v.id, "
            "ROW_NUMBER() OVER (PARTITION BY s.village_code, s.year, s.number ORDER BY s.rowno), "
            "s.account_code, s.sub_account, s.side, s.amount, s.summary, s.counterparty "
            f"FROM {t} s JOIN {vt} v ON v.village_code = s.village_code AND v.year = s.year "
            "AND v.number = s.number AND v.import_batch_id = %s WHERE s.skip = 0",
            [self.batch.pk],
        )
        batch = self.batch
        batch.vouchers_created, batch.entries_created, batch.vouchers_unchanged = created, entries, unchanged
        villages = _query(f"SELECT DISTINCT village_code FROM {t} WHERE skip = 0 ORDER BY village_code LIMIT 500")
        batch.villages = [v for (v,) in villages]


def import_file(
    *,
    batch: ImportBatch,
    by: User | None,
    path: Path | None = None,
    on_progress: Callable[[ImportBatch], None] | None = None,
) -> Outcome:
    """Check the file (`path`, else the one stored under the batch) whole, then import
    it whole (see the module docstring and sunlit/lib/importdesk.py).

    Raises ImportRefused with every problem when nothing was imported. `batch` records
    the run (status, progress, counts, problems) for the upload page.
    """
    done = _Importer(batch, by=by, on_progress=on_progress).run(path)
    return Outcome(done.batch, done.already_imported)


def batch_start(*, filename: str, default_village: str = "", by: User | None) -> ImportBatch:
    """Record a new import (before its file is read)."""
    if default_village:
        codes.validate(default_village)
        if by is not None:
            jurisdiction.require(by, "finance.import", default_village)
    return importdesk.new_batch(ImportBatch, filename=filename, default_village=default_village, by=by)
