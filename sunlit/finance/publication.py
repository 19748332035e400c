"""A month's books as one published snapshot, and the public tables derived from it.

`month_snapshot` freezes a closed month (its vouchers, entries, receipts and balances) as
plain JSON with money in integer fen; `month_publish` sends it through the one
`transparency.publish` and then `derive`s the public tables from what was published.
`derive` reads nothing but the snapshot and the publication entry, so the public tables
can be rebuilt from the publication log alone (`sunlit finance rebuild-public`).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.utils import timezone

from sunlit.finance import periods, search
from sunlit.finance.models import (
    Balance,
    Entry,
    Month,
    PublishedBalance,
    PublishedCorrection,
    PublishedEntry,
    PublishedMonth,
    PublishedReceipt,
    Receipt,
    Voucher,
)
from sunlit.finance.selectors import accounts_of, cash_flow, chart_of
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.services import publish

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.transparency.models import Entry as Published

KIND = "finance.month"
SCHEMA = "sunlit.finance.month/1"


def ref(village_code: str, period: int) -> str:
    return f"{village_code}-{periods.text(period)}"


def _day(moment: Any) -> str:
    return timezone.localtime(moment).date().isoformat() if moment else ""


def month_snapshot(month: Month) -> dict[str, Any]:
    """The month as villagers will read it. Names of people are left out: the record says
    what was done and when; the working tables (and the audit log) say who."""
    village: Region = Region.objects.select_related("parent").get(code=month.village_id)
    chart = chart_of(village_code=village.code, year=periods.year(month.period))
    accounts = accounts_of(chart.code)
    vouchers = list(
        Voucher.objects.filter(village_id=village.code, period=month.period)
        .select_related("corrects", "case__item")
        .order_by("number")
    )
    lines: dict[int, list[Entry]] = defaultdict(list)
    for e in Entry.objects.filter(voucher__in=vouchers).order_by("voucher_id", "line"):
        lines[e.voucher_id].append(e)
    receipts: dict[int, list[Receipt]] = defaultdict(list)
    for r in Receipt.objects.filter(voucher__in=vouchers).order_by("uploaded_at", "id"):
        receipts[r.voucher_id].append(r)
    out = []
    income = expense = debit = credit = count = 0
    for v in vouchers:
        entries = lines[v.pk]
        direction, amount = cash_flow(((e.account_code, e.side, e.amount) for e in entries), accounts)
        if direction == "income":
            income += amount
        elif direction == "expense":
            expense += amount
        count += len(entries)
        for e in entries:
            if e.side == "D":
                debit += e.amount
            else:
                credit += e.amount
        out.append(
            {
                "year": v.year,
                "number": v.number,
                "date": v.date.isoformat(),
                "summary": v.summary,
                "kind": v.kind,
                "corrects": {
                    "year": v.corrects.year,
                    "number": v.corrects.number,
                    "period": periods.text(v.corrects.period),
                }
                if v.corrects
                else None,
                "payment_method": v.payment_method,
                "direction": direction,
                "amount": amount,
                "case": {"number": v.case.number, "item": v.case.item.code, "item_name": v.case.item.name_zh}
                if v.case is not None
                else None,
                "review": {"on": _day(v.reviewed_at), "opinion": v.review_opinion},
                "receipts": [
                    {"sha256": r.sha256, "type": r.content_type, "bytes": r.size, "thumbnail": bool(r.thumbnail)}
                    for r in receipts[v.pk]
                ],
                "entries": [
                    {
                        "line": e.line,
                        "account": e.account_code,
                        "account_name": accounts[e.account_code].name if e.account_code in accounts else "",
                        "sub_account": e.sub_account,
                        "side": e.side,
                        "amount": e.amount,
                        "summary": e.summary,
                        "counterparty": e.counterparty,
                    }
                    for e in entries
                ],
            }
        )
    balances = []
    for b in Balance.objects.filter(village_code=village.code, period=month.period).order_by("id"):
        account = accounts.get(b.account_code)
        balances.append(
            {
                "account": b.account_code,
                "name": account.name if account else "",
                "side": account.side if account else "D",
                "cash": account.cash if account else "",
                "opening": b.opening,
                "debit": b.debit,
                "credit": b.credit,
                "closing": b.closing,
            }
        )
    township = village.parent
    return {
        "schema": SCHEMA,
        "title": periods.text(month.period),
        "village": {"code": village.code, "name": village.name},
        "township": {"code": township.code, "name": township.name} if township else None,
        "period": periods.text(month.period),
        "chart": {"code": chart.code, "name": chart.name},
        "currency": "CNY",
        "unit": "fen",
        "closed_on": _day(month.closed_at),
        "signed_off_on": _day(month.signed_off_at),
        "signoff_opinion": month.signoff_opinion,
        "totals": {
            "income": income,
            "expense": expense,
            "debit": debit,
            "credit": credit,
            "vouchers": len(out),
            "entries": count,
        },
        "balances": balances,
        "vouchers": out,
    }


def publish_snapshot(*, village_code: str, period: int, snapshot: dict[str, Any], by: User | None) -> Published:
    """The month's one way into the publication log: chain = the village, one record per
    village and month."""

    return publish(chain=village_code, kind=KIND, ref=ref(village_code, period), snapshot=snapshot, by=by)


def month_publish(*, month: Month, by: User | None) -> Published:
    snapshot = month_snapshot(month)
    entry = publish_snapshot(village_code=month.village_id, period=month.period, snapshot=snapshot, by=by)
    derive(entry, snapshot)
    return entry


def _deadline_facts(period: int, signed_off_on: date) -> tuple[date, int, bool]:
    deadline = periods.deadline(period)
    return deadline, periods.days_to_publish(period, signed_off_on), signed_off_on > deadline


@transaction.atomic
def derive(
    entry: Published,
    snapshot: dict[str, Any] | None = None,
    *,
    fresh: bool = False,
    text_cache: dict[str, int] | None = None,
) -> None:
    """(Re)build the public rows of one published month from its snapshot.

    `snapshot` may be passed when the caller holds the dict it just published (the same
    data: publish stores its canonical JSON); otherwise it is read from the entry.
    `fresh` skips removing earlier rows (the demo, writing a month for the first time);
    `text_cache` keeps the township's search-text ids between months of one run.
    Rows go in with `insert_rows` (COPY on PostgreSQL): a demo writes a million of them,
    and the ORM's per-field preparation would cost more than the database.
    """
    data = snapshot if snapshot is not None else json.loads(entry.snapshot_json)
    village = data["village"]["code"]
    township = data["township"]["code"] if data.get("township") else codes.parent_code(village) or ""
    county = codes.county_of(village)
    period = periods.parse(data["period"])
    if not fresh:
        for model in (PublishedEntry, PublishedBalance, PublishedReceipt, PublishedMonth):
            model.objects.filter(county_code=county, village_code=village, period=period).delete()
        PublishedCorrection.objects.filter(county_code=county, village_code=village, period=period).delete()

    vouchers = data["vouchers"]
    wanted = _texts(vouchers)
    if text_cache is not None and wanted <= text_cache.keys():
        texts = text_cache
    else:
        texts = search.text_ids(township, wanted)
        if text_cache is not None:
            text_cache.update(texts)
    normalise = search.normalise
    rows, receipts, corrections = [], [], []
    for v in vouchers:
        case = (v["case"] or {}).get("number", "")
        for e in v["entries"]:
            rows.append(
                (
                    county,
                    township,
                    village,
                    period,
                    entry.pk,
                    v["year"],
                    v["number"],
                    e["line"],
                    v["date"],
                    e["account"],
                    e["account_name"],
                    e["side"],
                    e["amount"],
                    e["summary"],
                    e["counterparty"],
                    v["payment_method"],
                    v["direction"],
                    v["kind"],
                    case,
                    len(v["receipts"]),
                    texts.get(normalise(e["summary"])),
                    texts.get(normalise(e["counterparty"])),
                )
            )
        for r in v["receipts"]:
            receipts.append((county, village, r["sha256"], period, v["year"], v["number"], r["type"], entry.pk))
        if v["corrects"]:
            c = v["corrects"]
            corrections.append(
                (
                    county,
                    village,
                    periods.parse(c["period"]),
                    c["year"],
                    c["number"],
                    period,
                    v["year"],
                    v["number"],
                    v["kind"],
                    v["summary"],
                    entry.pk,
                )
            )
    _insert(
        PublishedEntry,
        (
            "county_code",
            "township_code",
            "village_code",
            "period",
            "publication_id",
            "year",
            "number",
            "line",
            "date",
            "account_code",
            "account_name",
            "side",
            "amount",
            "summary",
            "counterparty",
            "payment_method",
            "direction",
            "kind",
            "case_number",
            "receipts",
            "summary_text",
            "counterparty_text",
        ),
        rows,
    )
    _insert(
        PublishedReceipt,
        ("county_code", "village_code", "sha256", "period", "year", "number", "content_type", "publication_id"),
        receipts,
    )
    _insert(
        PublishedCorrection,
        (
            "county_code",
            "village_code",
            "target_period",
            "target_year",
            "target_number",
            "period",
            "year",
            "number",
            "kind",
            "summary",
            "publication_id",
        ),
        corrections,
    )
    _insert(
        PublishedBalance,
        (
            "county_code",
            "village_code",
            "period",
            "account_code",
            "account_name",
            "side",
            "opening",
            "debit",
            "credit",
            "closing",
        ),
        [
            (
                county,
                village,
                period,
                b["account"],
                b["name"],
                b["side"],
                b["opening"],
                b["debit"],
                b["credit"],
                b["closing"],
            )
            for b in data["balances"]
        ],
    )
    signed_off_on = (
        date.fromisoformat(data["signed_off_on"])
        if data.get("signed_off_on")
        else timezone.localtime(entry.published_at).date()
    )
    deadline, days, late = _deadline_facts(period, signed_off_on)
    totals = data["totals"]
    PublishedMonth.objects.create(
        county_code=county,
        township_code=township,
        village_code=village,
        period=period,
        publication_id=entry.pk,
        snapshot_sha256=entry.snapshot_sha256,
        published_at=entry.published_at,
        signed_off_on=signed_off_on,
        deadline=deadline,
        days_to_publish=days,
        late=late,
        vouchers=totals["vouchers"],
        entries=totals["entries"],
        income=totals["income"],
        expense=totals["expense"],
        cash_closing=sum(b["closing"] for b in data["balances"] if b.get("cash")),
    )


def _insert(model: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    insert_rows(model._meta.db_table, columns, rows)


def insert_rows(
    table: str, columns: tuple[str, ...] | list[str], rows: list[tuple[Any, ...]], chunk: int = 500
) -> None:
    """Many rows in few statements: COPY on PostgreSQL (no placeholders to parse, one
    stream), multi-row INSERT … VALUES (…), (…) on SQLite, `chunk` rows at a time."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            raw = getattr(cursor, "cursor", cursor)
            with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        return
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608 - names from code
    with connection.cursor() as cursor:
        for start in range(0, len(rows), chunk):
            part = rows[start : start + chunk]
            cursor.execute(head + ", ".join([one] * len(part)), [value for row in part for value in row])


def _texts(vouchers: Iterable[dict[str, Any]]) -> set[str]:
    out = set()
    for v in vouchers:
        for e in v["entries"]:
            out.add(search.normalise(e["summary"]))
            out.add(search.normalise(e["counterparty"]))
    out.discard("")
    return out
