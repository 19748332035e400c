"""Demo books: every village's vouchers month by month, closed, signed off and published.

City scale is Lianyuan's volume: 250 villages over 8 years (2018–2025), about 1.06
million entries, with the seasons of a Hunan village (Spring Festival relief and the
year's first transfers in January, spring ploughing and irrigation in spring, flood
work and road hardening in summer, year-end closing in December), receipts as small
generated images for a sample of vouchers, and most months published within the
deadline, some late, a few villages' last months not yet signed off. Small scale is one
year of six villages, quick enough for every test run.

Speed: the working tables are written a village at a time with multi-row inserts (COPY
on PostgreSQL; vouchers carry ids chosen here, so their entries need no read-back), and
each month is published through the one `transparency.publish`; the public tables are
derived from each published snapshot as they are on a real sign-off. Deterministic for a
seed; a village with books is skipped, so the demo can run again.

Time: each month carries the day its committee signed it off (years of simulated
history), and timeliness counts that day. The log itself is stamped by the clock as the
demo runs (after the demo's cases, so every village's chain still reads forward in
time): the books are history brought online, which is what a county does when it
joins with its past years on paper. The month page says so when the two days differ.
"""

from __future__ import annotations

import hashlib
import io
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw, ImageFont
from tqdm import tqdm

from sunlit.accounts.models import User
from sunlit.cases.selectors import cases_authorising
from sunlit.finance import periods, publication, selectors, services
from sunlit.finance.models import (
    Account,
    Balance,
    Chart,
    Entry,
    FiscalYear,
    Month,
    MonthStatus,
    Receipt,
    Voucher,
)
from sunlit.lib import uploads
from sunlit.lib.rooms import DemoContext
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.services import root_sign

SHANGHAI = ZoneInfo("Asia/Shanghai")
CITY_ENTRIES = 1_060_000
SCALES = {
    # years, target entries (None: a fixed small month), receipt sample rate
    "small": ((2025,), None, 0.25),
    "city": (tuple(range(2018, 2026)), CITY_ENTRIES, 0.005),
}
SMALL_ENTRIES_PER_MONTH = 16
# Month weights (Jan…Dec): Spring Festival and year-end are busy, February is quiet.
SEASON = (1.25, 0.70, 1.00, 1.10, 1.10, 1.00, 1.05, 0.95, 0.90, 1.00, 1.05, 1.40)
FONT_PATHS = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)

# Accounts by role, in each chart: templates name roles, not codes (153 means 固定资产清理
# in 2004 and 在建工程 in 2023).
ROLES = {
    "2004": {
        "cash": "101",
        "bank": "102",
        "receivable": "112",
        "forest": "132",
        "fixed": "151",
        "depreciation": "152",
        "construction": "154",
        "payable": "202",
        "wages": "211",
        "onematter": "231",
        "capital": "301",
        "reserve": "311",
        "profit": "321",
        "distribution": "322",
        "contract_income": "511",
        "subsidy": "522",
        "other_income": "531",
        "admin": "541",
        "other_exp": "551",
        "public_exp": "551",
        "operating_income": "501",
    },
    "2023": {
        "cash": "101",
        "bank": "102",
        "receivable": "112",
        "forest": "134",
        "fixed": "151",
        "depreciation": "152",
        "construction": "153",
        "payable": "211",
        "wages": "212",
        "onematter": "231",
        "capital": "301",
        "reserve": "311",
        "profit": "321",
        "distribution": "322",
        "contract_income": "501",
        "subsidy": "503",
        "other_income": "504",
        "admin": "513",
        "other_exp": "515",
        "public_exp": "514",
        "operating_income": "501",
    },
}
SUPPLIERS = (
    "涟源市文具店",
    "湄江五金店",
    "涟源市建材公司",
    "娄底市路桥建设有限公司",
    "涟源市水利工程队",
    "六亩塘农资站",
    "涟源市印刷厂",
    "蓝田苗木场",
    "涟源市家电城",
    "湘中建筑工程有限公司",
)
# (summary with {m} for the month, debit role, credit role, low yuan, high yuan, counterparty kind,
#  months it happens in (None: any), weight)
TEMPLATES: tuple[tuple[str, str, str, int, int, str, tuple[int, ...] | None, int], ...] = (
    ("支付{m}月电费", "admin", "bank", 150, 1500, "power", None, 10),
    ("支付{m}月村部网络及电话费", "admin", "bank", 100, 360, "telecom", None, 6),
    ("购买办公用品", "admin", "cash", 80, 900, "supplier", None, 8),
    ("提取备用金", "cash", "bank", 1000, 3000, "bank", None, 5),
    ("计提{m}月村干部工资", "admin", "wages", 6000, 15000, "", None, 8),
    ("发放{m}月村干部工资", "wages", "bank", 6000, 15000, "person", None, 8),
    ("支付村民小组长误工补贴", "admin", "cash", 300, 2400, "person", None, 5),
    ("春节慰问困难群众", "other_exp", "cash", 2000, 12000, "person", (1, 2), 12),
    ("慰问老党员", "other_exp", "cash", 500, 3000, "person", (1, 6, 7), 6),
    ("收到土地承包费", "bank", "contract_income", 2000, 40000, "person", (3, 4, 11, 12), 8),
    ("收到山林发包款", "bank", "contract_income", 5000, 60000, "person", (3, 10), 4),
    ("山塘清淤工程款", "construction", "bank", 3000, 45000, "contractor", (3, 4, 5), 8),
    ("购买绿化苗木", "forest", "bank", 1500, 20000, "nursery", (2, 3, 4), 6),
    ("防汛抢险支出", "public_exp", "bank", 2000, 25000, "contractor", (5, 6, 7, 8), 8),
    ("村道硬化工程款", "construction", "bank", 30000, 300000, "contractor", (6, 7, 8, 9, 10), 7),
    ("组级公路硬化工程进度款", "construction", "bank", 20000, 150000, "contractor", (7, 8, 9, 10), 5),
    ("入户路硬化材料款", "construction", "bank", 3000, 40000, "supplier", (6, 7, 8, 9), 5),
    ("一事一议筹资款", "bank", "onematter", 3000, 30000, "household", (9, 10, 11), 5),
    ("收到银行存款利息", "bank", "other_income", 20, 800, "bank", (3, 6, 9, 12), 6),
    ("村部维修费", "admin", "bank", 500, 8000, "supplier", None, 3),
    ("购买垃圾清运车辆", "fixed", "bank", 8000, 40000, "supplier", (4, 5, 10), 1),
    ("支付保洁员{m}月工资", "public_exp", "cash", 800, 2400, "person", None, 5),
    ("暂付款：购买化肥", "receivable", "cash", 500, 5000, "farm", (3, 4), 3),
)
COUNTERPARTIES = {
    "power": ("国网湖南省电力有限公司涟源市供电分公司",),
    "telecom": ("中国电信涟源分公司", "中国移动涟源分公司"),
    "bank": ("涟源农村商业银行",),
    "contractor": ("湘中建筑工程有限公司", "娄底市路桥建设有限公司", "涟源市水利工程队", "涟源市宏达建设有限公司"),
    "supplier": SUPPLIERS,
    "nursery": ("蓝田苗木场", "湄江花木基地"),
    "farm": ("六亩塘农资站",),
    "household": ("各农户",),
}
OPINIONS = ("经审核，票据齐全，同意", "同意报销", "已核对原始凭证，同意", "同意入账")


@dataclass
class Line:
    account: str
    side: str
    amount: int
    summary: str
    counterparty: str


@dataclass
class DemoVoucher:
    id: int
    number: int
    date: date
    summary: str
    lines: list[Line]
    payment: str
    kind: str = "normal"
    corrects: DemoVoucher | None = None
    case: tuple[int, str, str, str] | None = None  # id, number, item code, item name
    receipts: list[dict[str, Any]] = field(default_factory=list)
    fingerprint: int = 0


@dataclass
class FinanceDemoResult:
    villages: int = 0
    vouchers: int = 0
    entries: int = 0
    months_published: int = 0
    months_late: int = 0
    months_pending: int = 0
    receipts: int = 0
    seconds: float = 0.0


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(f"sunlit-demo-finance:{seed}:{purpose}")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def _font() -> Any:

    for path in FONT_PATHS:
        if Path(path).exists():
            try:
                return ImageFont.truetype(path, 18)
            except OSError:
                continue
    return ImageFont.load_default()


def receipt_image(*, title: str, lines: list[str], seed: str) -> bytes:
    """A small receipt-like JPEG (a few KB): title, lines, a red stamp."""

    rng = random.Random(seed)
    image = Image.new("RGB", (360, 240), (252, 250, 240 - rng.randrange(20)))
    draw = ImageDraw.Draw(image)
    font = _font()
    draw.rectangle((6, 6, 353, 233), outline=(120, 110, 90), width=2)
    draw.text((20, 14), title, fill=(30, 30, 30), font=font)
    for i, text in enumerate(lines):
        draw.text((20, 52 + i * 30), text, fill=(40, 40, 60), font=font)
    x, y = 250 + rng.randrange(30), 140 + rng.randrange(30)
    draw.ellipse((x, y, x + 80, y + 80), outline=(190, 30, 30), width=3)
    draw.text((x + 12, y + 28), "财务专用", fill=(190, 30, 30), font=font)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, optimize=True)
    return out.getvalue()


class _VillageBooks:
    """One village's books, generated month by month with running balances."""

    def __init__(
        self,
        *,
        code: str,
        seed: int,
        years: tuple[int, ...],
        target: float | None,
        charts: dict[int, str],
        accounts: dict[str, dict[str, Account]],
        cases: list[tuple[Any, ...]],
        next_id: int,
    ) -> None:
        self.code = code
        self.rng = _rng(seed, code)
        self.years = years
        self.charts = charts
        self.accounts = accounts
        self.cases = cases
        self.next_id = next_id
        self.size = 0.6 + self.rng.random() * 1.0  # villages differ in how busy their books are
        self.target = target
        self.balances: dict[str, int] = defaultdict(int)
        self.wanted = 0.0
        self.made = 0
        surnames, given = "李王张刘陈杨黄赵吴周彭曾肖谭", "建国军华明伟强平勇志红芳丽敏秀英"
        ending = ("", "生", "林", "清", "华")
        self.people = [self.rng.choice(surnames) + self.rng.choice(given) + self.rng.choice(ending) for _ in range(12)]

    def role(self, year: int, name: str) -> str:
        return ROLES[self.charts[year]][name]

    def counterparty(self, kind: str) -> str:
        if kind == "person":
            return self.rng.choice(self.people)
        return self.rng.choice(COUNTERPARTIES[kind]) if kind in COUNTERPARTIES else ""

    def months(self, weight_total: float) -> Iterator[tuple[int, list[DemoVoucher]]]:
        numbers: dict[int, int] = defaultdict(int)
        reversals: list[tuple[int, DemoVoucher]] = []
        first = True
        for year in self.years:
            growth = 0.85 + 0.3 * (year - self.years[0]) / max(1, len(self.years) - 1)
            for month in range(1, 13):
                period = year * 100 + month
                vouchers: list[DemoVoucher] = []

                def add(
                    day: date,
                    summary: str,
                    lines: list[Line],
                    payment: str = "",
                    kind: str = "normal",
                    corrects: DemoVoucher | None = None,
                    case: Any = None,
                    _year: int = year,
                    _vouchers: list[DemoVoucher] = vouchers,
                ) -> DemoVoucher:
                    # Numbered and given ids once the month is complete, in date order.
                    v = DemoVoucher(
                        id=0,
                        number=len(_vouchers),
                        date=day,
                        summary=summary,
                        lines=lines,
                        payment=payment or self.payment(_year, lines),
                        kind=kind,
                        corrects=corrects,
                        case=case,
                    )
                    _vouchers.append(v)
                    for line in lines:
                        self.balances[line.account] += line.amount if line.side == "D" else -line.amount
                    return v

                if year == 2024 and month == 1 and self.charts.get(2023) != self.charts.get(2024):
                    self.carry_into_2023_chart()
                if first:
                    opening = self.rng.randrange(50_000, 400_000) * 100
                    add(
                        date(year, 1, 1),
                        "期初建账：银行存款余额",
                        [
                            Line(self.role(year, "bank"), "D", opening, "期初建账：银行存款余额", "涟源农村商业银行"),
                            Line(self.role(year, "capital"), "C", opening, "期初建账：银行存款余额", ""),
                        ],
                    )
                    first = False
                if self.target is None:
                    wanted = SMALL_ENTRIES_PER_MONTH * SEASON[month - 1]
                else:
                    wanted = self.target * self.size * SEASON[month - 1] * growth / weight_total
                wanted *= 0.85 + self.rng.random() * 0.3
                # Against the village's running total, so transfers, reversals and the
                # year-end closing do not push the city past its target.
                self.wanted += wanted
                made = sum(len(v.lines) for v in vouchers)
                # Transfers from the township come quarterly, and whenever the bank runs low.
                if month in (1, 4, 7, 10) or self.bank(year) < 20_000_00:
                    amount = self.rng.randrange(30_000, 150_000) * 100
                    summary = f"收到{year}年第{(month + 2) // 3}季度村级组织运转经费"
                    cp = "六亩塘镇财政所" if self.code[6:9] == "101" else "乡镇财政所"
                    add(
                        date(year, month, 2),
                        summary,
                        [
                            Line(self.role(year, "bank"), "D", amount, summary, cp),
                            Line(self.role(year, "subsidy"), "C", amount, summary, cp),
                        ],
                    )
                    made += 2
                for due_period, original in [r for r in reversals if r[0] == period]:
                    reverse = [
                        Line(x.account, "C" if x.side == "D" else "D", x.amount, x.summary, x.counterparty)
                        for x in original.lines
                    ]
                    summary = f"冲销{original.date.year}年第{original.number}号凭证：重复报销"
                    add(
                        date(year, month, 3),
                        summary,
                        reverse,
                        payment=original.payment,
                        kind="reversal",
                        corrects=original,
                    )
                    made += len(reverse)
                    reversals.remove((due_period, original))
                days = self.days(year, month)
                while self.made + made < self.wanted or made < 2:
                    v = self.ordinary(year, month, days, add)
                    made += len(v.lines)
                    # A few vouchers are found wrong after publication and reversed the next
                    # month (within the year: a reversal keeps its original's chart).
                    if v.kind == "normal" and v.case is None and self.rng.random() < 0.002 and month < 11:
                        reversals.append((periods.next_period(period), v))
                if month == 12:
                    self.close_year(year, add)
                vouchers.sort(key=lambda v: (v.date, v.number))
                self.made += sum(len(v.lines) for v in vouchers)
                for v in vouchers:
                    numbers[year] += 1
                    v.number, v.id = numbers[year], self.next_id
                    self.next_id += 1
                yield period, vouchers

    def days(self, year: int, month: int) -> list[date]:
        return [
            date(year, month, d)
            for d in range(1, periods.last_day(year * 100 + month).day + 1)
            if date(year, month, d).weekday() < 6
        ]

    def bank(self, year: int) -> int:
        return self.balances[self.role(year, "bank")]

    def payment(self, year: int, lines: list[Line]) -> str:
        kinds = {self.accounts[self.charts[year]][x.account].cash for x in lines} - {""}
        return "cash" if kinds == {"hand"} else "bank" if kinds == {"bank"} else "other"

    def ordinary(self, year: int, month: int, days: list[date], add: Any) -> DemoVoucher:
        choices = [t for t in TEMPLATES if t[6] is None or month in t[6]]
        summary, debit, credit, low, high, kind, _months, _w = self.rng.choices(
            choices, weights=[t[7] for t in choices]
        )[0]
        summary = summary.format(m=month)
        amount = self.rng.randrange(low, high + 1) * 100 + self.rng.choice((0, 0, 0, 50, self.rng.randrange(100)))
        if credit == "cash" and self.balances[self.role(year, "cash")] < amount:
            credit = "bank"
        cp = self.counterparty(kind)
        day = self.rng.choice(days)
        lines = [
            Line(self.role(year, debit), "D", amount, summary, cp),
            Line(self.role(year, credit), "C", amount, summary, cp),
        ]
        if debit == "admin" and self.rng.random() < 0.15:
            # Split between two expense lines (e.g. materials and labour).
            part = amount // 3
            lines = [
                Line(self.role(year, debit), "D", amount - part, summary, cp),
                Line(self.role(year, "public_exp"), "D", part, summary + "（公益部分）", cp),
                Line(self.role(year, credit), "C", amount, summary, cp),
            ]
        case = None
        # Drawn whether or not a case is cited, so that the books do not depend on which
        # cases the demo's cases room happened to approve.
        pick = self.rng.random()
        if credit in ("bank", "cash") and amount > services.case_required_above():
            # Spending cites a case approved before it; older books (before the platform's
            # cases) cite none, as imported history does.
            eligible = [c for c in self.cases if c[4] <= day]
            if eligible:
                case = eligible[int(pick * len(eligible))][:4]
        return add(day, summary, lines, case=case)

    def close_year(self, year: int, add: Any) -> None:
        """December: close income and expense accounts into 本年收益, then distribute it."""
        chart = self.accounts[self.charts[year]]
        profit = self.role(year, "profit")
        lines: list[Line] = []
        net = 0
        for code in sorted(self.balances):
            account = chart.get(code)
            amount = self.balances[code]
            if account is None or account.category not in ("income", "expense") or not amount:
                continue
            summary = f"结转{year}年{account.name}"
            lines.append(Line(code, "C" if amount > 0 else "D", abs(amount), summary, ""))
            net += amount
        if not lines:
            return
        summary = f"结转{year}年损益"
        lines.append(Line(profit, "D" if net > 0 else "C", abs(net), summary, ""))
        add(date(year, 12, 31), summary, lines)
        remaining = self.balances[profit]
        if remaining:
            summary = f"{year}年收益分配：转入未分配收益"
            add(
                date(year, 12, 31),
                summary,
                [
                    Line(profit, "D" if remaining < 0 else "C", abs(remaining), summary, ""),
                    Line(self.role(year, "distribution"), "C" if remaining < 0 else "D", abs(remaining), summary, ""),
                ],
            )

    def carry_into_2023_chart(self) -> None:
        target: dict[str, str] = {}
        for account in self.accounts[self.charts[2024]].values():
            for old in account.carries_from:
                target[old] = account.code
        carried: dict[str, int] = defaultdict(int)
        for code, amount in self.balances.items():
            if amount:
                carried[target[code]] += amount
        self.balances = carried


def _snapshot(
    *,
    village: Region,
    period: int,
    chart: Chart,
    accounts: dict[str, Account],
    vouchers: list[DemoVoucher],
    balances: list[Balance],
    reviewed_on: str,
    closed_on: str,
    signed_on: str,
    opinion: str,
    review_opinions: dict[int, str],
) -> dict[str, Any]:
    """The same document `publication.month_snapshot` builds from the working tables (a
    test compares the two)."""
    out = []
    income = expense = debit = credit = count = 0
    for v in vouchers:
        direction, amount = selectors.cash_flow(((x.account, x.side, x.amount) for x in v.lines), accounts)
        if direction == "income":
            income += amount
        elif direction == "expense":
            expense += amount
        count += len(v.lines)
        for x in v.lines:
            if x.side == "D":
                debit += x.amount
            else:
                credit += x.amount
        out.append(
            {
                "year": v.date.year,
                "number": v.number,
                "date": v.date.isoformat(),
                "summary": v.summary,
                "kind": v.kind,
                "corrects": {
                    "year": v.corrects.date.year,
                    "number": v.corrects.number,
                    "period": periods.text(periods.of(v.corrects.date)),
                }
                if v.corrects
                else None,
                "payment_method": v.payment,
                "direction": direction,
                "amount": amount,
                "case": {"number": v.case[1], "item": v.case[2], "item_name": v.case[3]} if v.case else None,
                "review": {"on": reviewed_on, "opinion": review_opinions[v.id]},
                "receipts": [
                    {"sha256": r["sha256"], "type": "image/jpeg", "bytes": r["size"], "thumbnail": True}
                    for r in v.receipts
                ],
                "entries": [
                    {
                        "line": i,
                        "account": x.account,
                        "account_name": accounts[x.account].name,
                        "sub_account": "",
                        "side": x.side,
                        "amount": x.amount,
                        "summary": x.summary,
                        "counterparty": x.counterparty,
                    }
                    for i, x in enumerate(v.lines, start=1)
                ],
            }
        )
    township = village.parent
    return {
        "schema": publication.SCHEMA,
        "title": periods.text(period),
        "village": {"code": village.code, "name": village.name},
        "township": {"code": township.code, "name": township.name} if township else None,
        "period": periods.text(period),
        "chart": {"code": chart.code, "name": chart.name},
        "currency": "CNY",
        "unit": "fen",
        "closed_on": closed_on,
        "signed_off_on": signed_on,
        "signoff_opinion": opinion,
        "totals": {
            "income": income,
            "expense": expense,
            "debit": debit,
            "credit": credit,
            "vouchers": len(out),
            "entries": count,
        },
        "balances": [
            {
                "account": b.account_code,
                "name": accounts[b.account_code].name,
                "side": accounts[b.account_code].side,
                "cash": accounts[b.account_code].cash,
                "opening": b.opening,
                "debit": b.debit,
                "credit": b.credit,
                "closing": b.closing,
            }
            for b in balances
        ],
        "vouchers": out,
    }


def _delay(rng: random.Random) -> int:
    """Days from month end to sign-off: mostly within the 15-day limit, some late."""
    roll = rng.random()
    if roll < 0.93:
        return rng.randrange(3, 13)
    if roll < 0.985:
        return rng.randrange(16, 41)
    return rng.randrange(41, 91)


def demo_finance(
    *, village_codes: list[str], scale: str, seed: int, bar: Any = None, limit: int | None = None
) -> FinanceDemoResult:
    """Generate, write and publish the books of `village_codes` (see the module docstring).
    `limit` stops after that many villages (for measuring a part of the city)."""
    started = time.monotonic()
    years, target, receipt_rate = SCALES[scale]
    result = FinanceDemoResult()
    if not Chart.objects.filter(code="2023").exists():
        services.chart_load(source=services.DATA_DIR / "chart-2023.yaml", by=None)
    charts = {y: selectors.default_chart(y).code for y in years}
    accounts = {code: selectors.accounts_of(code) for code in set(charts.values())}
    chart_rows = {c.code: c for c in Chart.objects.all()}
    have_books = set(
        Voucher.objects.filter(village_id__in=village_codes).values_list("village_id", flat=True).distinct()
    )
    villages = {r.code: r for r in Region.objects.select_related("parent").filter(code__in=village_codes)}
    cases = _approved_cases(village_codes)
    officials = _people("township-")
    supervisors = _people("supervisor-")
    # Weight of one village-month in the city target, so the total lands near 1.06 million.
    weight_total = len(village_codes) * sum(SEASON) * len(years)
    weight_total *= sum(0.85 + 0.3 * i / max(1, len(years) - 1) for i in range(len(years))) / len(years)
    weight_total *= 1.1  # mean village size: each village's weight is multiplied by its own
    pending_rng = _rng(seed, "pending")
    pending = {c for c in sorted(village_codes) if pending_rng.random() < 0.04} - {min(village_codes)}
    next_id = (Voucher.objects.aggregate(n=Max("id"))["n"] or 0) + 1
    text_caches: dict[str, dict[str, int]] = defaultdict(dict)
    for code in sorted(village_codes):
        if code in have_books or code not in villages:
            continue
        if limit is not None and result.villages >= limit:
            break
        books = _VillageBooks(
            code=code,
            seed=seed,
            years=years,
            target=target,
            charts=charts,
            accounts=accounts,
            cases=cases.get(code, []),
            next_id=next_id,
        )
        official = officials.get(codes.prefix_of(codes.parent_code(code) or code))
        supervisor = supervisors.get(code[:12])
        with transaction.atomic():
            _write_village(
                villages[code],
                books,
                result=result,
                text_cache=text_caches[codes.parent_code(code) or ""],
                charts=charts,
                chart_rows=chart_rows,
                accounts=accounts,
                official=official,
                supervisor=supervisor,
                pending=code in pending,
                receipt_rate=receipt_rate,
                seed=seed,
                weight_total=weight_total,
            )
        next_id = books.next_id
        result.villages += 1
        if bar is not None:
            bar.update(1)
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Voucher]):
                c.execute(sql)
    result.seconds = time.monotonic() - started
    return result


def _approved_cases(village_codes: list[str]) -> dict[str, list[tuple[Any, ...]]]:
    """Per village: (id, number, item code, item name, day approved) of the approved cases
    that may authorise a voucher (the power list's `authorises:` says which items do)."""

    found: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for pk, village, number, item, name, closed in (
        cases_authorising(purpose=services.PURPOSE, village_codes=village_codes)
        .filter(closed_at__isnull=False)
        .values_list("id", "village_id", "number", "item__code", "item__name_zh", "closed_at")
        .order_by("id")
    ):
        found[village].append((pk, number, item, name, timezone.localtime(closed).date()))
    return found


def _people(prefix: str) -> dict[str, Any]:

    return {u.username[len(prefix) :]: u for u in User.objects.filter(username__startswith=prefix)}


def _write_village(
    village: Region,
    books: _VillageBooks,
    *,
    result: FinanceDemoResult,
    text_cache: dict[str, int],
    charts: dict[int, str],
    chart_rows: dict[str, Chart],
    accounts: dict[str, dict[str, Account]],
    official: Any,
    supervisor: Any,
    pending: bool,
    receipt_rate: float,
    seed: int,
    weight_total: float,
) -> None:
    code = village.code
    county = codes.county_of(code)
    rng = _rng(seed, f"publish:{code}")
    official_id = official.pk if official else None
    supervisor_id = supervisor.pk if supervisor else None
    FiscalYear.objects.bulk_create(
        [FiscalYear(village_id=code, year=y, chart_id=c) for y, c in charts.items()], ignore_conflicts=True
    )
    previous_publication: datetime | None = None
    last_periods = {books.years[-1] * 100 + 11, books.years[-1] * 100 + 12}
    balances_before: dict[str, int] = {}
    v_rows: list[tuple[Any, ...]] = []
    e_rows: list[tuple[Any, ...]] = []
    b_rows: list[tuple[Any, ...]] = []
    r_rows: list[Receipt] = []
    month_rows: list[Month] = []
    for period, vouchers in books.months(weight_total):
        year = periods.year(period)
        chart = chart_rows[charts[year]]
        chart_accounts = accounts[chart.code]
        month_end = periods.last_day(period)
        delay = _delay(rng)
        signed = _at(month_end + timedelta(days=delay), 10, rng.randrange(60))
        if previous_publication is not None and signed <= previous_publication:
            signed = previous_publication + timedelta(hours=1)
        closed = signed - timedelta(days=min(2, delay - 1) if delay > 1 else 0, hours=1)
        reviewed = closed - timedelta(hours=2)
        opinions = {v.id: OPINIONS[rng.randrange(len(OPINIONS))] for v in vouchers}
        for v in vouchers:
            fp = 0
            for line_no, x in enumerate(v.lines, start=1):
                fp += services.row_fingerprint(
                    day=v.date.isoformat(),
                    account=x.account,
                    sub_account="",
                    side=x.side,
                    amount=x.amount,
                    summary=x.summary,
                    counterparty=x.counterparty,
                    payment_method=v.payment,
                    case_number=v.case[1] if v.case else "",
                )
                e_rows.append(
                    (
                        county,
                        code,
                        v.id,
                        line_no,
                        x.account,
                        "",
                        x.side,
                        x.amount,
                        x.summary[:200],
                        x.counterparty[:100],
                    )
                )
            v.fingerprint = fp
            v_rows.append(
                (
                    v.id,
                    county,
                    code,
                    v.date.year,
                    v.number,
                    v.date.isoformat(),
                    period,
                    v.summary[:200],
                    v.payment,
                    v.kind,
                    v.corrects.id if v.corrects else None,
                    "posted",
                    "manual",
                    fp,
                    official_id,
                    reviewed - timedelta(days=3),
                    supervisor_id,
                    reviewed,
                    opinions[v.id],
                    official_id,
                    reviewed - timedelta(hours=1),
                    official_id,
                    reviewed - timedelta(hours=1),
                    official_id,
                    closed - timedelta(hours=1),
                    v.case[0] if v.case else None,
                )
            )
            if rng.random() < receipt_rate and v.kind == "normal":
                v.receipts.append(_receipt(village, v, seed))
        # Balances: opening from the month before (already in the new chart at a change).
        activity: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for v in vouchers:
            for x in v.lines:
                activity[x.account][0 if x.side == "D" else 1] += x.amount
        opening = {k: val for k, val in balances_before.items() if val}
        if year == 2024 and period % 100 == 1 and charts.get(2023) != charts.get(2024):
            opening = _carried(opening, chart_accounts)
        order = {c: a.order for c, a in chart_accounts.items()}
        balance_rows = []
        for account in sorted(set(opening) | set(activity), key=lambda c: (order.get(c, 9999), c)):
            d, c = activity[account] if account in activity else (0, 0)
            start = opening.get(account, 0)
            balance_rows.append(
                Balance(
                    village_code=code,
                    period=period,
                    account_code=account,
                    opening=start,
                    debit=d,
                    credit=c,
                    closing=start + d - c,
                )
            )
        balances_before = {b.account_code: b.closing for b in balance_rows}
        b_rows += [
            (b.village_code, b.period, b.account_code, b.opening, b.debit, b.credit, b.closing) for b in balance_rows
        ]
        is_pending = pending and period in last_periods
        receipts = [r for v in vouchers for r in v.receipts]
        r_rows += [
            Receipt(
                voucher_id=r["voucher"],
                village_code=code,
                file=r["file"],
                thumbnail=r["thumb"],
                content_type="image/jpeg",
                sha256=r["sha256"],
                size=r["size"],
                original_name=r["name"],
                uploaded_by_id=official_id,
                uploaded_at=reviewed - timedelta(days=4),
            )
            for r in receipts
        ]
        result.receipts += len(receipts)
        result.vouchers += len(vouchers)
        result.entries += sum(len(v.lines) for v in vouchers)
        month = Month(
            county_code=county,
            village_id=code,
            period=period,
            closed_by_id=official_id,
            closed_at=closed,
            status=MonthStatus.CLOSED,
        )
        month_rows.append(month)
        if is_pending:
            result.months_pending += 1
            continue
        opinion = "账目清楚，同意公开"
        snapshot = _snapshot(
            village=village,
            period=period,
            chart=chart,
            accounts=chart_accounts,
            vouchers=vouchers,
            balances=balance_rows,
            reviewed_on=reviewed.date().isoformat(),
            closed_on=closed.date().isoformat(),
            signed_on=signed.date().isoformat(),
            opinion=opinion,
            review_opinions=opinions,
        )
        entry = publication.publish_snapshot(village_code=code, period=period, snapshot=snapshot, by=supervisor)
        publication.derive(entry, snapshot, fresh=True, text_cache=text_cache)
        month.status, month.signed_off_by_id, month.signed_off_at = MonthStatus.PUBLISHED, supervisor_id, signed
        month.signoff_opinion, month.publication, month.published_at = opinion, entry, entry.published_at
        previous_publication = signed
        result.months_published += 1
        result.months_late += int(signed.date() > periods.deadline(period))
    # The working tables of the whole village at once (the publication log is already
    # written month by month, in order).
    _flush(v_rows, e_rows)
    publication.insert_rows(
        Balance._meta.db_table,
        ("village_code", "period", "account_code", "opening", "debit", "credit", "closing"),
        b_rows,
    )
    Receipt.objects.bulk_create(r_rows, batch_size=500)
    Month.objects.bulk_create(month_rows, batch_size=500)


def _carried(opening: dict[str, int], chart_accounts: dict[str, Account]) -> dict[str, int]:
    target = {old: a.code for a in chart_accounts.values() for old in a.carries_from}
    out: dict[str, int] = defaultdict(int)
    for code, amount in opening.items():
        out[target[code]] += amount
    return {k: v for k, v in out.items() if v}


VOUCHER_COLUMNS = (
    "id",
    "county_code",
    "village_code",
    "year",
    "number",
    "date",
    "period",
    "summary",
    "payment_method",
    "kind",
    "corrects_id",
    "status",
    "source",
    "fingerprint",
    "recorded_by_id",
    "recorded_at",
    "reviewed_by_id",
    "reviewed_at",
    "review_opinion",
    "first_signed_by_id",
    "first_signed_at",
    "second_signed_by_id",
    "second_signed_at",
    "posted_by_id",
    "posted_at",
    "case_id",
)
ENTRY_COLUMNS = (
    "county_code",
    "village_code",
    "voucher_id",
    "line",
    "account_code",
    "sub_account",
    "side",
    "amount",
    "summary",
    "counterparty",
)


def _flush(v_rows: list[tuple[Any, ...]], e_rows: list[tuple[Any, ...]]) -> None:
    if not v_rows:
        return
    adapt = connection.ops.adapt_datetimefield_value
    rows = [
        (
            *r[:15],
            adapt(r[15]),
            r[16],
            adapt(r[17]),
            r[18],
            r[19],
            adapt(r[20]),
            r[21],
            adapt(r[22]),
            r[23],
            adapt(r[24]),
            r[25],
        )
        for r in v_rows
    ]
    publication.insert_rows(Voucher._meta.db_table, VOUCHER_COLUMNS, rows, chunk=200)
    publication.insert_rows(Entry._meta.db_table, ENTRY_COLUMNS, e_rows)


def _receipt(village: Region, v: DemoVoucher, seed: int) -> dict[str, Any]:
    amount = max(x.amount for x in v.lines)
    counterparty = next((x.counterparty for x in v.lines if x.counterparty), "")
    content = receipt_image(
        title=f"收 据  No.{v.date.year}{v.number:05d}",
        lines=[
            f"日期：{v.date.isoformat()}",
            f"事由：{v.summary[:14]}",
            f"金额：¥{amount // 100:,}.{amount % 100:02d}",
            f"单位：{counterparty[:14]}",
        ],
        seed=f"{seed}:{village.code}:{v.id}",
    )
    sha = hashlib.sha256(content).hexdigest()
    name = f"finance/receipts/{sha[:2]}/{sha}.jpg"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(content))
    thumb = uploads.thumbnail(content) or content
    thumb_name = f"finance/receipts/{sha[:2]}/{sha}.thumb.jpg"
    if not default_storage.exists(thumb_name):
        thumb_name = default_storage.save(thumb_name, ContentFile(thumb))
    return {
        "voucher": v.id,
        "file": name,
        "thumb": thumb_name,
        "sha256": sha,
        "size": len(content),
        "name": f"收据{v.number}.jpg",
    }


def seed(ctx: DemoContext) -> None:
    """The finance part of `sunlit demo` (the room manifest's demo seeder): every
    village of the plan, with a progress bar and a closing line on stderr."""

    villages = [v.code for t in ctx.plan.townships for v in t.villages]
    with tqdm(
        total=len(villages),
        desc="demo books",
        unit="village",
        file=sys.stderr,
        disable=None if ctx.progress else True,
        leave=False,
    ) as bar:
        result = demo_finance(village_codes=villages, scale=ctx.scale, seed=ctx.seed, bar=bar)
    if result.months_published:
        root_sign(by=None)
    if result.villages:
        sys.stderr.write(
            f"Demo books: {result.villages} village(s), {result.vouchers} vouchers, {result.entries} entries, "
            f"{result.months_published} month(s) published ({result.months_late} late, {result.months_pending} "
            f"awaiting sign-off), {result.receipts} receipt images, in {result.seconds:.0f} s.\n"
        )
    ctx.results["finance"] = result
