"""Public pages of village projects, in the phone (portal) and kiosk layouts, and the
OCDS downloads. Everything here reads PublishedProject and published snapshots only."""

from __future__ import annotations

import json
from typing import Any

from csp.constants import SELF
from csp.decorators import csp_replace
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse
from django.utils.cache import patch_cache_control
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from sunlit.lib.layout import LAYOUTS, Layout, not_found, public_page, render_public
from sunlit.projects import ocds, selectors
from sunlit.projects.models import BidStatus, Category, ContractorKind, DocumentKind, FundingKind, Method, Status
from sunlit.regions import codes

URLS: dict[str, dict[str, str]] = {
    name: {
        "village": f"projects:{prefix}village",
        "township": f"projects:{prefix}township",
        "project": f"projects:{prefix}project",
        "document": f"projects:{prefix}document",
        "case": "cases:kiosk_public_case" if name == "kiosk" else "cases:public_case",
    }
    for name, prefix in (("portal", ""), ("kiosk", "kiosk_"))
}
LABELS = {
    "status": dict(Status.choices),
    "category": dict(Category.choices),
    "source": dict(FundingKind.choices),
    "method": dict(Method.choices),
    "document": dict(DocumentKind.choices),
    "bid": dict(BidStatus.choices),
}


def _page(request: HttpRequest) -> int:
    try:
        return max(1, min(10_000, int(request.GET.get("page", "1"))))
    except ValueError:
        return 1


def _percent(part: int, whole: int | None) -> int:
    return min(100, round(100 * part / whole)) if whole else 0


def _list(request: HttpRequest, lay: Layout, *, village_code: str = "", township_code: str = "") -> HttpResponse:
    level = codes.VILLAGE if village_code else codes.TOWNSHIP
    area = selectors.region(village_code or township_code, level)
    if area is None:
        return not_found(request, lay)
    filters = selectors.Filters.parse(request.GET)
    page = selectors.published_list(
        village_code=village_code, township_code=township_code, filters=filters, page=_page(request)
    )
    rows = [
        {
            "row": r,
            "paid_percent": r.paid_percent,
            "status": LABELS["status"].get(r.status, r.status),
            "category": LABELS["category"].get(r.category, r.category),
        }
        for r in page.rows
    ]
    back = reverse(lay.village if village_code else lay.township, args=[area.code])
    return render_public(
        request,
        lay,
        "projects/list.html",
        {
            "area": area,
            "is_village": bool(village_code),
            "township": area.parent if village_code else area,
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": filters.query(),
            "back_url": back,
            "pj": URLS[lay.name],
            "choices": {"status": Status.choices, "source": FundingKind.choices, "category": Category.choices},
            "pages": range(1, page.pages + 1) if page.pages > 1 else [],
        },
    )


@require_GET
@public_page
def village(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    return _list(request, LAYOUTS[layout], village_code=code)


@require_GET
@public_page
def township(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    return _list(request, LAYOUTS[layout], township_code=code)


def _timeline(lay: Layout, s: dict[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = []
    tender = s.get("tender") or {}
    if tender.get("notice_on"):
        events.append(
            {
                "date": tender["notice_on"],
                "kind": "tender",
                "text": LABELS["method"].get(tender["method"], tender["method"]),
            }
        )
    contract = s.get("contract") or {}
    if contract:
        events.append(
            {
                "date": contract["signed_on"],
                "kind": "contract",
                "amount": contract["value"],
                "text": contract["contractor"],
            }
        )
        for a in contract["amendments"]:
            events.append(
                {"date": a["signed_on"], "kind": "amendment", "amount": a["value_change"], "text": a["reason"]}
            )
    for m in s["milestones"]:
        events.append(
            {
                "date": m["date"],
                "kind": "milestone",
                "progress": m["progress"],
                "text": m["title"],
                "photos": m["photos"],
            }
        )
    for p in s["payments"]:
        events.append(
            {
                "date": p["date"],
                "kind": "payment",
                "amount": p["amount"],
                "text": p["note"],
                "voucher": p["voucher"],
                "voucher_url": _voucher_url(lay, s["village"]["code"], p["voucher"]),
                "over_contract": p["over_contract"],
                "before_acceptance": p["before_acceptance"],
            }
        )
    acceptance = s.get("acceptance") or {}
    if acceptance:
        events.append({"date": acceptance["on"], "kind": "acceptance", "text": "、".join(acceptance["inspectors"])})
    order = {"tender": 0, "contract": 1, "amendment": 2, "milestone": 3, "acceptance": 4, "payment": 5}
    return sorted(events, key=lambda e: (e["date"], order[e["kind"]]))


def _voucher_url(lay: Layout, village_code: str, voucher: dict[str, Any] | None) -> str:
    """The published finance month that shows the voucher that paid it."""
    if not voucher or not voucher.get("period"):
        return ""
    name = "finance:kiosk_month" if lay.name == "kiosk" else "finance:month"
    try:
        return reverse(name, args=[village_code, voucher["period"]])
    except NoReverseMatch:
        return ""


@require_GET
@public_page
def project(request: HttpRequest, number: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    found = selectors.published_project(number)
    if found is None:
        return not_found(request, lay)
    row, entry = found
    s = entry.snapshot
    contract = s.get("contract") or {}
    base = contract.get("current_value") or s["budget"]
    docs = {d["sha256"]: d for d in s["documents"]}
    report = ((s.get("acceptance") or {}).get("report") or {}).get("sha256", "")
    case = s.get("case")
    case_url = ""
    if case:
        try:
            case_url = reverse(URLS[lay.name]["case"], args=[case["number"]])
        except NoReverseMatch:
            case_url = ""
    tender = s.get("tender")
    return render_public(
        request,
        lay,
        "projects/project.html",
        {
            "s": s,
            "row": row,
            "entry": entry,
            "pj": URLS[lay.name],
            "labels": LABELS,
            "village": {"code": s["village"]["code"], "name": s["village"]["name"]},
            "township": s.get("township"),
            "paid_percent": _percent(s["paid"], base),
            "built_percent": s["progress"],
            "budget_percent": _percent(contract["current_value"], s["budget"]) if contract else 0,
            "overpaid": bool(contract) and s["paid"] > contract["current_value"],
            "timeline": _timeline(lay, s),
            "report": docs.get(report),
            "case": case,
            "case_url": case_url,
            "tender": tender,
            "contract": contract,
            "individual": contract.get("contractor_kind") == ContractorKind.INDIVIDUAL,
            "documents": [d for d in s["documents"] if d["kind"] != DocumentKind.PHOTO and d["sha256"] != report],
            "photos": [d for d in s["documents"] if d["kind"] == DocumentKind.PHOTO],
            "funding": [
                {"label": LABELS["source"].get(f["source"], f["source"]), "amount": f["amount"]} for f in s["funding"]
            ],
            "back_url": reverse(URLS[lay.name]["village"], args=[s["village"]["code"]]),
            "ocds_url": reverse("projects:project_ocds", args=[number]),
        },
    )


@require_GET
@public_page
def document(request: HttpRequest, number: str, sha256: str, layout: str = "portal") -> HttpResponse:
    """A document in the page's frame: an image shown, a PDF embedded (the kiosk keeps its
    Home and Back buttons around it)."""
    lay = LAYOUTS[layout]
    found = selectors.published_document(number, sha256)
    if found is None:
        return not_found(request, lay)
    listed, _stored, entry = found
    s = entry.snapshot
    return render_public(
        request,
        lay,
        "projects/document.html",
        {
            "s": s,
            "doc": listed,
            "kind": LABELS["document"].get(listed["kind"], listed["kind"]),
            "pj": URLS[lay.name],
            "number": number,
            "is_pdf": listed["type"] == "application/pdf",
            # The report carries the day of the acceptance; other documents the day they came.
            "day": (s.get("acceptance") or {}).get("on") if listed["kind"] == DocumentKind.ACCEPTANCE else listed["on"],
            "back_url": reverse(URLS[lay.name]["project"], args=[number]),
            "village": s["village"],
            "township": s.get("township"),
        },
    )


@require_GET
@xframe_options_sameorigin
# The kiosk shows a PDF report inside its own frame: framing by the same origin only.
@csp_replace({"frame-ancestors": [SELF]})  # type: ignore[arg-type]
def document_file(request: HttpRequest, number: str, sha256: str, thumb: bool = False) -> FileResponse:
    """The bytes of a document the project's published snapshot names: nothing else."""
    found = selectors.published_document(number, sha256)
    if found is None:
        raise Http404
    listed, stored, _entry = found
    field = stored.thumbnail if thumb else stored.file
    if not field:
        raise Http404
    response = FileResponse(field.open("rb"), content_type="image/jpeg" if thumb else listed["type"])
    response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=365 * 24 * 3600, immutable=True)
    return response


# --- OCDS ---------------------------------------------------------------------------------


def _json(data: dict[str, Any], filename: str) -> HttpResponse:
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    patch_cache_control(response, public=True, max_age=60)
    return response


@require_GET
def project_ocds(request: HttpRequest, number: str) -> HttpResponse:
    found = selectors.published_project(number)
    if found is None:
        raise Http404
    _row, entry = found
    return _json(ocds.release(entry, base_url=request.build_absolute_uri("/")), f"ocds-{number}.json")


@require_GET
def township_ocds(request: HttpRequest, code: str) -> HttpResponse:
    area = selectors.region(code, codes.TOWNSHIP)
    if area is None:
        raise Http404
    entries = selectors.ocds_entries(code)
    uri = request.build_absolute_uri()
    return _json(ocds.package(entries, uri=uri, base_url=request.build_absolute_uri("/")), f"ocds-{code}.json")
