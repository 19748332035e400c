"""Public pages for villagers: one set of views, drawn in the phone or the kiosk layout.

The URLs pass `layout`; the view picks the base template and the URL names its links use,
so the kiosk never links out of the kiosk (a touch screen has no address bar to escape by).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from sunlit.lib.devices import ends_kiosk_visit
from sunlit.lib.layout import LAYOUTS, not_found, public_page, render_public
from sunlit.portal import selectors


@require_GET
@public_page
def home(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    return render_public(request, lay, "portal/home.html", {"areas": selectors.home_areas()})


@require_GET
@public_page
def township(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = selectors.township(code)
    if region is None:
        return not_found(request, lay)
    return render_public(
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
        return not_found(request, lay)
    township = page.township
    back_url = reverse(lay.township, args=[township.code]) if township else reverse(lay.home)
    # Each published record opens its readable page, in this layout.
    entries = [(item, lay.reverse(item.page) if item.page else "") for item in page.entries]
    return render_public(request, lay, "portal/village.html", {"page": page, "entries": entries, "back_url": back_url})


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """handler404 for the whole site: the same friendly page, in the kiosk frame under
    /kiosk/ so a villager at the screen still has Home and Back."""
    kiosk = request.path.startswith("/kiosk/")
    return not_found(request, LAYOUTS["kiosk" if kiosk else "portal"])


# Choosing a language only sets a preference cookie, so a forged request can do no harm;
# without the CSRF token the public pages carry no per-visitor cookie and stay cacheable.
# The kiosk's idle reset posts here with end_visit=1: the next villager's misses are counted
# afresh (sunlit/lib/devices.py).
language = csrf_exempt(require_POST(ends_kiosk_visit(set_language)))
