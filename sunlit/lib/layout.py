"""The public frame shared by every room's public pages: phone (portal) or kiosk layout.

A room's public view takes `layout` from its URL (`{"layout": "kiosk"}` for the kiosk
copy), renders with `render_public`, and answers a missing record with `not_found`.
Templates extend `{{ base_template }}` and build links with `urls` (the Layout) or the
`in_layout` filter — `{% url "transparency:entry"|in_layout:layout entry.pk %}` — so the
kiosk never links out of the kiosk. (This module is a template builtin: see settings.)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import template
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers

from sunlit.lib.rooms import KIOSK_NAME, PageLink

PUBLIC_MAX_AGE = 60


@dataclass(frozen=True)
class Layout:
    name: str
    base_template: str
    home: str
    township: str
    village: str

    def url_name(self, name: str) -> str:
        """A public page's URL name in this layout: "finance:month" → "finance:kiosk_month"."""
        if self.name != "kiosk":
            return name
        namespace, _, page = name.rpartition(":")
        return f"{namespace}:{KIOSK_NAME}{page}" if namespace else KIOSK_NAME + page

    def reverse(self, link: PageLink) -> str:
        return reverse(self.url_name(link.url_name), args=link.args)


LAYOUTS = {
    "portal": Layout("portal", "portal/base.html", "portal:home", "portal:township", "portal:village"),
    "kiosk": Layout("kiosk", "kiosk/base.html", "portal:kiosk_home", "portal:kiosk_township", "portal:kiosk_village"),
}


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Let browsers and proxies keep a found page for a minute.

    A minute is short enough that a new publication shows up while the villager is still
    standing at the kiosk, and long enough to absorb a rush of phones on market day.
    Pages vary by the language cookie, so caches must key on it.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            # A signed-in official's response carries a refreshed session cookie (sessions
            # slide on every request): no shared cache may keep that one.
            if settings.SESSION_COOKIE_NAME in request.COOKIES:
                patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
            else:
                patch_cache_control(response, public=True, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapper


def render_public(
    request: HttpRequest, layout: Layout, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    context = {
        **context,
        "layout": layout.name,
        "base_template": layout.base_template,
        "urls": layout,
    }
    return render(request, template, context, status=status)


def not_found(request: HttpRequest, layout: Layout) -> HttpResponse:
    # Rendered here rather than raised, so the friendly page keeps the layout (a kiosk's
    # Home button) and shows in DEBUG too.
    return render_public(request, layout, "portal/not_found.html", {"back_url": reverse(layout.home)}, status=404)


register = template.Library()


@register.filter
def in_layout(url_name: str, layout: str) -> str:
    """A public page's URL name in the page's layout: "finance:month" → "finance:kiosk_month"."""
    return LAYOUTS.get(layout, LAYOUTS["portal"]).url_name(url_name)
