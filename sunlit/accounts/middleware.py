"""Gates in front of the back office: a changed password, then a second factor."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from sunlit.accounts.services import otp_required

# Only the back office is gated: the portal stays public to everyone, logged in or not.
GATED_PREFIXES = ("/office/",)


class SecondFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and request.path.startswith(GATED_PREFIXES):
            # Every account whose password was handed over must change it, in every mode (the
            # demo's own accounts are created without the flag).
            if user.must_change_password:
                return redirect("accounts:password_change")
            if otp_required(user) and not user.is_verified():  # type: ignore[attr-defined]  # django-otp adds it
                return redirect("accounts:otp_verify")
        return self.get_response(request)
