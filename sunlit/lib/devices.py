"""Telling one browser from another without an account: a random id in a signed cookie,
and the client's address. Used to count public lookups and filings per device and per IP.

The cookie is signed so that it cannot be forged to dodge a per-device count, only
dropped (and then the per-IP count still holds); it holds nothing about the person.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

YEAR = 365 * 86400


def client_ip(request: HttpRequest) -> str:
    """The client's address, from the header a trusted proxy sets (SUNLIT_CLIENT_IP_HEADER)."""
    return str(request.META.get(settings.SUNLIT_CLIENT_IP_HEADER) or request.META.get("REMOTE_ADDR") or "-")


@dataclass(frozen=True)
class DeviceCookie:
    name: str
    salt: str
    max_age: int | None = YEAR  # None: gone when the browser closes

    def of(self, request: HttpRequest) -> str:
        """This browser's id, or "" when it has none (or a forged one)."""
        raw = request.COOKIES.get(self.name, "")
        try:
            return str(signing.loads(raw, salt=self.salt)) if raw else ""
        except signing.BadSignature:
            return ""

    def give(self, request: HttpRequest, response: HttpResponse) -> None:
        """An id for a browser that has none."""
        if not self.of(request):
            response.set_cookie(
                self.name,
                signing.dumps(secrets.token_hex(16), salt=self.salt),
                max_age=self.max_age,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )


# A kiosk is one device and one address for a whole village, so on a kiosk the per-device
# count would be everyone's. It counts per *visit* instead: a session cookie that the
# kiosk's idle reset (kiosk/base.html, kiosk.js) drops, so the next villager starts fresh.
KIOSK_VISIT = DeviceCookie("sunlit_kiosk_visit", "sunlit.kiosk.visit", max_age=None)


def kiosk_visit(request: HttpRequest) -> str:
    """This kiosk visit's id; without one, the address's one shared cookieless bucket."""
    return KIOSK_VISIT.of(request) or f"no-visit:{client_ip(request)}"


def ends_kiosk_visit(view: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """A view that ends the kiosk visit when posted `end_visit=1` (the idle reset)."""

    @wraps(view)
    def wrapped(request: HttpRequest) -> HttpResponse:
        response = view(request)
        if request.method == "POST" and request.POST.get("end_visit") == "1":
            response.delete_cookie(KIOSK_VISIT.name, samesite="Lax")
        return response

    return wrapped
