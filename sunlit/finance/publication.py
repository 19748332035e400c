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
from typing import TYPE_CHECKING, Any

from django.db import transaction
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
from sunlit.finance.services import accounts_of, cash_flow, chart_for
from sunlit.regions import codes
from sunlit.regions.models import Region

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
    chart = chart_for(village_code=village.code, year=periods.year(month.period), create=False)
    accounts = accounts_of(chart.code)
    vouchers = list(Voucher.objects.filter(village_id=village.code, period=month.period)
                    .select_related("corrects", "case__item").order_by("number"))
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
        out.append({
            "year": v.year,
            "number": v.number,
            "date": v.date.isoformat(),
            "summary": v.summary,
            "kind": v.kind,
            "corrects": {"year": v.corrects.year, "number": v.corrects.number,
                         "period": periods.text(v.corrects.period)} if v.corrects else None,
            "payment_method": v.payment_method,
            "direction": direction,
            "amount": amount,
            "case": {"number": v.case.number, "item": v.case.item.code, "item_name": v.case.item.name_zh}
            if v.case_id else None,
            "review": {"on": _day(v.reviewed_at), "opinion": v.review_opinion},
            "receipts": [{"sha256": r.sha256, "type": r.content_type, "bytes": r.size,
                          "thumbnail": bool(r.thumbnail)} for r in receipts[v.pk]],
            "entries": [{
                "line": e.line, "account": e.account_code,
                "account_name": accounts[e.account_code].name if e.account_code in accounts else "",
                "sub_account": e.sub_account, "side": e.side, "amount": e.amount, "summary": e.summary,
                "counterparty": e.counterparty,
            } for e in entries],
        })
    balances = []
    for b in Balance.objects.filter(village_code=village.code, period=month.period):
        account = accounts.get(b.account_code)
        balances.append({
            "account": b.account_code, "name": account.name if account else "",
            "side": account.side if account else "D", "cash": account.cash if account else "",
            "opening": b.opening, "debit": b.debit, "credit": b.credit, "closing": b.closing,
        })
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
        "totals": {"income": income, "expense": expense, "debit": debit, "credit": credit,
                   "vouchers": len(out), "entries": count},
        "balances": balances,
        "vouchers": out,
    }


def month_publish(*, month: Month, by: User | None) -> Published:
    from sunlit.transparency.services import publish

    snapshot = month_snapshot(month)
    entry = publish(chain=month.village_id, kind=KIND, ref=ref(month.village_id, month.period),
                    snapshot=snapshot, by=by)
    derive(entry, snapshot)
    return entry


def _deadline_facts(period: int, published_at: Any) -> tuple[Any, int, bool]:
    deadline = periods.deadline(period)
    published_on = timezone.localtime(published_at).date()
    return deadline, periods.days_to_publish(period, published_on), published_on > deadline


@transaction.atomic
def derive(entry: Published, snapshot: dict[str, Any] | None = None) -> None:
    """(Re)build the public rows of one published month from its snapshot.

    `snapshot` may be passed when the caller holds the dict it just published (the same
    data: publish stores its canonical JSON); otherwise it is read from the entry.
    """
    data = snapshot if snapshot is not None else json.loads(entry.snapshot_json)
    village = data["village"]["code"]
    township = data["township"]["code"] if data.get("township") else codes.parent_code(village) or ""
    county = codes.county_of(village)
    period = periods.parse(data["period"])
    for model in (PublishedEntry, PublishedBalance, PublishedReceipt, PublishedMonth):
        model.objects.filter(county_code=county, village_code=village, period=period).delete()
    PublishedCorrection.objects.filter(county_code=county, village_code=village, period=period).delete()

    vouchers = data["vouchers"]
    texts = search.text_ids(township, _texts(vouchers))
    rows, receipts, corrections = [], [], []
    for v in vouchers:
        for e in v["entries"]:
            rows.append(PublishedEntry(
                county_code=county, township_code=township, village_code=village, period=period,
                publication_id=entry.pk, year=v["year"], number=v["number"], line=e["line"], date=v["date"],
                account_code=e["account"], account_name=e["account_name"], side=e["side"], amount=e["amount"],
                summary=e["summary"], counterparty=e["counterparty"], payment_method=v["payment_method"],
                direction=v["direction"], kind=v["kind"], case_number=(v["case"] or {}).get("number", ""),
                receipts=len(v["receipts"]), summary_text=texts.get(search.normalise(e["summary"])),
                counterparty_text=texts.get(search.normalise(e["counterparty"])),
            ))
        for r in v["receipts"]:
            receipts.append(PublishedReceipt(
                county_code=county, village_code=village, sha256=r["sha256"], period=period, year=v["year"],
                number=v["number"], content_type=r["type"], publication_id=entry.pk))
        if v["corrects"]:
            c = v["corrects"]
            corrections.append(PublishedCorrection(
                county_code=county, village_code=village, target_period=periods.parse(c["period"]),
                target_year=c["year"], target_number=c["number"], period=period, year=v["year"],
                number=v["number"], kind=v["kind"], summary=v["summary"], publication_id=entry.pk))
    PublishedEntry.objects.bulk_create(rows, batch_size=1000)
    PublishedReceipt.objects.bulk_create(receipts, batch_size=1000)
    PublishedCorrection.objects.bulk_create(corrections, batch_size=1000)
    PublishedBalance.objects.bulk_create([
        PublishedBalance(county_code=county, village_code=village, period=period, account_code=b["account"],
                         account_name=b["name"], side=b["side"], opening=b["opening"], debit=b["debit"],
                         credit=b["credit"], closing=b["closing"])
        for b in data["balances"]
    ], batch_size=1000)
    deadline, days, late = _deadline_facts(period, entry.published_at)
    totals = data["totals"]
    PublishedMonth.objects.create(
        county_code=county, township_code=township, village_code=village, period=period, publication_id=entry.pk,
        snapshot_sha256=entry.snapshot_sha256, published_at=entry.published_at, deadline=deadline,
        days_to_publish=days, late=late, vouchers=totals["vouchers"], entries=totals["entries"],
        income=totals["income"], expense=totals["expense"],
        cash_closing=sum(b["closing"] for b in data["balances"] if b.get("cash")),
    )


def _texts(vouchers: Iterable[dict[str, Any]]) -> set[str]:
    out = set()
    for v in vouchers:
        for e in v["entries"]:
            out.add(search.normalise(e["summary"]))
            out.add(search.normalise(e["counterparty"]))
    out.discard("")
    return out
