"""Public case pages, phone and kiosk: read only from the publication log.

Nothing here touches the Case table: a villager sees exactly what was published (and
every earlier version of it), never the working state or a field that was not meant
for the public.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_GET

from sunlit.cases.services import KIND
from sunlit.lib.layout import LAYOUTS, Layout, not_found, public_page, render_public
from sunlit.portal import selectors as portal_selectors
from sunlit.transparency import selectors as tsel

PAGE_SIZE = 30
# Each layout's names for the case pages, so the kiosk never links out of the kiosk.
URLS = {
    "portal": {"village_cases": "cases:village_cases", "case": "cases:public_case", "follow": "cases:follow"},
    "kiosk": {
        "village_cases": "cases:kiosk_village_cases",
        "case": "cases:kiosk_public_case",
        "follow": "cases:kiosk_follow",
    },
}
_DASHES = re.compile(r"[\s\u2010-\u2015\u2212\uff0d_/]+")
_NUMBER = re.compile(r"^([0-9]{12})-?([0-9]{4})-?([0-9]{4,})$")


def normalise_number(text: str) -> str:
    """What a villager types → a case number: full-width digits, other dashes, spaces and
    missing dashes are all forgiven ("４３１３８２…", "431382101201 2026 0007")."""
    typed = unicodedata.normalize("NFKC", text or "").strip()
    match = _NUMBER.match(_DASHES.sub("-", typed).strip("-"))
    return f"{match[1]}-{match[2]}-{match[3]}" if match else typed


def _context(lay: Layout, **extra: Any) -> dict[str, Any]:
    return {"case_urls": URLS[lay.name], **extra}


@require_GET
@public_page
def village_cases(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    page = portal_selectors.village_page(code)
    if page is None:
        return not_found(request, lay)

    try:
        number = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        number = 1
    start = (number - 1) * PAGE_SIZE
    entries = list(tsel.current_for_chain(code, kind=KIND)[start : start + PAGE_SIZE + 1])
    return render_public(
        request,
        lay,
        "cases/public_village.html",
        _context(
            lay,
            page=page,
            cases=[e.snapshot for e in entries[:PAGE_SIZE]],
            number=number,
            has_next=len(entries) > PAGE_SIZE,
            back_url=reverse(lay.village, args=[code]),
        ),
    )


@require_GET
@public_page
def case_page(request: HttpRequest, number: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]

    entry = tsel.current(KIND, normalise_number(number))
    if entry is None:
        return not_found(request, lay)
    versions = list(tsel.history(KIND, entry.ref))
    snapshot = entry.snapshot
    return render_public(
        request,
        lay,
        "cases/public_case.html",
        _context(
            lay,
            entry=entry,
            case=snapshot,
            versions=versions,
            back_url=reverse(URLS[lay.name]["village_cases"], args=[snapshot["village"]]),
        ),
    )


@require_GET
@public_page
def follow(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    """ "Follow your application": type the case number, see its page. No login."""
    lay = LAYOUTS[layout]
    typed = (request.GET.get("number") or "").strip()[:60]
    context = _context(lay, typed=typed, back_url=reverse(lay.home))
    if not typed:
        return render_public(request, lay, "cases/follow.html", context)

    number = normalise_number(typed)
    if tsel.current(KIND, number) is not None:
        return redirect(URLS[lay.name]["case"], number=number)
    # 404, so no cache keeps "not found" for a case published a moment later.
    return render_public(request, lay, "cases/follow.html", {**context, "not_found": True}, status=404)
