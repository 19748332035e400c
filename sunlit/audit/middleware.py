from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from sunlit.audit.context import Origin, current_origin


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # REMOTE_ADDR only: behind nginx, set it from X-Real-IP there (docs/deploy.md),
        # never trust a header the client can forge.
        origin = Origin(
            ip=request.META.get("REMOTE_ADDR") or None,
            user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:300],
        )
        token = current_origin.set(origin)
        try:
            return self.get_response(request)
        finally:
            current_origin.reset(token)
