"""The request type of the back office's views."""

from __future__ import annotations

from django.http import HttpRequest

from sunlit.accounts.models import User


class AuthenticatedHttpRequest(HttpRequest):
    """A request that reached a view through @login_required: its user is a signed-in User,
    so services get `by=request.user` with its type known (no casts)."""

    user: User
