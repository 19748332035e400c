"""Public pages of the welfare room, in the phone (portal) and kiosk layouts.

Lists and the poverty-alleviation section read published snapshots (and the rows derived
from them) only, and may be cached by browsers and proxies like every public page. The
self-check is the exception: it answers one household, is POST only, and is never kept
by any cache or the browser's history (`Cache-Control: no-store`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition, require_GET, require_http_methods

from sunlit.lib import exports
from sunlit.lib.errors import InvalidInput
from sunlit.lib.layout import LAYOUTS, Layout, not_found, public_page, render_public
from sunlit.regions import codes
from sunlit.regions import selectors as region_selectors
from sunlit.regions.models import Region
from sunlit.transparency.models import Entry
from sunlit.welfare import limits, selectors, services

URLS: dict[str, dict[str, str]] = {
    name: {
        "village": f"welfare:{prefix}village_lists",
        "list": f"welfare:{prefix}list",
        "check": f"welfare:{prefix}check",
        "section": f"welfare:{prefix}section",
        "township_section": f"welfare:{prefix}township_section",
    }
    for name, prefix in (("portal", ""), ("kiosk", "kiosk_"))
}


def _context(lay: Layout, **extra: Any) -> dict[str, Any]:
    return {"wf": URLS[lay.name], **extra}


# --- a village's published lists --------------------------------------------------------------


@require_GET
@public_page
def village(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = selectors.village(code)
    if region is None:
        return not_found(request, lay)
    return render_public(
        request,
        lay,
        "welfare/village.html",
        _context(
            lay,
            village=region,
            township=region.parent,
            lists=selectors.village_lists(code),
            back_url=reverse(lay.village, args=[code]),
        ),
    )


def _list_entry(code: str, programme: str, year: int) -> Any:
    if not _valid_code(code) or codes.level_of(code) != codes.VILLAGE:
        return None
    return selectors.published_list(code, programme, year)


def _valid_code(code: str) -> bool:
    try:
        codes.validate(code)
    except InvalidInput:
        return False
    return True


@require_GET
@public_page
def programme_list(request: HttpRequest, code: str, programme: str, year: int, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    entry = _list_entry(code, programme, year)
    if entry is None:
        return not_found(request, lay)
    snapshot = entry.snapshot
    return render_public(
        request,
        lay,
        "welfare/list.html",
        _context(
            lay,
            snapshot=snapshot,
            entry=entry,
            village_code=code,
            programme_code=programme,
            year=year,
            township=snapshot.get("township"),
            back_url=reverse(URLS[lay.name]["village"], args=[code]),
        ),
    )


@require_GET
@public_page
def list_download(request: HttpRequest, code: str, programme: str, year: int, fmt: str = "json") -> HttpResponse:
    entry = _list_entry(code, programme, year)
    if entry is None:
        return JsonResponse({"error": "not found"}, status=404)
    snapshot = entry.snapshot
    if fmt == "json":
        response: HttpResponse = HttpResponse(entry.snapshot_json, content_type="application/json; charset=utf-8")
    else:
        # Names reach this public file unmasked when the village shows them in full: through
        # the one writer, which neutralises a name such as =HYPERLINK(…).
        response = exports.response(
            fmt,
            [_("No."), _("Name"), _("Period"), _("Amount (yuan)"), _("Paid on")],
            [
                [row["no"], row["name"], p["period"], exports.Money(p["amount"]), p["paid_on"]]
                for row in snapshot["rows"]
                for p in row["payments"]
            ],
            filename=f"welfare-{code}-{programme}-{year}",
        )
    response["ETag"] = f'"{entry.snapshot_sha256[:40]}"'
    return response


# --- the poverty-alleviation section ---------------------------------------------------------


def _chart_options(section: selectors.Section) -> tuple[dict[str, Any], dict[str, Any]]:
    years = [str(y) for y in section.years]
    series = [
        {
            "name": name,
            "type": "bar",
            "stack": "amount",
            "data": [round(section.by_programme_year.get(code, {}).get(y, 0) / 100) for y in section.years],
        }
        for code, name in section.programmes
    ]
    amounts = {
        "tooltip": {"trigger": "axis"},
        "legend": {"type": "scroll", "top": 0},
        "grid": {"left": 60, "right": 20, "top": 50, "bottom": 30},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": _("yuan")},
        "series": series,
    }
    households = {
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 60, "right": 20, "top": 30, "bottom": 30},
        "xAxis": {"type": "category", "data": years},
        "yAxis": {"type": "value", "name": _("households")},
        "series": [
            {
                "name": _("Households helped"),
                "type": "line",
                "data": [section.households_by_year.get(y, 0) for y in section.years],
            }
        ],
    }
    return amounts, households


def _section(request: HttpRequest, lay: Layout, region: Region) -> HttpResponse:
    section = selectors.section(region)
    amounts, households = _chart_options(section)
    table = [
        {
            "code": code,
            "name": name,
            "years": [section.by_programme_year.get(code, {}).get(y, 0) for y in section.years],
            "total": sum(section.by_programme_year.get(code, {}).values()),
        }
        for code, name in section.programmes
    ]
    is_township = codes.level_of(region.code) == codes.TOWNSHIP
    return render_public(
        request,
        lay,
        "welfare/section.html",
        _context(
            lay,
            region=region,
            section=section,
            table=table,
            amounts_chart=amounts,
            households_chart=households,
            is_township=is_township,
            back_url=reverse(lay.township, args=[region.code]) if is_township else reverse(lay.home),
        ),
    )


def _section_etag(request: HttpRequest, *args: Any, layout: str = "portal", **kwargs: Any) -> str:
    """The section changes only when something is published (a list, a project): the
    newest entry of the publication log, with the language and layout, names the version
    a browser or proxy may revalidate with one cheap query."""

    newest = Entry.objects.aggregate(n=Max("id"))["n"] or 0
    where = "-".join(str(v) for v in (*args, *kwargs.values()))
    return f"welfare-section-{newest}-{layout}-{get_language()}-{where}"


@require_GET
@public_page
@condition(etag_func=_section_etag)
def section_page(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    tops = list(region_selectors.top_regions()[:1])
    if not tops:
        return not_found(request, lay)
    # The deployment's county: the top region, or the one county under a province/prefecture root.
    region = tops[0]
    county = Region.objects.filter(level=codes.COUNTY, code__startswith=region.prefix).order_by("code").first()
    return _section(request, lay, county or region)


@require_GET
@public_page
@condition(etag_func=_section_etag)
def township_section(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = Region.objects.filter(code=code, level=codes.TOWNSHIP).first()
    if region is None:
        return not_found(request, lay)
    return _section(request, lay, region)


# --- the self-check ------------------------------------------------------------------------


def _private(request: HttpRequest, lay: Layout, response: HttpResponse) -> HttpResponse:
    # An answer about one household must never sit in a cache or the back button.
    add_never_cache_headers(response)
    response["Cache-Control"] = "no-store, no-cache, must-revalidate, max-age=0, private"
    limits.give_device(request, response)
    if lay.name == "kiosk":
        limits.give_visit(request, response)
    return response


@require_http_methods(["GET", "POST"])
def check(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    """GET: the form. POST: the household's payments, or the one "nothing found" answer."""
    lay = LAYOUTS[layout]
    context = _context(lay, back_url=reverse(lay.home), kiosk=layout == "kiosk", error="", field="")
    if request.method == "GET":
        return _private(request, lay, render_public(request, lay, "welfare/check.html", context))
    ip, device = limits.ip_of(request), limits.device_of(request)
    kiosk = layout == "kiosk"
    # The place is taken before the lookup, so that concurrent misses cannot pass the limit;
    # a lookup that finds the household gives it back.
    taken = limits.take(
        ip=ip,
        device=device,
        visit=limits.visit_of(request),
        id_number=request.POST.get("id_number", "")[:40],
        kiosk=kiosk,
    )
    if taken is None:
        services.self_check_refused(reason="blocked", ip=ip, device=device, layout=layout)
        return _private(request, lay, render_public(request, lay, "welfare/check_wait.html", context, status=429))
    name = (request.POST.get("name") or "").strip()[:50]
    try:
        if not name:
            raise InvalidInput(_("Enter the name on the ID card."), field="name")
        result = services.self_check(
            id_number=request.POST.get("id_number", "")[:40], name=name, ip=ip, device=device, layout=layout
        )
    except InvalidInput as e:
        # A malformed number is the reader's or the typist's mistake, not a probe of the
        # register: say what is wrong (a checksum is public arithmetic) and count it.
        services.self_check_refused(reason="malformed", ip=ip, device=device, layout=layout)
        context.update(error=e.message, field=e.field or "", name=name)
        return _private(request, lay, render_public(request, lay, "welfare/check.html", context, status=200))
    if result is None:
        return _private(
            request, lay, render_public(request, lay, "welfare/check_result.html", {**context, "result": None})
        )
    limits.give_back(taken)
    return _private(
        request, lay, render_public(request, lay, "welfare/check_result.html", {**context, "result": result})
    )
