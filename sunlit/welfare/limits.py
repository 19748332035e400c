"""Rate limits of the self-check ("has my subsidy arrived?"), counted in the cache.

The pattern of sunlit/reports/limits.py (fixed one-hour windows in Django's cache, shared
by every web worker), with the welfare room's own keys and settings. Every lookup that
finds nothing counts: an honest villager who finds their household is not slowed down,
while a script trying numbers is stopped after a handful. A village kiosk is one IP and
one device, so the per-IP limit is the larger one.

    SUNLIT_WELFARE_CHECKS_PER_DEVICE  (default 10 misses an hour per device cookie)
    SUNLIT_WELFARE_CHECKS_PER_IP      (default 30 misses an hour per IP)
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from sunlit.lib.ratelimit import HourlyCounter

DEVICE_COOKIE = "sunlit_welfare_device"
_SALT = "sunlit.welfare.device"


def per_device() -> int:
    return int(settings.SUNLIT_WELFARE_CHECKS_PER_DEVICE)


def per_ip() -> int:
    return int(settings.SUNLIT_WELFARE_CHECKS_PER_IP)


def ip_of(request: HttpRequest) -> str:
    header = settings.SUNLIT_CLIENT_IP_HEADER
    return str(request.META.get(header) or request.META.get("REMOTE_ADDR") or "-")


def device_of(request: HttpRequest) -> str:
    raw = request.COOKIES.get(DEVICE_COOKIE, "")
    try:
        return str(signing.loads(raw, salt=_SALT)) if raw else ""
    except signing.BadSignature:
        return ""


def give_device(request: HttpRequest, response: HttpResponse) -> None:
    """A device cookie for a browser that has none (signed: it cannot be forged to dodge
    the per-device count, only dropped, and then the per-IP count still holds)."""
    if not device_of(request):
        response.set_cookie(
            DEVICE_COOKIE,
            signing.dumps(secrets.token_hex(16), salt=_SALT),
            max_age=365 * 86400,
            httponly=True,
            samesite="Lax",
            secure=bool(settings.SESSION_COOKIE_SECURE),
        )


_counter = HourlyCounter("welfare")


def blocked(ip: str, device: str) -> bool:
    return _counter.count("ip", ip) >= per_ip() or (bool(device) and _counter.count("dev", device) >= per_device())


def missed(ip: str, device: str) -> None:
    _counter.bump("ip", ip)
    if device:
        _counter.bump("dev", device)
