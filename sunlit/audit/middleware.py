from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from sunlit.audit.context import Origin, current_origin


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR unless a proxy we run sets a header (docs/deploy.md): never a
        # header the client itself could forge.
        origin = Origin(
            ip=request.META.get(settings.SUNLIT_CLIENT_IP_HEADER) or None,
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
