"""Public pages of the village books, in the phone (portal) and kiosk layouts.

Everything here reads published snapshots or the tables derived from them, and is built
to be served from cache: a rendered page is kept SUNLIT_FINANCE_PAGE_CACHE_SECONDS (as
long as browsers are allowed to keep it), validated by an ETag made from what it shows
(the month snapshot's hash, the newest correction of it, the latest publication of the
village or township). A thousand phones on market day cost the database nothing more.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from sunlit.finance import periods, selectors
from sunlit.lib import exports
from sunlit.lib.errors import InvalidInput
from sunlit.lib.exports import Money
from sunlit.lib.layout import LAYOUTS, Layout, not_found, public_page, render_public
from sunlit.regions import codes

# URL names per layout, so a kiosk page never links out of the kiosk.
URLS: dict[str, dict[str, str]] = {
    name: {
        "village": f"finance:{prefix}village",
        "month": f"finance:{prefix}month",
        "accounts": f"finance:{prefix}accounts",
        "account": f"finance:{prefix}account",
        "village_search": f"finance:{prefix}village_search",
        "township_search": f"finance:{prefix}township_search",
        "timeliness": f"finance:{prefix}timeliness",
        "receipt": f"finance:{prefix}receipt",
        "case": "cases:kiosk_public_case" if name == "kiosk" else "cases:public_case",
        "item": "powers:kiosk_item" if name == "kiosk" else "powers:item",
    }
    for name, prefix in (("portal", ""), ("kiosk", "kiosk_"))
}


def _context(lay: Layout, **extra: Any) -> dict[str, Any]:
    return {"fin": URLS[lay.name], **extra}


def _serve(
    request: HttpRequest,
    *,
    key: str,
    version: Callable[[], str | None],
    build: Callable[[], HttpResponse],
    html: bool = True,
) -> HttpResponse | None:
    """Serve a public response from cache, or build it; None when `version` says the thing
    does not exist (the caller answers 404).

    Within the cache lifetime the database is not asked at all; after it, one cheap query
    (the version) decides whether the kept copy is still what would be built.
    """
    ttl = int(settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS)
    language = get_language() if html else ""
    if not ttl:
        # No page cache: build every time; the ETag is the body's own hash, so there is
        # no version to ask the database for.
        response = build()
        if response.status_code != 200:
            return response
        built: dict[str, Any] = {
            "etag": hashlib.sha256(response.content).hexdigest()[:40],
            "body": response.content,
            "type": response["Content-Type"],
            "disposition": response.get("Content-Disposition", ""),
        }
        return _answer(request, built, ttl, html)
    cache_key = "finance:page:" + hashlib.sha256(f"{key}|{language}".encode()).hexdigest()
    kept = cache.get(cache_key)
    now = time.time()
    if kept is None or kept["until"] <= now:
        current = version()
        if current is None:
            return None
        etag = hashlib.sha256(f"{key}|{current}|{language}".encode()).hexdigest()[:40]
        if kept is None or kept["etag"] != etag:
            response = build()
            if response.status_code != 200:
                return response
            kept = {
                "etag": etag,
                "body": response.content,
                "type": response["Content-Type"],
                "disposition": response.get("Content-Disposition", ""),
            }
        kept["until"] = now + ttl
        cache.set(cache_key, kept, ttl)
    return _answer(request, kept, ttl, html)


def _answer(request: HttpRequest, kept: dict[str, Any], ttl: int, html: bool) -> HttpResponse:
    """The kept response, or 304 Not Modified when the browser holds it already."""
    tag = quote_etag(kept["etag"])
    response: HttpResponse
    if tag in parse_etags(request.headers.get("If-None-Match", "")):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(kept["body"], content_type=kept["type"])
        if kept["disposition"]:
            response["Content-Disposition"] = kept["disposition"]
    response["ETag"] = tag
    patch_cache_control(response, public=True, max_age=ttl or 60)
    if html:
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _period_or_none(text: str) -> int | None:
    try:
        return periods.parse(text)
    except InvalidInput:
        return None


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(10_000, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


def case_links(lay: Layout, case: dict[str, Any] | None) -> dict[str, str] | None:
    """The case's public page and its item's flowchart, when those rooms answer."""
    if not case:
        return None
    links = {"number": case["number"], "item_name": case.get("item_name", "")}
    for key, name, arg in (
        ("case_url", URLS[lay.name]["case"], case["number"]),
        ("item_url", URLS[lay.name]["item"], case.get("item", "")),
    ):
        try:
            links[key] = reverse(name, args=[arg]) if arg else ""
        except NoReverseMatch:
            links[key] = ""
    return links


# --- a village's published months ------------------------------------------------------------


@require_GET
@public_page
def village(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]

    def build() -> HttpResponse:
        region = selectors.village(code)
        if region is None:
            return not_found(request, lay)
        return render_public(
            request,
            lay,
            "finance/village.html",
            _context(
                lay,
                village=region,
                township=region.parent,
                years=selectors.published_years(code),
                back_url=reverse(lay.village, args=[code]),
            ),
        )

    return _serve(
        request, key=f"village:{layout}:{code}", version=lambda: selectors.village_version(code), build=build
    ) or not_found(request, lay)


def _month_context(request: HttpRequest, lay: Layout, page: selectors.MonthPage) -> dict[str, Any]:
    snapshot = page.snapshot
    vouchers = []
    for v in page.vouchers:
        vouchers.append(
            {
                **v,
                "case_links": case_links(lay, v["case"]),
                "corrected_by": page.corrections.get((v["year"], v["number"]), []),
                "ref": _("%(period)s No. %(number)d") % {"period": snapshot["period"], "number": v["number"]},
            }
        )
    region = page.village
    return _context(
        lay,
        village=region,
        township=region.parent,
        page=page,
        snapshot=snapshot,
        vouchers=vouchers,
        published=page.published,
        publication=page.published.publication,
        pages=range(1, page.pages + 1),
        back_url=reverse(URLS[lay.name]["village"], args=[region.code]),
    )


@require_GET
@public_page
def month(request: HttpRequest, code: str, period: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    p = _period_or_none(period)
    if p is None:
        return not_found(request, lay)
    number = _page(request)

    def build() -> HttpResponse:
        page = selectors.month(code, p, page=number)
        if page is None:
            return not_found(request, lay)
        return render_public(request, lay, "finance/month.html", _month_context(request, lay, page))

    return _serve(
        request,
        key=f"month:{layout}:{code}:{p}:{number}",
        version=lambda: selectors.month_version(code, p),
        build=build,
    ) or not_found(request, lay)


@require_GET
def month_json(request: HttpRequest, code: str, period: str) -> HttpResponse:
    """A month's entries as JSON, PAGE_ENTRIES at a time, with what proves them."""
    p = _period_or_none(period)
    if p is None:
        raise Http404
    number = _page(request)

    def build() -> HttpResponse:
        page = selectors.month(code, p)
        if page is None:
            raise Http404
        rows = selectors.flat_entries(page.snapshot)
        size = selectors.PAGE_ENTRIES
        chunk = rows[(number - 1) * size : number * size]
        base = reverse("finance:month_json", args=[code, periods.text(p)])
        publication = page.published.publication
        data = {
            "village": page.snapshot["village"],
            "period": page.snapshot["period"],
            "unit": "fen",
            "totals": page.snapshot["totals"],
            "page": number,
            "entries": chunk,
            "count": len(rows),
            "next": f"{base}?page={number + 1}" if number * size < len(rows) else None,
            "publication": {
                "entry": publication.pk,
                "entry_hash": publication.entry_hash,
                "snapshot_sha256": publication.snapshot_sha256,
                "url": reverse("transparency:entry_json", args=[publication.pk]),
            },
            "corrections": [
                {
                    "corrects": {"year": c.target_year, "number": c.target_number},
                    "by": {"period": periods.text(c.period), "year": c.year, "number": c.number, "kind": c.kind},
                }
                for found in page.corrections.values()
                for c in found
            ],
        }
        return JsonResponse(data, json_dumps_params={"ensure_ascii": False})

    response = _serve(
        request,
        key=f"month.json:{code}:{p}:{number}",
        version=lambda: selectors.month_version(code, p),
        build=build,
        html=False,
    )
    if response is None:
        raise Http404
    return response


HEADERS = (
    "date",
    "voucher",
    "line",
    "summary",
    "account",
    "account_name",
    "debit",
    "credit",
    "counterparty",
    "direction",
    "payment_method",
    "case",
    "receipts",
)


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Voucher"),
        _("Line"),
        _("Summary"),
        _("Account"),
        _("Account name"),
        _("Debit (yuan)"),
        _("Credit (yuan)"),
        _("Counterparty"),
        _("Income or expense"),
        _("Payment method"),
        _("Authorising case"),
        _("Receipts"),
    ]


def _download_rows(rows: list[dict[str, Any]]) -> list[list[Any]]:
    return [
        [
            r["date"],
            r["number"],
            r["line"],
            r["summary"],
            r["account"],
            r["account_name"],
            Money(r["amount"]) if r["side"] == "D" else None,
            Money(r["amount"]) if r["side"] == "C" else None,
            r["counterparty"],
            r["direction"],
            r["payment_method"],
            r["case"] or "",
            len(r["receipts"]),
        ]
        for r in rows
    ]


def _download(fmt: str, name: str, rows: list[list[Any]], title: str) -> HttpResponse:
    return exports.response(fmt, _headers(), rows, filename=name, title=title)


@require_GET
def month_download(request: HttpRequest, code: str, period: str, fmt: str) -> HttpResponse:
    p = _period_or_none(period)
    if p is None or fmt not in ("csv", "xlsx"):
        raise Http404

    def build() -> HttpResponse:
        page = selectors.month(code, p)
        if page is None:
            raise Http404
        return _download(
            fmt, f"{code}-{periods.text(p)}", _download_rows(selectors.flat_entries(page.snapshot)), periods.text(p)
        )

    response = _serve(
        request,
        key=f"month.{fmt}:{code}:{p}:{get_language()}",
        version=lambda: selectors.month_version(code, p),
        build=build,
        html=False,
    )
    if response is None:
        raise Http404
    return response


# --- accounts --------------------------------------------------------------------------------


def _year(value: str) -> int | None:
    return int(value) if value.isascii() and value.isdigit() and 1990 <= int(value) <= 2200 else None


@require_GET
@public_page
def accounts(request: HttpRequest, code: str, year: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    y = _year(year)
    if y is None:
        return not_found(request, lay)

    def build() -> HttpResponse:
        region = selectors.village(code)
        if region is None:
            return not_found(request, lay)
        return render_public(
            request,
            lay,
            "finance/accounts.html",
            _context(
                lay,
                village=region,
                township=region.parent,
                year=y,
                rows=selectors.accounts_of_year(code, y),
                years=selectors.account_years(code),
                back_url=reverse(URLS[lay.name]["village"], args=[code]),
            ),
        )

    return _serve(
        request, key=f"accounts:{layout}:{code}:{y}", version=lambda: selectors.village_version(code), build=build
    ) or not_found(request, lay)


@require_GET
@public_page
def account(
    request: HttpRequest, code: str, year: str, account: str, layout: str = "portal", fmt: str = ""
) -> HttpResponse:
    lay = LAYOUTS[layout]
    y = _year(year)
    if y is None or not (account.isascii() and account.isdigit()) or len(account) > 8:
        return not_found(request, lay)

    def build() -> HttpResponse:
        region = selectors.village(code)
        if region is None:
            return not_found(request, lay)
        entries = selectors.account_entries(code, y, account)
        if fmt:
            rows = [
                [
                    e.date.isoformat(),
                    e.number,
                    e.line,
                    e.summary,
                    e.account_code,
                    e.account_name,
                    Money(e.amount) if e.side == "D" else None,
                    Money(e.amount) if e.side == "C" else None,
                    e.counterparty,
                    e.direction,
                    e.payment_method,
                    e.case_number,
                    e.receipts,
                ]
                for e in entries
            ]
            return _download(fmt, f"{code}-{y}-{account}", rows, f"{y}-{account}")
        row = next((a for a in selectors.accounts_of_year(code, y) if a.code == account), None)
        if row is None and not entries:
            return not_found(request, lay)
        return render_public(
            request,
            lay,
            "finance/account.html",
            _context(
                lay,
                village=region,
                township=region.parent,
                year=y,
                account=row,
                code=account,
                entries=entries,
                back_url=reverse(URLS[lay.name]["accounts"], args=[code, y]),
            ),
        )

    return _serve(
        request,
        key=f"account:{layout}:{code}:{y}:{account}:{fmt}",
        version=lambda: selectors.village_version(code),
        build=build,
        html=not fmt,
    ) or not_found(request, lay)


# --- search ----------------------------------------------------------------------------------


def _search(
    request: HttpRequest, lay: Layout, *, township_code: str, village_code: str = "", fmt: str = ""
) -> HttpResponse:
    query = (request.GET.get("q") or "").strip()[:40]
    number = _page(request)
    scope = village_code or township_code

    def build() -> HttpResponse:
        region = selectors.village(village_code) if village_code else selectors.township(township_code)
        if region is None:
            return not_found(request, lay)
        result = selectors.search_entries(
            township_code=township_code, query=query, village_code=village_code, page=number
        )
        if fmt == "json":
            return JsonResponse(
                {
                    "query": query,
                    "count": result.count,
                    "capped": result.capped,
                    "page": result.page,
                    "entries": [
                        {
                            "village": e.village_code,
                            "period": periods.text(e.period),
                            "date": e.date.isoformat(),
                            "voucher": e.number,
                            "line": e.line,
                            "summary": e.summary,
                            "counterparty": e.counterparty,
                            "account": e.account_code,
                            "side": e.side,
                            "amount": e.amount,
                            "publication": e.publication_id,
                        }
                        for e in result.entries
                    ],
                },
                json_dumps_params={"ensure_ascii": False},
            )
        if fmt in ("csv", "xlsx"):
            rows = [
                [
                    e.date.isoformat(),
                    e.number,
                    e.line,
                    e.summary,
                    e.account_code,
                    e.account_name,
                    Money(e.amount) if e.side == "D" else None,
                    Money(e.amount) if e.side == "C" else None,
                    e.counterparty,
                    e.direction,
                    e.payment_method,
                    e.case_number,
                    e.receipts,
                ]
                for e in result.entries
            ]
            return _download(fmt, f"{scope}-search", rows, "search")
        names = {}
        if not village_code:
            names = dict(selectors.Region.objects.filter(parent_id=township_code).values_list("code", "name"))
        back = (
            reverse(URLS[lay.name]["village"], args=[village_code])
            if village_code
            else reverse(lay.township, args=[township_code])
        )
        return render_public(
            request,
            lay,
            "finance/search.html",
            _context(
                lay,
                region=region,
                village=region if village_code else None,
                query=query,
                result=result,
                names=names,
                back_url=back,
            ),
        )

    response = _serve(
        request,
        key=f"search:{lay.name}:{scope}:{query}:{number}:{fmt}",
        version=lambda: selectors.township_version(township_code),
        build=build,
        html=fmt == "",
    )
    return response or not_found(request, lay)


@require_GET
@public_page
def village_search(request: HttpRequest, code: str, layout: str = "portal", fmt: str = "") -> HttpResponse:
    lay = LAYOUTS[layout]
    if selectors._level(code) != "village":
        return not_found(request, lay)
    # The township from the code itself: a cached answer needs no query at all.
    return _search(request, lay, township_code=codes.parent_code(code) or "", village_code=code, fmt=fmt)


@require_GET
@public_page
def township_search(request: HttpRequest, code: str, layout: str = "portal", fmt: str = "") -> HttpResponse:
    lay = LAYOUTS[layout]
    if selectors._level(code) != "township":
        return not_found(request, lay)
    return _search(request, lay, township_code=code, fmt=fmt)


# --- timeliness ------------------------------------------------------------------------------


@require_GET
@public_page
def timeliness(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    """Late and missing month publications of a township's villages, newest first."""
    lay = LAYOUTS[layout]

    number = _page(request)

    def build() -> HttpResponse:
        found = selectors.timeliness(code)
        if found is None:
            return not_found(request, lay)
        late = Paginator(found.late, 50).get_page(number)
        return render_public(
            request,
            lay,
            "finance/timeliness.html",
            _context(
                lay,
                t=found,
                late=late,
                limit_day=settings.SUNLIT_FINANCE_PUBLISH_BY_DAY,
                back_url=reverse(lay.township, args=[code]),
            ),
        )

    today = timezone.localdate().isoformat()
    return _serve(
        request,
        key=f"timeliness:{layout}:{code}:{number}",
        version=lambda: f"{selectors.township_version(code)}.{today}",
        build=build,
    ) or not_found(request, lay)


# --- receipts --------------------------------------------------------------------------------


@require_GET
@public_page
def receipt(request: HttpRequest, sha256: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    found = selectors.published_receipt(sha256)
    if found is None:
        return not_found(request, lay)
    published, stored = found
    back = reverse(URLS[lay.name]["month"], args=[published.village_code, periods.text(published.period)])
    return render_public(
        request,
        lay,
        "finance/receipt.html",
        _context(
            lay, receipt=published, stored=stored, back_url=back, village=selectors.village(published.village_code)
        ),
    )


@require_GET
def receipt_file(request: HttpRequest, sha256: str, thumb: bool = False) -> FileResponse:
    """The receipt's bytes (or its thumbnail): only for a receipt a published month names.
    Content-addressed, so kept by browsers for a year."""
    found = selectors.published_receipt(sha256)
    if found is None:
        raise Http404
    published, stored = found
    field = stored.thumbnail if thumb else stored.file
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumb else published.content_type)
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# --- templates for the import ------------------------------------------------------------------


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The import layout as a file to fill in: Chinese headers and two example vouchers."""
    headers = [
        "村代码",
        "日期",
        "凭证号",
        "摘要",
        "科目编码",
        "明细科目",
        "借方金额",
        "贷方金额",
        "对方单位",
        "结算方式",
        "授权事项编号",
    ]
    village, income, power = "431382101201", "收到村级组织运转经费", "国网涟源市供电公司"
    rows = [
        [village, "2025-03-02", "1", income, "102", "", "30000.00", "", "六亩塘镇财政所", "银行", ""],
        [village, "2025-03-02", "1", income, "522", "", "", "30000.00", "六亩塘镇财政所", "银行", ""],
        [village, "2025-03-05", "2", "支付3月电费", "541", "电费", "1234.50", "", power, "银行", ""],
        [village, "2025-03-05", "2", "支付3月电费", "102", "", "", "1234.50", power, "银行", ""],
    ]
    response = exports.response(fmt, headers, rows, filename="finance-import-template", title="凭证")
    patch_cache_control(response, public=True, max_age=3600)
    return response
