"""Every write to the village books. Keyword-only, atomic, audited; jurisdiction first.

The voucher workflow of domain.md §5, with separation of duties:

    record (handler: cadre or township agent)
      → review (supervision committee: approve with an opinion, or return)
      → countersign ×2 (two cadres — the secretary and the director — neither the handler)
      → post (the accountant)

Imported vouchers come from the township agent's own books (村财乡管): they arrive
posted, and the committee reviews them before it signs the month off. A month is closed
by the accountant (balances per account) and signed off by the committee, which
publishes its vouchers as one batch. A published voucher is never edited: a reversing or
correcting voucher in a later month corrects it, and is shown beside it.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.cases.selectors import NotAuthorised, case_authorising
from sunlit.finance import periods, publication
from sunlit.finance.models import (
    Account,
    Balance,
    Category,
    Chart,
    Entry,
    FiscalYear,
    Month,
    MonthStatus,
    PaymentMethod,
    Receipt,
    Side,
    Source,
    Voucher,
    VoucherKind,
    VoucherStatus,
)
from sunlit.finance.money import yuan
from sunlit.finance.selectors import accounts_of, cash_flow, chart_of, forget_accounts
from sunlit.lib import validate
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.lib.uploads import clean_upload
from sunlit.regions import codes
from sunlit.regions import selectors as region_selectors
from sunlit.regions.models import Region

if TYPE_CHECKING:
    from sunlit.accounts.models import User

DATA_DIR = Path(__file__).resolve().parent / "data"
MAX_LINES = 999


# --- charts -----------------------------------------------------------------------------


def _chart_data(source: str | Path | dict[str, Any]) -> dict[str, Any]:
    if isinstance(source, dict):
        return source
    try:
        data = yaml.safe_load(Path(source).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as e:
        raise InvalidInput(_("Cannot read the chart file: %(error)s") % {"error": e}) from None
    if not isinstance(data, dict):
        raise InvalidInput(_("The chart file holds no chart"))
    return data


@transaction.atomic
def chart_load(*, source: str | Path | dict[str, Any], by: User | None) -> Chart:
    """Create or update a chart of accounts from its data file (see data/chart-*.yaml).

    Loading again updates names; an account in use is never removed (books that use it
    must stay readable), so a file that drops one is refused.
    """
    if by is not None:
        for top in region_selectors.top_regions():
            jurisdiction.require(by, "finance.chart", top.code)
    data = _chart_data(source)
    problems = []
    for key in ("code", "name", "effective_from", "accounts"):
        if not data.get(key):
            problems.append(_("the chart file has no %(key)s") % {"key": key})
    if problems:
        raise InvalidInput("\n".join(problems))
    code = str(data["code"])
    effective = data["effective_from"]
    if not isinstance(effective, date):
        raise InvalidInput(_("effective_from must be a date written as YYYY-MM-DD"))
    succeeds = None
    if data.get("succeeds"):
        succeeds = Chart.objects.filter(code=str(data["succeeds"])).first()
        if succeeds is None:
            raise InvalidInput(_("Load chart %(code)s first: this one succeeds it") % {"code": data["succeeds"]})
    seen: set[str] = set()
    rows = []
    for i, a in enumerate(data["accounts"], start=1):
        acode = str(a.get("code", "")).strip()
        where = _("account %(n)d (%(code)s)") % {"n": i, "code": acode or "?"}
        if not (acode.isascii() and acode.isdigit()) or len(acode) > 8:
            problems.append(_("%(where)s: the code must be digits") % {"where": where})
        if acode in seen:
            problems.append(_("%(where)s: the code appears twice") % {"where": where})
        seen.add(acode)
        if not a.get("name"):
            problems.append(_("%(where)s: no name") % {"where": where})
        if a.get("category") not in Category.values:
            problems.append(
                _("%(where)s: the category must be one of %(choices)s")
                % {"where": where, "choices": ", ".join(Category.values)}
            )
        if a.get("side") not in Side.values:
            problems.append(_("%(where)s: the side must be D or C") % {"where": where})
        rows.append((i, acode, a))
    chart = Chart.objects.filter(code=code).first()
    missing = (
        set(Account.objects.filter(chart=chart).exclude(code__in=seen).values_list("code", flat=True))
        if chart is not None
        else set()
    )
    if missing:
        years = FiscalYear.objects.filter(chart=chart)
        dropped = sorted(
            set(
                Entry.objects.filter(
                    account_code__in=missing,
                    voucher__year__in=years.values("year"),
                    voucher__village__in=years.values("village"),
                )
                .values_list("account_code", flat=True)
                .distinct()
            )
        )
        if dropped:
            problems.append(
                _("accounts %(codes)s are used in books and cannot be removed") % {"codes": ", ".join(dropped)}
            )
    if problems:
        raise InvalidInput("\n".join(problems))
    chart, created = Chart.objects.update_or_create(
        code=code,
        defaults={
            "name": data["name"],
            "document": data.get("document", ""),
            "effective_from": effective,
            "succeeds": succeeds,
        },
    )
    for order, acode, a in rows:
        Account.objects.update_or_create(
            chart=chart,
            code=acode,
            defaults={
                "name": a["name"],
                "name_en": a.get("name_en", ""),
                "category": a["category"],
                "side": a["side"],
                "cash": str(a.get("cash") or ""),
                "optional": bool(a.get("optional")),
                "carries_from": [str(c) for c in a.get("from", [])],
                "order": order,
            },
        )
    Account.objects.filter(chart=chart).exclude(code__in=seen).delete()
    forget_accounts(code)
    audit_record(
        action="finance.chart_load", by=by, obj=chart, detail={"code": code, "accounts": len(rows), "created": created}
    )
    return chart


def chart_for(*, village_code: str, year: int, create: bool = True) -> Chart:
    """The chart the village keeps for `year`, recorded for the year (`create`) when it was
    only the one in force: from the first voucher on, the year's chart no longer changes."""
    chart = chart_of(village_code=village_code, year=year)
    if create:
        FiscalYear.objects.get_or_create(village_id=village_code, year=year, defaults={"chart": chart})
    return chart


@transaction.atomic
def fiscal_year_set(*, village: Region, year: int, chart_code: str, by: User | None) -> FiscalYear:
    """Choose the chart a village keeps for a year, before it has any voucher in it."""
    if by is not None:
        jurisdiction.require(by, "finance.chart", village.code)
    chart = Chart.objects.filter(code=chart_code).first()
    if chart is None:
        raise InvalidInput(_("There is no chart %(code)s") % {"code": chart_code}, field="chart")
    if Voucher.objects.filter(village=village, year=year).exists():
        raise InvalidInput(_("%(year)d already has vouchers: its chart can no longer change") % {"year": year})
    fy, _created = FiscalYear.objects.update_or_create(village=village, year=year, defaults={"chart": chart})
    audit_record(
        action="finance.fiscal_year_set",
        by=by,
        obj=fy,
        region_code=village.code,
        detail={"year": year, "chart": chart_code},
    )
    return fy


# --- vouchers ---------------------------------------------------------------------------


# The longest summary, sub-account and counterparty a ledger entry keeps (its columns).
SUMMARY_MAX = Entry._meta.get_field("summary").max_length or 200
SUB_ACCOUNT_MAX = Entry._meta.get_field("sub_account").max_length or 60
COUNTERPARTY_MAX = Entry._meta.get_field("counterparty").max_length or 100


@dataclass(frozen=True)
class EntryInput:
    account_code: str
    side: str
    amount: int  # fen, > 0
    summary: str = ""
    counterparty: str = ""
    sub_account: str = ""


def row_fingerprint(
    *,
    day: str,
    account: str,
    sub_account: str,
    side: str,
    amount: int,
    summary: str,
    counterparty: str,
    payment_method: str,
    case_number: str,
) -> int:
    """48 bits of one entry's content. A voucher's fingerprint is the plain sum over its
    entries: order-independent, and computable by SUM() in SQL during an import."""
    text = "\x1f".join(
        (day, account, sub_account, side, str(amount), summary, counterparty, payment_method, case_number)
    )
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=6).digest(), "big")


def _village(region: Region) -> Region:
    if region.level != codes.VILLAGE:
        raise InvalidInput(_("%(name)s is not a village") % {"name": region.name}, field="village")
    return region


# What a voucher is, to the power list's `authorises:` (sunlit/powers/loader.py PURPOSES).
PURPOSE = "finance.voucher"


def resolve_case(number: str, village_code: str) -> tuple[Any, str]:
    """(Case, "") for a case number that authorises a voucher in this village, or (None, why
    not). An empty number is (None, ""). The check is the cases room's one
    (`case_authorising`); this shape serves the import, which lists problems by row."""
    number = (number or "").strip()
    if not number:
        return None, ""
    try:
        return case_authorising(purpose=PURPOSE, village_code=village_code, number=number), ""
    except NotAuthorised as e:
        return None, e.message


def case_required_above() -> int:
    """Fen above which spending needs its authorising case; 0 means never."""
    return int(settings.SUNLIT_FINANCE_CASE_REQUIRED_ABOVE_YUAN) * 100


def _check_entries(entries: Sequence[EntryInput], accounts: dict[str, Account], chart: Chart) -> None:
    if len(entries) < 2:
        raise InvalidInput(_("A voucher needs at least two entries"), field="entries")
    if len(entries) > MAX_LINES:
        raise InvalidInput(_("A voucher has at most %(n)d entries") % {"n": MAX_LINES}, field="entries")
    debit = credit = 0
    for i, e in enumerate(entries, start=1):
        if e.account_code not in accounts:
            raise InvalidInput(
                _("Line %(line)d: %(code)s is not an account of chart %(chart)s")
                % {"line": i, "code": e.account_code, "chart": chart.code},
                field="entries",
            )
        if e.side not in Side.values:
            raise InvalidInput(_("Line %(line)d: the side must be debit or credit") % {"line": i}, field="entries")
        if not isinstance(e.amount, int) or e.amount <= 0:
            raise InvalidInput(_("Line %(line)d: the amount must be above zero") % {"line": i}, field="entries")
        for value, label, limit in (
            (e.summary, _("summary"), SUMMARY_MAX),
            (e.sub_account, _("sub-account"), SUB_ACCOUNT_MAX),
            (e.counterparty, _("counterparty"), COUNTERPARTY_MAX),
        ):
            if len((value or "").strip()) > limit:
                raise InvalidInput(
                    _("Line %(line)d: the %(what)s is longer than %(max)d characters")
                    % {"line": i, "what": label, "max": limit},
                    field="entries",
                )
        if e.side == Side.DEBIT:
            debit += e.amount
        else:
            credit += e.amount
    if debit != credit:
        raise InvalidInput(
            _("Debits (%(d)s) and credits (%(c)s) differ: the voucher does not balance")
            % {"d": yuan(debit), "c": yuan(credit)},
            field="entries",
        )


def _month_for_write(village: Region, period: int, *, lock: bool = True) -> Month:
    """The month a voucher is written into: created open if new, refused unless open."""
    month, _created = Month.objects.get_or_create(
        village=village, period=period, defaults={"county_code": codes.county_of(village.code)}
    )
    if lock:
        month = Month.objects.select_for_update().get(pk=month.pk)
    if month.status != MonthStatus.OPEN:
        raise InvalidInput(
            _("%(month)s is already closed: date the voucher in an open month, or reopen it first")
            % {"month": periods.text(period)},
            field="date",
        )
    return month


def _default_payment(entries: Sequence[EntryInput], accounts: dict[str, Account]) -> str:
    kinds = {accounts[e.account_code].cash for e in entries} - {""}
    if kinds == {"hand"}:
        return PaymentMethod.CASH
    if kinds == {"bank"}:
        return PaymentMethod.BANK
    return PaymentMethod.OTHER


def _save_entries(voucher: Voucher, entries: Sequence[EntryInput]) -> int:
    fp = 0
    rows = []
    for line, e in enumerate(entries, start=1):
        summary = (e.summary or voucher.summary).strip()
        rows.append(
            Entry(
                county_code=voucher.county_code,
                village_code=voucher.village_id,
                voucher=voucher,
                line=line,
                account_code=e.account_code,
                sub_account=e.sub_account.strip(),
                side=e.side,
                amount=e.amount,
                summary=summary,
                counterparty=e.counterparty.strip(),
            )
        )
        fp += row_fingerprint(
            day=voucher.date.isoformat(),
            account=e.account_code,
            sub_account=e.sub_account.strip(),
            side=e.side,
            amount=e.amount,
            summary=summary,
            counterparty=e.counterparty.strip(),
            payment_method=voucher.payment_method,
            case_number=voucher.case.number if voucher.case is not None else "",
        )
    Entry.objects.bulk_create(rows)
    return fp


@transaction.atomic
def voucher_record(
    *,
    village: Region,
    date: date,
    summary: str,
    entries: Sequence[EntryInput],
    payment_method: str = "",
    case_number: str = "",
    corrects: Voucher | None = None,
    kind: str = VoucherKind.NORMAL,
    by: User | None,
) -> Voucher:
    """The handler records a voucher; it waits for the supervision committee's review."""
    village = _village(village)
    if by is not None:
        jurisdiction.require(by, "finance.record", village.code)
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput(_("The summary is required: say what the money was for"), field="summary")
    # Never shortened in silence: what does not fit is refused with the limit.
    summary = validate.text(summary, "summary", _("Summary"), SUMMARY_MAX)
    if kind not in VoucherKind.values:
        raise InvalidInput(_("Unknown voucher kind"), field="kind")
    if (kind == VoucherKind.NORMAL) != (corrects is None):
        raise InvalidInput(
            _("A reversing or correcting voucher names the voucher it corrects, and only it does"), field="corrects"
        )
    if corrects is not None:
        if corrects.village_id != village.code:
            raise InvalidInput(_("A voucher can only correct one of its own village"), field="corrects")
        if not Month.objects.filter(village=village, period=corrects.period, status=MonthStatus.PUBLISHED).exists():
            raise InvalidInput(
                _("Only a published voucher is corrected by another voucher; change this one while its month is open"),
                field="corrects",
            )
    period = periods.of(date)
    chart = chart_for(village_code=village.code, year=date.year)
    accounts = accounts_of(chart.code)
    _check_entries(entries, accounts, chart)
    payment_method = payment_method or _default_payment(entries, accounts)
    if payment_method not in PaymentMethod.values:
        raise InvalidInput(_("Unknown payment method"), field="payment_method")
    case, why = resolve_case(case_number, village.code)
    if why:
        raise InvalidInput(why, field="case_number")
    direction, amount = cash_flow(((e.account_code, e.side, e.amount) for e in entries), accounts)
    limit = case_required_above()
    if limit and direction == "expense" and amount > limit and case is None and kind == VoucherKind.NORMAL:
        raise InvalidInput(
            _("Spending above %(limit)s yuan needs the number of the case that authorised it") % {"limit": yuan(limit)},
            field="case_number",
        )
    _month_for_write(village, period)
    # The fiscal-year row serialises numbering within a village and year.
    FiscalYear.objects.select_for_update().filter(village=village, year=date.year).first()
    number = (Voucher.objects.filter(village=village, year=date.year).aggregate(n=Max("number"))["n"] or 0) + 1
    now = timezone.now()
    voucher = Voucher(
        county_code=codes.county_of(village.code),
        village=village,
        year=date.year,
        number=number,
        date=date,
        period=period,
        summary=summary,
        payment_method=payment_method,
        kind=kind,
        corrects=corrects,
        status=VoucherStatus.RECORDED,
        source=Source.MANUAL,
        recorded_by=by if by is not None else None,
        recorded_at=now,
        case=case,
    )
    voucher.save()
    voucher.fingerprint = _save_entries(voucher, entries)
    voucher.save(update_fields=["fingerprint"])
    audit_record(
        action="finance.voucher_record",
        by=by,
        obj=voucher,
        region_code=village.code,
        detail={
            "number": number,
            "year": date.year,
            "kind": kind,
            "corrects": corrects.pk if corrects else None,
            "entries": len(entries),
        },
    )
    return voucher


def _lock(voucher: Voucher) -> Voucher:
    return Voucher.objects.select_for_update().select_related("village").get(pk=voucher.pk)


@transaction.atomic
def voucher_update(
    *,
    voucher: Voucher,
    date: date,
    summary: str,
    entries: Sequence[EntryInput],
    payment_method: str = "",
    case_number: str = "",
    by: User | None,
) -> Voucher:
    """Change a voucher the committee has not passed yet (or returned); it is reviewed again."""
    voucher = _lock(voucher)
    if by is not None:
        jurisdiction.require(by, "finance.record", voucher.village_id)
    if voucher.status not in (VoucherStatus.RECORDED, VoucherStatus.RETURNED):
        raise InvalidInput(_("Only a voucher awaiting review or returned can be changed"))
    if date.year != voucher.year:
        raise InvalidInput(_("A voucher stays in its year: record a new one instead"), field="date")
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput(_("The summary is required: say what the money was for"), field="summary")
    # Never shortened in silence: what does not fit is refused with the limit.
    summary = validate.text(summary, "summary", _("Summary"), SUMMARY_MAX)
    chart = chart_for(village_code=voucher.village_id, year=voucher.year)
    accounts = accounts_of(chart.code)
    _check_entries(entries, accounts, chart)
    old_period = voucher.period
    period = periods.of(date)
    _month_for_write(voucher.village, period)
    if old_period != period:
        _month_for_write(voucher.village, old_period)
    voucher.date, voucher.period, voucher.summary = date, period, summary
    voucher.payment_method = payment_method or _default_payment(entries, accounts)
    case, why = resolve_case(case_number, voucher.village_id)
    if why:
        raise InvalidInput(why, field="case_number")
    voucher.case = case
    voucher.status = VoucherStatus.RECORDED
    voucher.reviewed_by, voucher.reviewed_at = None, None
    voucher.entries.all().delete()
    voucher.fingerprint = _save_entries(voucher, entries)
    voucher.save(
        update_fields=[
            "date",
            "period",
            "summary",
            "payment_method",
            "case",
            "status",
            "reviewed_by",
            "reviewed_at",
            "fingerprint",
        ]
    )
    audit_record(
        action="finance.voucher_update",
        by=by,
        obj=voucher,
        region_code=voucher.village_id,
        detail={"entries": len(entries)},
    )
    return voucher


def _reopen_from(village: Region, period: int, *, by: User | None, reason: str) -> list[int]:
    """Reopen a closed month and every later closed one (their opening balances chain)."""
    months = list(
        Month.objects.select_for_update()
        .filter(village=village, period__gte=period, status=MonthStatus.CLOSED)
        .order_by("period")
    )
    if Month.objects.filter(village=village, period__gt=period, status=MonthStatus.PUBLISHED).exists():
        raise InvalidInput(_("A later month is already published: correct with a new voucher instead"))
    reopened = [m.period for m in months]
    if reopened:
        Balance.objects.filter(village_code=village.code, period__in=reopened).delete()
        Month.objects.filter(pk__in=[m.pk for m in months]).update(
            status=MonthStatus.OPEN, closed_by=None, closed_at=None
        )
        audit_record(
            action="finance.month_reopen",
            by=by,
            region_code=village.code,
            object_type="finance.month",
            object_id=str(months[0].pk),
            detail={"periods": [periods.text(p) for p in reopened], "reason": reason},
        )
    return reopened


@transaction.atomic
def voucher_review(*, voucher: Voucher, approve: bool, opinion: str = "", by: User) -> Voucher:
    """The supervision committee passes a voucher (with its opinion) or returns it."""
    voucher = _lock(voucher)
    jurisdiction.require(by, "finance.review", voucher.village_id)
    jurisdiction.require_not_own(by, voucher.recorded_by_id)
    opinion = (opinion or "").strip()
    month = Month.objects.select_for_update().get(village=voucher.village, period=voucher.period)
    if month.status == MonthStatus.PUBLISHED:
        raise InvalidInput(_("This voucher is published: question it with a correcting voucher"))
    imported_awaiting = voucher.status == VoucherStatus.POSTED and voucher.reviewed_at is None
    if voucher.status != VoucherStatus.RECORDED and not imported_awaiting:
        raise InvalidInput(_("This voucher is not awaiting review"))
    if not approve and not opinion:
        raise InvalidInput(_("Say why the voucher is returned"), field="opinion")
    now = timezone.now()
    if approve:
        voucher.reviewed_by, voucher.reviewed_at, voucher.review_opinion = by, now, opinion or _("Approved")
        if voucher.status == VoucherStatus.RECORDED:
            voucher.status = VoucherStatus.REVIEWED
    else:
        voucher.review_opinion, voucher.status = opinion, VoucherStatus.RETURNED
        voucher.reviewed_by, voucher.reviewed_at = None, None
        if month.status == MonthStatus.CLOSED:
            _reopen_from(voucher.village, voucher.period, by=by, reason=opinion)
    voucher.save(update_fields=["reviewed_by", "reviewed_at", "review_opinion", "status"])
    audit_record(
        action="finance.voucher_review",
        by=by,
        obj=voucher,
        region_code=voucher.village_id,
        detail={"approve": approve, "opinion": voucher.review_opinion},
    )
    return voucher


@transaction.atomic
def vouchers_review_month(*, village: Region, period: int, opinion: str = "", by: User) -> int:
    """Pass every voucher of a month that awaits the committee (its monthly review meeting).

    Vouchers the reviewer recorded are left for another member; the count says how many
    were passed.
    """
    jurisdiction.require(by, "finance.review", village.code)
    month = Month.objects.select_for_update().filter(village=village, period=period).first()
    if month is None or month.status == MonthStatus.PUBLISHED:
        raise InvalidInput(_("There is nothing to review in %(month)s") % {"month": periods.text(period)})
    awaiting = (
        Voucher.objects.filter(village=village, period=period)
        .filter(Q(status=VoucherStatus.RECORDED) | Q(status=VoucherStatus.POSTED, reviewed_at__isnull=True))
        .exclude(recorded_by=by)
    )
    ids = list(awaiting.values_list("pk", flat=True))
    now = timezone.now()
    opinion = (opinion or "").strip() or _("Approved")
    Voucher.objects.filter(pk__in=ids, status=VoucherStatus.RECORDED).update(
        status=VoucherStatus.REVIEWED, reviewed_by=by, reviewed_at=now, review_opinion=opinion
    )
    Voucher.objects.filter(pk__in=ids, status=VoucherStatus.POSTED).update(
        reviewed_by=by, reviewed_at=now, review_opinion=opinion
    )
    if ids:
        audit_record(
            action="finance.vouchers_review_month",
            by=by,
            region_code=village.code,
            object_type="finance.month",
            object_id=str(month.pk),
            detail={"period": periods.text(period), "vouchers": ids, "opinion": opinion},
        )
    return len(ids)


@transaction.atomic
def voucher_countersign(*, voucher: Voucher, by: User) -> Voucher:
    """The secretary and the director countersign: two different cadres, neither of whom
    recorded the voucher."""
    voucher = _lock(voucher)
    jurisdiction.require(by, "finance.countersign", voucher.village_id)
    jurisdiction.require_not_own(by, voucher.recorded_by_id)
    if voucher.status != VoucherStatus.REVIEWED:
        raise InvalidInput(_("Only a voucher the supervision committee has passed is countersigned"))
    now = timezone.now()
    if voucher.first_signed_by_id is None:
        voucher.first_signed_by, voucher.first_signed_at = by, now
    elif voucher.first_signed_by_id == by.pk:
        raise NotPermitted(_("A second countersignature must come from another cadre"))
    else:
        voucher.second_signed_by, voucher.second_signed_at = by, now
        voucher.status = VoucherStatus.COUNTERSIGNED
    voucher.save(update_fields=["first_signed_by", "first_signed_at", "second_signed_by", "second_signed_at", "status"])
    audit_record(
        action="finance.voucher_countersign",
        by=by,
        obj=voucher,
        region_code=voucher.village_id,
        detail={"complete": voucher.status == VoucherStatus.COUNTERSIGNED},
    )
    return voucher


@transaction.atomic
def voucher_post(*, voucher: Voucher, by: User) -> Voucher:
    """The accountant enters a countersigned voucher into the books."""
    voucher = _lock(voucher)
    jurisdiction.require(by, "finance.post", voucher.village_id)
    if voucher.status != VoucherStatus.COUNTERSIGNED:
        raise InvalidInput(
            _("Only a countersigned voucher is posted: the agent refuses spending that skipped its procedure")
        )
    voucher.status, voucher.posted_by, voucher.posted_at = VoucherStatus.POSTED, by, timezone.now()
    voucher.save(update_fields=["status", "posted_by", "posted_at"])
    audit_record(action="finance.voucher_post", by=by, obj=voucher, region_code=voucher.village_id)
    return voucher


@transaction.atomic
def voucher_reverse(*, voucher: Voucher, date: date, reason: str, by: User | None) -> Voucher:
    """Record the reversing voucher of a published one: every entry on the other side.

    It goes through the workflow like any voucher and, once its month is published, is
    shown beside the original.
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the voucher is reversed"), field="reason")
    entries = [
        EntryInput(
            account_code=e.account_code,
            side=Side.CREDIT if e.side == Side.DEBIT else Side.DEBIT,
            amount=e.amount,
            summary=e.summary,
            counterparty=e.counterparty,
            sub_account=e.sub_account,
        )
        for e in voucher.entries.order_by("line")
    ]
    summary = _("Reversal of %(year)d No. %(number)d: %(reason)s") % {
        "year": voucher.year,
        "number": voucher.number,
        "reason": reason,
    }
    return voucher_record(
        village=voucher.village,
        date=date,
        summary=summary,
        entries=entries,
        payment_method=voucher.payment_method,
        case_number=voucher.case.number if voucher.case is not None else "",
        corrects=voucher,
        kind=VoucherKind.REVERSAL,
        by=by,
    )


# --- receipts -----------------------------------------------------------------------------


@transaction.atomic
def receipt_attach(*, voucher: Voucher, data: bytes, filename: str, by: User | None) -> Receipt:
    """Attach a receipt (image or PDF, checked by content, image metadata removed)."""

    voucher = _lock(voucher)
    if by is not None:
        jurisdiction.require(by, "finance.record", voucher.village_id)
    if Month.objects.filter(village=voucher.village, period=voucher.period, status=MonthStatus.PUBLISHED).exists():
        raise InvalidInput(_("This voucher is published: its receipts can no longer change"))
    cleaned = clean_upload(data=data, filename=filename)
    if Receipt.objects.filter(voucher=voucher, sha256=cleaned.sha256).exists():
        raise InvalidInput(_("This receipt is already attached"), field="file")
    receipt = Receipt.from_cleaned(cleaned, filename=filename, by=by, voucher=voucher, village_code=voucher.village_id)
    receipt.save()
    audit_record(
        action="finance.receipt_attach",
        by=by,
        obj=receipt,
        region_code=voucher.village_id,
        detail={
            "voucher": voucher.pk,
            "sha256": cleaned.sha256,
            "original_sha256": cleaned.original_sha256,
            "type": cleaned.content_type,
            "bytes": cleaned.size,
        },
    )
    return receipt


# --- months ---------------------------------------------------------------------------------


def _carried_balances(village: Region, period: int, chart: Chart) -> dict[str, int]:
    """Opening balances for `period`: the closing balances of the last closed month
    before it, moved into this chart's accounts if the village changed chart."""
    last = (
        Month.objects.filter(village=village, period__lt=period)
        .exclude(status=MonthStatus.OPEN)
        .order_by("-period")
        .first()
    )
    if last is None:
        return {}
    closing = dict(
        Balance.objects.filter(village_code=village.code, period=last.period).values_list("account_code", "closing")
    )
    before = chart_for(village_code=village.code, year=periods.year(last.period), create=False)
    if before.code == chart.code:
        return {k: v for k, v in closing.items() if v}
    if chart.succeeds_id != before.code:
        raise InvalidInput(
            _("Chart %(new)s does not say how balances carry over from chart %(old)s")
            % {"new": chart.code, "old": before.code}
        )
    target: dict[str, str] = {}
    for account in accounts_of(chart.code).values():
        for old in account.carries_from:
            target[old] = account.code
    opening: dict[str, int] = defaultdict(int)
    stranded = []
    for code, amount in closing.items():
        if not amount:
            continue
        if code not in target:
            stranded.append(code)
            continue
        opening[target[code]] += amount
    if stranded:
        raise InvalidInput(
            _(
                "Accounts %(codes)s of chart %(old)s have balances that no account of chart %(new)s takes over: "
                "clear them with vouchers first"
            )
            % {"codes": ", ".join(sorted(stranded)), "old": before.code, "new": chart.code}
        )
    return {k: v for k, v in opening.items() if v}


def month_balances(village: Region, period: int) -> list[Balance]:
    """Compute (not save) the month's balances from its opening and its vouchers."""
    chart = chart_for(village_code=village.code, year=periods.year(period))
    opening = _carried_balances(village, period, chart)
    activity: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for code, side, total in (
        Entry.objects.filter(voucher__village=village, voucher__period=period)
        .values_list("account_code", "side")
        .annotate(total=Sum("amount"))
        .order_by()
    ):
        activity[code][0 if side == Side.DEBIT else 1] += total
    order = {code: a.order for code, a in accounts_of(chart.code).items()}
    rows = []
    for code in sorted(set(opening) | set(activity), key=lambda c: (order.get(c, 9999), c)):
        debit, credit = activity[code] if code in activity else (0, 0)
        start = opening.get(code, 0)
        rows.append(
            Balance(
                village_code=village.code,
                period=period,
                account_code=code,
                opening=start,
                debit=debit,
                credit=credit,
                closing=start + debit - credit,
            )
        )
    return rows


@transaction.atomic
def month_close(*, village: Region, period: int, by: User | None) -> Month:
    """The accountant closes a month: every voucher posted, balances per account saved."""
    village = _village(village)
    if by is not None:
        jurisdiction.require(by, "finance.post", village.code)
    month, _created = Month.objects.get_or_create(
        village=village, period=period, defaults={"county_code": codes.county_of(village.code)}
    )
    month = Month.objects.select_for_update().get(pk=month.pk)
    if month.status != MonthStatus.OPEN:
        raise InvalidInput(_("%(month)s is already closed") % {"month": periods.text(period)})
    if period >= periods.of(timezone.localdate()):
        raise InvalidInput(_("%(month)s has not ended yet") % {"month": periods.text(period)})
    earlier = Month.objects.filter(village=village, period__lt=period, status=MonthStatus.OPEN).order_by("period")
    if earlier.exists():
        raise InvalidInput(
            _("Close %(month)s first: months close in order") % {"month": periods.text(earlier[0].period)}
        )
    pending = Voucher.objects.filter(village=village, period=period).exclude(status=VoucherStatus.POSTED).count()
    if pending:
        raise InvalidInput(
            _("%(n)d voucher(s) of %(month)s are not posted yet") % {"n": pending, "month": periods.text(period)}
        )
    balances = month_balances(village, period)
    Balance.objects.filter(village_code=village.code, period=period).delete()
    Balance.objects.bulk_create(balances)
    month.status, month.closed_by, month.closed_at = MonthStatus.CLOSED, by, timezone.now()
    month.save(update_fields=["status", "closed_by", "closed_at"])
    audit_record(
        action="finance.month_close",
        by=by,
        obj=month,
        region_code=village.code,
        detail={"period": periods.text(period), "accounts": len(balances)},
    )
    return month


@transaction.atomic
def month_reopen(*, village: Region, period: int, reason: str, by: User | None) -> list[int]:
    """Reopen a closed, unpublished month (and the closed months after it)."""
    if by is not None:
        jurisdiction.require(by, "finance.post", village.code)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(_("Say why the month is reopened"), field="reason")
    month = Month.objects.select_for_update().filter(village=village, period=period).first()
    if month is None or month.status != MonthStatus.CLOSED:
        raise InvalidInput(_("Only a closed, unpublished month can be reopened"))
    return _reopen_from(village, period, by=by, reason=reason)


@transaction.atomic
def month_signoff(*, village: Region, period: int, opinion: str = "", by: User | None) -> Month:
    """The supervision committee signs the closed month off; its vouchers are published
    as one batch, and the public tables are derived from what was published."""
    village = _village(village)
    if by is not None:
        jurisdiction.require(by, "finance.signoff", village.code)
    month = Month.objects.select_for_update().filter(village=village, period=period).first()
    if month is None or month.status != MonthStatus.CLOSED:
        raise InvalidInput(
            _("%(month)s must be closed by the accountant before it is signed off") % {"month": periods.text(period)}
        )
    unreviewed = Voucher.objects.filter(village=village, period=period, reviewed_at__isnull=True).count()
    if unreviewed:
        raise InvalidInput(
            _("%(n)d voucher(s) of %(month)s still await the committee's review")
            % {"n": unreviewed, "month": periods.text(period)}
        )
    earlier = (
        Month.objects.filter(village=village, period__lt=period)
        .exclude(status=MonthStatus.PUBLISHED)
        .order_by("period")
        .first()
    )
    if earlier is not None:
        raise InvalidInput(
            _("Sign off %(month)s first: months are published in order") % {"month": periods.text(earlier.period)}
        )
    now = timezone.now()
    month.signed_off_by, month.signed_off_at = by, now
    month.signoff_opinion = (opinion or "").strip() or _("Checked and approved")
    entry = publication.month_publish(month=month, by=by)
    month.status, month.publication, month.published_at = MonthStatus.PUBLISHED, entry, entry.published_at
    month.save(
        update_fields=["status", "signed_off_by", "signed_off_at", "signoff_opinion", "publication", "published_at"]
    )
    audit_record(
        action="finance.month_signoff",
        by=by,
        obj=month,
        region_code=village.code,
        detail={"period": periods.text(period), "entry": entry.pk, "entry_hash": entry.entry_hash},
    )
    return month
