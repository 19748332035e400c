"""The villager's side, on the phone (portal) and the kiosk: file, keep the receipt,
follow up with it. No account, no session: the receipt travels in each POST (never in a
URL, which proxies and browser histories keep)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlit.audit.context import current_origin
from sunlit.audit.services import audit_record
from sunlit.lib.devices import KIOSK_VISIT, DeviceCookie, client_ip, kiosk_visit
from sunlit.lib.errors import InvalidInput
from sunlit.lib.layout import LAYOUTS, Layout, public_page, render_public
from sunlit.regions.models import Region
from sunlit.reports import limits, receipts, records, selectors, services
from sunlit.reports.models import Category, Channel, Finding, State

logger = logging.getLogger("sunlit.reports")
DEVICE_COOKIE = "sunlit_device"
URLS = {
    "portal": {"new": "reports:new", "follow": "reports:follow", "stats": "reports:stats"},
    "kiosk": {"new": "reports:kiosk_new", "follow": "reports:kiosk_follow", "stats": "reports:kiosk_stats"},
}


_ip = client_ip
_device_cookie = DeviceCookie(DEVICE_COOKIE, "sunlit.reports.device")
_MINTED = "_sunlit_reports_device"


def _device(request: HttpRequest) -> str:
    """This browser's device id. A browser that has none gets one now — the filing form's
    key is bound to it — and `_finish` hands it over with the response."""
    device = _device_cookie.of(request)
    if device:
        return device
    minted = HttpResponse()
    _device_cookie.give(request, minted)
    morsel = minted.cookies[DEVICE_COOKIE]
    request.COOKIES[DEVICE_COOKIE] = morsel.value
    setattr(request, _MINTED, morsel)
    return _device_cookie.of(request)


def _finish(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    # A receipt or a report must never sit in a shared cache or the browser's back button.
    add_never_cache_headers(response)
    response["Cache-Control"] += ", no-store"
    minted = getattr(request, _MINTED, None)
    if minted is not None:
        response.cookies[DEVICE_COOKIE] = minted
    else:
        _device_cookie.give(request, response)
    return response


def _render(
    request: HttpRequest, lay: Layout, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {"report_urls": URLS[lay.name], **context}
    response = _finish(request, render_public(request, lay, template, context, status=status))
    if lay.name == "kiosk":
        KIOSK_VISIT.give(request, response)
    return response


def _files(request: HttpRequest) -> list[tuple[str, bytes]]:
    limit = int(settings.SUNLIT_MAX_UPLOAD_MB) * 1024 * 1024
    out = []
    for f in request.FILES.getlist("files")[: services.MAX_FILES + 1]:
        if f.size and f.size > limit:
            raise InvalidInput(
                _("%(name)s is %(size).1f MB; the limit is %(limit).1f MB")
                % {"name": f.name, "size": f.size / 1048576, "limit": limit / 1048576},
                field="files",
            )
        out.append((f.name or "file", f.read()))
    return out


def _villages() -> list[Region]:
    return list(Region.objects.filter(level="village").select_related("parent").order_by("code"))


@require_http_methods(["GET", "POST"])
def new(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    data = request.POST if request.method == "POST" else request.GET
    device = _device(request)
    kind, ref = data.get("kind", ""), data.get("ref", "")
    error = ""
    record = None
    if kind or ref:
        try:
            record = records.resolve(kind, ref)
        except InvalidInput as e:
            error = e.message
    context: dict[str, Any] = {
        "record": record,
        "kind": kind,
        "ref": ref,
        "categories": Category.choices,
        "villages": _villages(),
        # Minted here, for this device; never read from the URL (issue #14: a key in a
        # link handed its receipt to whoever sent the link).
        "key": receipts.form_key(device),
        "values": data,
        "anonymous_default": layout == "kiosk",
        "exclusion_choices": selectors.exclusion_choices(record.subject_code) if record else [],
        "back_url": reverse(lay.home),
    }
    if request.method == "GET":
        return _render(request, lay, "reports/new.html", {**context, "error": error}, status=404 if error else 200)
    ip, sent_key = _ip(request), request.POST.get("key", "")
    try:
        if kind == "" and data.get("village"):
            kind, ref = "village", data.get("village", "")
        named = data.get("identity") == "named"
        if limits.filings_blocked(ip, device):
            logger.warning("reports: filing limit reached from %s", ip)
            raise InvalidInput(
                _(
                    "Too many reports were sent from this device in the last hour. "
                    "Please try again later, or call the township."
                ),
                field="limit",
            )
        filed = services.report_file(
            category=data.get("category", ""),
            record_kind=kind,
            record_ref=ref,
            text=data.get("text", ""),
            idempotency_key=sent_key,
            device=device,
            name=data.get("name", "") if named else "",
            phone=data.get("phone", "") if named else "",
            exclude=[int(x) for x in data.getlist("exclude") if x.isascii() and x.isdigit()],
            files=_files(request),
            channel=Channel.KIOSK if layout == "kiosk" else Channel.PORTAL,
        )
    except InvalidInput as e:
        status = 429 if e.field == "limit" else 400
        if e.field != "key" and receipts.key_bound(sent_key, device):
            # The words need fixing: the same form, so that sending it again stays one report.
            context["key"] = sent_key
        return _render(request, lay, "reports/new.html", {**context, "error": e.message}, status=status)
    if filed.created:
        limits.filed(ip, device)
    return _render(
        request,
        lay,
        "reports/receipt.html",
        {
            "receipt": receipts.grouped(filed.receipt),
            "receipt_raw": filed.receipt,
            "report": filed.report,
            "routing_note": selectors.routing_note(filed.report),
            "back_url": reverse(lay.home),
        },
    )


def _guess_failed(request: HttpRequest, ip: str, device: str, malformed: bool) -> None:
    # Its place under the limits stays taken (limits.take_guess).
    # Logged with the address (an attack signal), but kept out of the audit log's
    # report rows: a wrong receipt points at no report.
    logger.warning("reports: wrong receipt from %s (device %s, malformed=%s)", ip, device[:8] or "-", malformed)
    origin = current_origin.get()
    audit_record(
        action="report.receipt_failed",
        by=None,
        object_type="reports.receipt",
        detail={"malformed": malformed, "ip": origin.ip or ip},
    )


@require_http_methods(["GET", "POST"])
def follow(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    base = {"back_url": reverse(lay.home)}
    if request.method == "GET":
        return _render(request, lay, "reports/follow_form.html", base)
    ip, device = _ip(request), _device(request)
    taken = limits.take_guess(ip=ip, device=device, visit=kiosk_visit(request), kiosk=lay.name == "kiosk")
    if taken is None:
        logger.warning("reports: receipt look-ups blocked for %s", ip)
        return _render(
            request,
            lay,
            "reports/follow_form.html",
            {
                **base,
                "error": _(
                    "Too many wrong receipts were typed here. Wait an hour, or ask the township discipline office."
                ),
            },
            status=429,
        )
    receipt = receipts.normalise(request.POST.get("receipt", ""))
    report = services.report_lookup(receipt=receipt) if receipt else None
    if report is None:
        _guess_failed(request, ip, device, malformed=receipt is None)
        message = (
            _("A receipt has 16 digits. Check the slip and type it again.")
            if receipt is None
            else _("No report has this receipt. Check the digits and try again.")
        )
        return _render(request, lay, "reports/follow_form.html", {**base, "error": message}, status=404)
    assert receipt is not None
    limits.give_back(taken)
    notice, error = "", ""
    action = request.POST.get("action", "")
    try:
        if action == "message":
            services.report_reporter_message(
                report=report, body=request.POST.get("body", ""), files=_files(request), key=request.POST.get("key", "")
            )
            notice = _("Your message was sent.")
        elif action == "rate":
            rating = request.POST.get("rating", "")
            services.report_rate(
                report=report,
                rating=int(rating) if rating.isascii() and rating.isdigit() else 0,
                comment=request.POST.get("comment", ""),
            )
            notice = _("Thank you for rating the reply.")
        elif action == "confirm_phone":
            services.report_phone_confirm(report=report, code=request.POST.get("code", ""))
            notice = _("Your phone number is confirmed.")
        elif action == "resend_code":
            services.report_phone_resend(report=report)
            notice = _("A new code was sent.")
    except InvalidInput as e:
        error = e.message
    report.refresh_from_db()
    services.report_seen_by_reporter(report=report)
    return _render(
        request,
        lay,
        "reports/follow.html",
        {
            **base,
            "report": report,
            "receipt": receipt,
            "events": selectors.reporter_events(report),
            "routing_note": selectors.routing_note(report),
            "messages_": selectors.reporter_messages(report),
            "notice": notice,
            "error": error,
            # A fresh key for the next message, unless this one failed and is shown again.
            "message_key": request.POST.get("key", "") if error and action == "message" else receipts.new_key(),
            "can_rate": report.state in (State.REPLIED, State.NOT_ACCEPTED),
            "needs_phone": bool(report.reporter_phone) and not report.phone_confirmed,
            "files": report.files.filter(from_reporter=True).only("name", "size", "at"),
        },
        status=400 if error else 200,
    )


# --- Public figures --------------------------------------------------------------------


def _chart(stats: dict[str, Any]) -> dict[str, Any]:
    months = stats["months"]
    return {
        "tooltip": {"trigger": "axis"},
        "legend": {"data": [_("Received"), _("Accepted"), _("Concluded")]},
        "xAxis": {"type": "category", "data": [m["key"] for m in months]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": _("Received"), "type": "bar", "data": [m["received"] for m in months]},
            {"name": _("Accepted"), "type": "bar", "data": [m["accepted"] for m in months]},
            {"name": _("Concluded"), "type": "bar", "data": [m["concluded"] for m in months]},
        ],
    }


def _category_chart(stats: dict[str, Any]) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "item"},
        "series": [
            {
                "type": "pie",
                "radius": "60%",
                "data": [{"name": row["label"], "value": row["received"]} for row in stats["categories"]],
            }
        ],
    }


@require_GET
@public_page
def stats(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    figures = selectors.statistics()
    return render_public(
        request,
        lay,
        "reports/stats.html",
        {
            "stats": figures,
            "chart": _chart(figures),
            "category_chart": _category_chart(figures),
            "report_urls": URLS[lay.name],
            "back_url": reverse(lay.home),
            "findings": Finding.choices,
        },
    )


# --- Open311 GeoReport v2, read only ------------------------------------------------------


@require_GET
def open311_services(request: HttpRequest) -> JsonResponse:
    return JsonResponse(selectors.open311_services(), safe=False)


@require_GET
def open311_requests(request: HttpRequest) -> JsonResponse:
    return JsonResponse(
        selectors.open311_requests(
            service_code=request.GET.get("service_code", ""), status=request.GET.get("status", "")
        ),
        safe=False,
    )


@require_GET
def open311_request(request: HttpRequest, public_id: str) -> JsonResponse:
    status = selectors.open311_status(public_id)
    if status is None:
        return JsonResponse([{"code": 404, "description": "not found"}], safe=False, status=404)
    return JsonResponse([selectors.open311_request(status)], safe=False)
