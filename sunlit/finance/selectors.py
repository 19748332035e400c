# ruff: noqa: S608 -- table names in SQL come from models; every value is a parameter
"""Reads of the village books.

Public pages read only what was published: the month snapshots in the publication log
and the tables derived from them (Published*). Each public read is a fixed number of
queries whatever the size of the books; the counts are pinned in the tests.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.db import connection
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.finance import periods, search
from sunlit.finance.models import (
    Account,
    Chart,
    FiscalYear,
    ImportBatch,
    Month,
    MonthStatus,
    PublishedBalance,
    PublishedCorrection,
    PublishedEntry,
    PublishedMonth,
    PublishedReceipt,
    Receipt,
    Side,
    Voucher,
    VoucherStatus,
)
from sunlit.lib.errors import InvalidInput
from sunlit.lib.rooms import PublicRecord
from sunlit.regions import codes
from sunlit.regions.models import Region

PAGE_ENTRIES = 50
SEARCH_PAGE = 50
SEARCH_COUNT_CAP = 1000
# Up to this many matching texts, the search merges each text's newest entries; beyond,
# it reads all their entries and sorts.
MERGE_TEXTS = 64


def _level(code: str) -> str | None:
    try:
        return codes.level_of(code)
    except Exception:
        return None


def village(code: str) -> Region | None:
    """A village with its township (one query), or None."""
    if _level(code) != codes.VILLAGE:
        return None
    return Region.objects.select_related("parent").filter(code=code, level=codes.VILLAGE).first()


def township(code: str) -> Region | None:
    if _level(code) != codes.TOWNSHIP:
        return None
    return Region.objects.filter(code=code, level=codes.TOWNSHIP).first()


# --- versions: what a cached public page depends on ---------------------------------------


def village_version(code: str) -> str:
    """Changes whenever the village publishes a month (or a correction lands)."""
    latest = PublishedMonth.objects.filter(county_code=codes.county_of(code), village_code=code).aggregate(
        n=Max("publication_id")
    )["n"]
    return f"v{latest or 0}"


def month_version(code: str, period: int) -> str | None:
    """The month snapshot's hash and the newest correction of it; None if unpublished."""
    county = codes.county_of(code)
    newest_correction = (
        PublishedCorrection.objects.filter(county_code=county, village_code=code, target_period=period)
        .order_by()
        .values("village_code")
        .annotate(n=Max("publication_id"))
        .values("n")
    )
    row = (
        PublishedMonth.objects.filter(county_code=county, village_code=code, period=period)
        .annotate(corrected=Subquery(newest_correction[:1]))
        .values_list("snapshot_sha256", "corrected")
        .first()
    )
    if row is None:
        return None
    return f"{row[0]}.{row[1] or 0}"


def township_version(code: str) -> str:
    latest = PublishedMonth.objects.filter(county_code=codes.county_of(code), township_code=code).aggregate(
        n=Max("publication_id")
    )["n"]
    return f"t{latest or 0}"


# --- a village's published months -----------------------------------------------------------


@dataclass
class Year:
    year: int
    months: list[PublishedMonth] = field(default_factory=list)

    @property
    def income(self) -> int:
        return sum(m.income for m in self.months)

    @property
    def expense(self) -> int:
        return sum(m.expense for m in self.months)

    @property
    def late(self) -> int:
        return sum(1 for m in self.months if m.late)


def published_years(code: str) -> list[Year]:
    """The village's published months grouped by year, newest first (one query)."""
    years: dict[int, Year] = {}
    for m in PublishedMonth.objects.filter(county_code=codes.county_of(code), village_code=code).order_by("-period"):
        years.setdefault(periods.year(m.period), Year(periods.year(m.period))).months.append(m)
    return list(years.values())


# --- one published month ---------------------------------------------------------------------


@dataclass
class MonthPage:
    village: Region
    published: PublishedMonth
    snapshot: dict[str, Any]
    corrections: dict[tuple[int, int], list[PublishedCorrection]]
    page: int
    pages: int
    vouchers: list[dict[str, Any]]

    @property
    def period(self) -> int:
        return self.published.period


def month(code: str, period: int, *, page: int = 1) -> MonthPage | None:
    """A published month from its snapshot: three queries (village, month with its
    publication, corrections published later)."""
    region = village(code)
    if region is None:
        return None
    published = (
        PublishedMonth.objects.select_related("publication")
        .filter(county_code=codes.county_of(code), village_code=code, period=period)
        .first()
    )
    if published is None:
        return None
    snapshot = published.publication.snapshot
    corrections: dict[tuple[int, int], list[PublishedCorrection]] = defaultdict(list)
    for c in PublishedCorrection.objects.filter(
        county_code=codes.county_of(code), village_code=code, target_period=period
    ).order_by("period", "number"):
        corrections[(c.target_year, c.target_number)].append(c)
    chunks = paginate_vouchers(snapshot["vouchers"], PAGE_ENTRIES)
    page = min(max(page, 1), max(len(chunks), 1))
    return MonthPage(
        village=region,
        published=published,
        snapshot=snapshot,
        corrections=dict(corrections),
        page=page,
        pages=max(len(chunks), 1),
        vouchers=chunks[page - 1] if chunks else [],
    )


def paginate_vouchers(vouchers: list[dict[str, Any]], size: int) -> list[list[dict[str, Any]]]:
    """Pages of whole vouchers, about `size` entries each (a voucher is never split)."""
    pages: list[list[dict[str, Any]]] = []
    current: list[dict[str, Any]] = []
    count = 0
    for v in vouchers:
        if current and count + len(v["entries"]) > size:
            pages.append(current)
            current, count = [], 0
        current.append(v)
        count += len(v["entries"])
    if current:
        pages.append(current)
    return pages


def flat_entries(snapshot: dict[str, Any]) -> list[dict[str, Any]]:
    """Every entry of a month with its voucher's facts: the rows of downloads and JSON."""
    rows = []
    for v in snapshot["vouchers"]:
        for e in v["entries"]:
            rows.append(
                {
                    "date": v["date"],
                    "year": v["year"],
                    "number": v["number"],
                    "line": e["line"],
                    "summary": e["summary"],
                    "account": e["account"],
                    "account_name": e["account_name"],
                    "sub_account": e["sub_account"],
                    "side": e["side"],
                    "amount": e["amount"],
                    "counterparty": e["counterparty"],
                    "direction": v["direction"],
                    "payment_method": v["payment_method"],
                    "kind": v["kind"],
                    "corrects": v["corrects"],
                    "case": (v["case"] or {}).get("number"),
                    "receipts": [r["sha256"] for r in v["receipts"]],
                }
            )
    return rows


# --- accounts --------------------------------------------------------------------------------


@dataclass
class AccountYear:
    code: str
    name: str
    side: str
    opening: int
    debit: int
    credit: int
    closing: int
    months: list[PublishedBalance] = field(default_factory=list)


def account_years(code: str) -> list[int]:
    county = codes.county_of(code)
    found = (
        PublishedMonth.objects.filter(county_code=county, village_code=code)
        .values_list("period", flat=True)
        .order_by("-period")
    )
    return sorted({periods.year(p) for p in found}, reverse=True)


def accounts_of_year(code: str, year: int) -> list[AccountYear]:
    """Per account: opening of the first published month of the year, the year's debits
    and credits, the closing of the last (one query)."""
    rows: dict[str, AccountYear] = {}
    for b in PublishedBalance.objects.filter(
        county_code=codes.county_of(code), village_code=code, period__gte=year * 100 + 1, period__lte=year * 100 + 12
    ).order_by("period"):
        found = rows.get(b.account_code)
        if found is None:
            found = rows[b.account_code] = AccountYear(b.account_code, b.account_name, b.side, b.opening, 0, 0, 0)
        found.debit += b.debit
        found.credit += b.credit
        found.closing = b.closing
        found.months.append(b)
    return sorted(rows.values(), key=lambda a: a.code)


def account_entries(code: str, year: int, account: str, *, limit: int = 2000) -> list[PublishedEntry]:
    return list(
        PublishedEntry.objects.filter(
            county_code=codes.county_of(code),
            village_code=code,
            account_code=account,
            date__gte=date(year, 1, 1),
            date__lte=date(year, 12, 31),
        ).order_by("date", "number", "line")[:limit]
    )


# --- search ----------------------------------------------------------------------------------


@dataclass
class SearchResult:
    query: str
    entries: list[PublishedEntry]
    count: int
    capped: bool
    page: int

    @property
    def has_next(self) -> bool:
        return self.count > self.page * SEARCH_PAGE


def search_entries(
    *, township_code: str, query: str, village_code: str = "", page: int = 1, per_page: int = SEARCH_PAGE
) -> SearchResult:
    """Published entries of a township (or one of its villages) whose summary or
    counterparty contains `query`, newest first. Four queries: the matching texts, the page
    of ids, a capped count, the entries.

    Most queries match a handful of distinct texts (硬化: three, for 4,350 entries of a
    township), so the page is the newest of each text's newest: per text, an index range
    (county, township, text, date) read backwards and cut at the page's end, merged. A
    query matching many texts reads their ranges whole and sorts.
    """
    sql = search.matching_texts_sql(township_code, query)
    if sql is None:
        return SearchResult(query=query, entries=[], count=0, capped=False, page=1)
    with connection.cursor() as c:
        c.execute(sql[0], cast(list[Any], sql[1]))
        texts = [r[0] for r in c.fetchall()]
    page = max(1, page)
    if not texts:
        return SearchResult(query=query, entries=[], count=0, capped=False, page=page)
    table = PublishedEntry._meta.db_table
    scope = "county_code = %s AND township_code = %s"
    base: list[Any] = [codes.county_of(township_code), township_code]
    if village_code:
        scope += " AND village_code = %s"
        base.append(village_code)
    need = page * per_page
    window = f"ORDER BY date DESC, id DESC LIMIT {int(per_page)} OFFSET {int((page - 1) * per_page)}"
    marks = ", ".join(["%s"] * len(texts))
    if len(texts) <= MERGE_TEXTS:
        parts, args = [], []
        for text in texts:
            for column in ("summary_text", "counterparty_text"):
                parts.append(
                    f"SELECT * FROM (SELECT date, id FROM {table} WHERE {scope} AND {column} = %s "
                    f"ORDER BY date DESC, id DESC LIMIT {int(need)}) p"
                )
                args += [*base, text]
        ids_sql = f"SELECT id FROM (SELECT DISTINCT date, id FROM ({' UNION ALL '.join(parts)}) u) d {window}"
    else:
        # A UNION of the two index ranges, not an OR: with OR both databases read every
        # entry of the township.
        ids_sql = (
            f"SELECT id FROM (SELECT date, id FROM {table} WHERE {scope} AND summary_text IN ({marks}) "
            f"UNION SELECT date, id FROM {table} WHERE {scope} AND counterparty_text IN ({marks})) u {window}"
        )
        args = [*base, *texts, *base, *texts]
    # Counted from the indexes alone, and only as far as the page says ("more than 1,000");
    # an entry whose summary and counterparty both match is counted once.
    cap = SEARCH_COUNT_CAP + 1
    count_sql = (
        f"SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {scope} AND summary_text IN ({marks}) "
        f"LIMIT {cap}) a) + (SELECT COUNT(*) FROM (SELECT 1 FROM {table} WHERE {scope} "
        f"AND counterparty_text IN ({marks}) AND (summary_text IS NULL OR summary_text NOT IN ({marks})) "
        f"LIMIT {cap}) b)"
    )
    with connection.cursor() as c:
        c.execute(ids_sql, args)
        ids = [r[0] for r in c.fetchall()]
        c.execute(count_sql, [*base, *texts, *base, *texts, *texts])
        row = c.fetchone()
        count = int(row[0]) if row else 0
    entries = {e.id: e for e in PublishedEntry.objects.filter(id__in=ids)} if ids else {}
    return SearchResult(
        query=query,
        entries=[entries[i] for i in ids if i in entries],
        count=min(count, SEARCH_COUNT_CAP),
        capped=count > SEARCH_COUNT_CAP,
        page=page,
    )


# --- timeliness ------------------------------------------------------------------------------


@dataclass
class Missing:
    village: Region
    period: int
    deadline: date
    days_overdue: int


@dataclass
class Timeliness:
    township: Region
    late: QuerySet[PublishedMonth]
    missing: list[Missing]
    villages: dict[str, Region]
    per_village: list[tuple[Region, int, int, int]]  # village, published, late, missing
    newest: int | None  # the newest month any village of the township published
    due: int  # the newest month whose deadline has passed

    @property
    def silent_months(self) -> int:
        """Months due after the township's newest publication: nobody published them."""
        if self.newest is None:
            return 0
        count, p = 0, periods.next_period(self.newest)
        while p <= self.due:
            count, p = count + 1, periods.next_period(p)
        return count


def last_due_period(today: date) -> int:
    """The newest month whose publication deadline has passed."""
    period = periods.previous(periods.of(today))
    while periods.deadline(period) >= today:
        period = periods.previous(period)
    return period


def timeliness(township_code: str, *, today: date | None = None) -> Timeliness | None:
    """Late and missing publications of a township's villages, from published data only:
    what was published after its deadline, and every month since a village's first
    publication that other villages of the township have published and it has not.
    Months after the township's newest publication are counted, not listed village by
    village (`silent_months`): the whole township has gone quiet. Three queries."""
    region = township(township_code)
    if region is None:
        return None
    today = today or timezone.localdate()
    county = codes.county_of(township_code)
    villages = {v.code: v for v in Region.objects.filter(parent=region, level=codes.VILLAGE).order_by("code")}
    published: dict[str, list[int]] = defaultdict(list)
    late_count: dict[str, int] = defaultdict(int)
    for code, period, was_late in PublishedMonth.objects.filter(
        county_code=county, township_code=township_code
    ).values_list("village_code", "period", "late"):
        published[code].append(period)
        late_count[code] += int(was_late)
    due = last_due_period(today)
    missing: list[Missing] = []
    newest = max((p for found in published.values() for p in found), default=None)
    until = min(due, newest) if newest is not None else due
    per_village = []
    for code, v in villages.items():
        done = set(published.get(code, []))
        gaps = 0
        if done:
            p = min(done)
            while p <= until:
                if p not in done:
                    deadline = periods.deadline(p)
                    missing.append(Missing(v, p, deadline, (today - deadline).days))
                    gaps += 1
                p = periods.next_period(p)
        per_village.append((v, len(done), late_count.get(code, 0), gaps))
    missing.sort(key=lambda m: (-m.period, m.village.code))
    late = PublishedMonth.objects.filter(county_code=county, township_code=township_code, late=True).order_by(
        "-signed_off_on", "-period", "village_code"
    )
    return Timeliness(
        township=region, late=late, missing=missing, villages=villages, per_village=per_village, newest=newest, due=due
    )


# --- receipts --------------------------------------------------------------------------------


def published_receipt(sha256: str) -> tuple[PublishedReceipt, Receipt] | None:
    """A receipt that a published month names, with its stored file (two queries)."""
    if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
        return None
    published = PublishedReceipt.objects.filter(sha256=sha256).order_by("id").first()
    if published is None:
        return None
    stored = Receipt.objects.filter(sha256=sha256).order_by("id").first()
    if stored is None:
        return None
    return published, stored


# --- back office -----------------------------------------------------------------------------


def villages_in_scope(user: Any, action: str = "finance.view") -> QuerySet[Region]:
    return (
        jurisdiction.scope(Region.objects.filter(level=codes.VILLAGE), user, action, field="code")
        .select_related("parent")
        .order_by("code")
    )


@dataclass
class VillageDesk:
    """What a village's books need next: for the back office's village list."""

    village: Region
    open_months: int = 0
    closed_months: int = 0
    awaiting_review: int = 0
    awaiting_signatures: int = 0
    awaiting_posting: int = 0
    returned: int = 0
    last_published: int | None = None


def desks(user: Any) -> list[VillageDesk]:
    """One row per village in the person's jurisdiction: three queries whatever the count."""
    villages = list(villages_in_scope(user)[:1000])
    found = {v.code: VillageDesk(v) for v in villages}
    codes_ = list(found)
    for code, status, n in (
        Month.objects.filter(village_id__in=codes_)
        .values_list("village_id", "status")
        .annotate(n=Count("id"))
        .order_by()
    ):
        desk = found[code]
        if status == MonthStatus.OPEN:
            desk.open_months = n
        elif status == MonthStatus.CLOSED:
            desk.closed_months = n
    for code, p in (
        Month.objects.filter(village_id__in=codes_, status=MonthStatus.PUBLISHED)
        .values_list("village_id")
        .annotate(p=Max("period"))
        .order_by()
    ):
        found[code].last_published = p
    pending = (
        Voucher.objects.filter(village_id__in=codes_)
        .exclude(status=VoucherStatus.POSTED, reviewed_at__isnull=False)
        .exclude(
            period__in=Subquery(
                Month.objects.filter(village_id=OuterRef("village_id"), status=MonthStatus.PUBLISHED).values("period")
            )
        )
        .values_list("village_id", "status", "reviewed_at")
        .annotate(n=Count("id"))
        .order_by()
    )
    for code, status, reviewed_at, n in pending:
        desk = found[code]
        if status == VoucherStatus.RECORDED or (status == VoucherStatus.POSTED and reviewed_at is None):
            desk.awaiting_review += n
        elif status == VoucherStatus.REVIEWED:
            desk.awaiting_signatures += n
        elif status == VoucherStatus.COUNTERSIGNED:
            desk.awaiting_posting += n
        elif status == VoucherStatus.RETURNED:
            desk.returned += n
    return list(found.values())


def months_of(village_code: str) -> list[Month]:
    counts = {
        p: n
        for p, n in Voucher.objects.filter(village_id=village_code)
        .values_list("period")
        .annotate(n=Count("id"))
        .order_by()
    }
    months = list(Month.objects.filter(village_id=village_code).order_by("-period"))
    for m in months:
        m.voucher_count = counts.get(m.period, 0)  # type: ignore[attr-defined]
    return months


def month_vouchers(village_code: str, period: int) -> list[Voucher]:
    return list(
        Voucher.objects.filter(village_id=village_code, period=period)
        .select_related("case", "recorded_by", "reviewed_by")
        .annotate(entry_count=Count("entries", distinct=True), receipt_count=Count("receipts", distinct=True))
        .order_by("number")
    )


def voucher_detail(pk: int) -> Voucher | None:
    return (
        Voucher.objects.select_related(
            "village",
            "case",
            "corrects",
            "recorded_by",
            "reviewed_by",
            "first_signed_by",
            "second_signed_by",
            "posted_by",
        )
        .prefetch_related("entries", "receipts", "corrections")
        .filter(pk=pk)
        .first()
    )


def import_batches(user: Any, limit: int = 50) -> list[ImportBatch]:
    qs = ImportBatch.objects.all()
    if not any(m.role == "admin" for m in jurisdiction.memberships(user, "finance.view")):
        qs = qs.filter(Q(uploaded_by=user))
    return list(qs.order_by("-created_at")[:limit])


def late_months_backoffice(user: Any, *, today: date | None = None) -> list[dict[str, Any]]:
    """Months past their deadline and not yet published, in the person's jurisdiction,
    with where they are stuck; oldest first."""
    today = today or timezone.localdate()
    due = last_due_period(today)
    villages = villages_in_scope(user)
    months = (
        Month.objects.filter(village__in=villages, period__lte=due)
        .exclude(status=MonthStatus.PUBLISHED)
        .select_related("village__parent")
        .order_by("period", "village_id")
    )
    return [
        {"month": m, "deadline": periods.deadline(m.period), "days_overdue": (today - periods.deadline(m.period)).days}
        for m in months[:500]
    ]


# --- charts of accounts --------------------------------------------------------------------


def charts() -> list[Chart]:
    """Every loaded chart with its number of accounts, oldest first (one query)."""
    return list(Chart.objects.annotate(account_count=Count("accounts")).order_by("effective_from", "code"))


@dataclass
class ChartYear:
    year: int
    chart_code: str
    chart_name: str
    chosen: bool  # set for the village, rather than the chart in force that year
    vouchers: int  # a year with vouchers keeps its chart


def chart_years(village_code: str, *, today: date | None = None) -> list[ChartYear]:
    """The chart the village keeps for each year, from its first year with vouchers (or
    this year) to next year: three queries, whatever the number of years."""
    this_year = (today or timezone.localdate()).year
    counts = dict(
        Voucher.objects.filter(village_id=village_code).values_list("year").annotate(n=Count("id")).order_by()
    )
    chosen = {fy.year: fy.chart for fy in FiscalYear.objects.select_related("chart").filter(village_id=village_code)}
    loaded = list(Chart.objects.order_by("-effective_from"))
    first = min([this_year, *counts, *chosen])
    years: list[ChartYear] = []
    for year in range(this_year + 1, first - 1, -1):
        chart = chosen.get(year) or next(
            (c for c in loaded if c.effective_from <= date(year, 1, 1)), loaded[-1] if loaded else None
        )
        if chart is None:
            continue
        years.append(
            ChartYear(
                year=year,
                chart_code=chart.code,
                chart_name=chart.name,
                chosen=year in chosen,
                vouchers=counts.get(year, 0),
            )
        )
    return years


_VOUCHER_REF = re.compile(r"([0-9]{12})-([0-9]{4})-([0-9]{1,9})")


def public_voucher(ref: str) -> PublicRecord | None:
    """A published voucher ("<village>-<year>-<number>") as the subject of a villager's report."""
    match = _VOUCHER_REF.fullmatch(ref or "")
    if not match:
        return None
    village, year, number = match[1], int(match[2]), int(match[3])
    if not PublishedEntry.objects.filter(
        county_code=codes.county_of(village), village_code=village, year=year, number=number
    ).exists():
        return None
    label = _("Voucher %(year)d No. %(number)d") % {"year": year, "number": number}
    return PublicRecord("finance.voucher", ref, label, village)


# --- charts of accounts, read by the services and the publication -------------------------

_accounts_cache: dict[str, dict[str, Account]] = {}


def forget_accounts(chart_code: str) -> None:
    """After a chart is (re)loaded: read its accounts afresh."""
    _accounts_cache.pop(chart_code, None)


def accounts_of(chart_code: str) -> dict[str, Account]:
    """The chart's accounts by code (cached per process: charts change by loading only)."""
    found = _accounts_cache.get(chart_code)
    if found is None:
        found = {a.code: a for a in Account.objects.filter(chart_id=chart_code)}
        _accounts_cache[chart_code] = found
    return found


def default_chart(year: int) -> Chart:
    """The chart in force on 1 January of `year` among those loaded."""
    chart = Chart.objects.filter(effective_from__lte=date(year, 1, 1)).order_by("-effective_from").first()
    if chart is None:
        chart = Chart.objects.order_by("effective_from").first()
    if chart is None:
        raise InvalidInput(_("No chart of accounts is loaded"))
    return chart


def chart_of(*, village_code: str, year: int) -> Chart:
    """The chart the village keeps for `year`: the one set for it, else the one in force."""
    fy = FiscalYear.objects.select_related("chart").filter(village_id=village_code, year=year).first()
    return fy.chart if fy is not None else default_chart(year)


def cash_flow(entries: Iterable[tuple[str, str, int]], accounts: dict[str, Account]) -> tuple[str, int]:
    """(direction, amount) as villagers read a voucher: money in, money out, or neither.

    Debits to cash and bank are money coming in, credits money going out; a voucher
    that only moves money between them, or touches neither, is a transfer, shown at its
    total debit.
    """
    net = total = 0
    for account_code, side, amount in entries:
        if side == Side.DEBIT:
            total += amount
        account = accounts.get(account_code)
        if account is not None and account.is_cash:
            net += amount if side == Side.DEBIT else -amount
    if net > 0:
        return "income", net
    if net < 0:
        return "expense", -net
    return "transfer", total
