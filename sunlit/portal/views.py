"""Public pages for villagers: one set of views, drawn in the phone or the kiosk layout.

The URLs pass `layout`; the view picks the base template and the URL names its links use,
so the kiosk never links out of the kiosk (a touch screen has no address bar to escape by).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from sunlit.portal import selectors

PUBLIC_MAX_AGE = 60


@dataclass(frozen=True)
class Layout:
    name: str
    base_template: str
    home: str
    township: str
    village: str


LAYOUTS = {
    "portal": Layout("portal", "portal/base.html", "portal:home", "portal:township", "portal:village"),
    "kiosk": Layout(
        "kiosk", "kiosk/base.html", "portal:kiosk_home", "portal:kiosk_township", "portal:kiosk_village"
    ),
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
            shared = settings.SESSION_COOKIE_NAME not in request.COOKIES
            patch_cache_control(response, public=shared, private=not shared, max_age=PUBLIC_MAX_AGE)
            patch_vary_headers(response, ("Cookie", "Accept-Language"))
        return response

    return wrapper


def _render(request: HttpRequest, layout: Layout, template: str, context: dict[str, Any],
            status: int = 200) -> HttpResponse:
    context = {
        **context,
        "layout": layout.name,
        "base_template": layout.base_template,
        "urls": layout,
    }
    return render(request, template, context, status=status)


def _not_found(request: HttpRequest, layout: Layout) -> HttpResponse:
    # Rendered here rather than raised, so the friendly page keeps the layout (a kiosk's
    # Home button) and shows in DEBUG too.
    return _render(request, layout, "portal/not_found.html", {"back_url": reverse(layout.home)},
                   status=404)


@require_GET
@public_page
def home(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    return _render(request, lay, "portal/home.html", {"areas": selectors.home_areas()})


@require_GET
@public_page
def township(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = selectors.township(code)
    if region is None:
        return _not_found(request, lay)
    return _render(
        request,
        lay,
        "portal/township.html",
        {"township": region, "villages": selectors.villages_of(region), "back_url": reverse(lay.home)},
    )


@require_GET
@public_page
def village(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    page = selectors.village_page(code)
    if page is None:
        return _not_found(request, lay)
    township = page.township
    back_url = reverse(lay.township, args=[township.code]) if township else reverse(lay.home)
    return _render(request, lay, "portal/village.html", {"page": page, "back_url": back_url})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 for the whole site: the same friendly page, in the kiosk frame under
    /kiosk/ so a villager at the screen still has Home and Back."""
    kiosk = request.path.startswith("/kiosk/")
    return _not_found(request, LAYOUTS["kiosk" if kiosk else "portal"])


# Choosing a language only sets a preference cookie, so a forged request can do no harm;
# without the CSRF token the public pages carry no per-visitor cookie and stay cacheable.
language = csrf_exempt(require_POST(set_language))
