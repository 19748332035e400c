"""Telling one browser from another without an account: a random id in a signed cookie,
and the client's address. Used to count public lookups and filings per device and per IP.

The cookie is signed so that it cannot be forged to dodge a per-device count, only
dropped (and then the per-IP count still holds); it holds nothing about the person.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

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
                max_age=YEAR,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
