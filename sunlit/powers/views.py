"""The power list's pages: public (phone and kiosk layouts) and the back-office upload.

Thin: parse the URL, ask a selector or the service, render. The public views take
`layout` from the URL like the portal's, so the kiosk copy never links out of the kiosk.

The public pages read the list as published (see `publication`), never the working
rows: an edit after publication shows nowhere until it is published as a new version.

Township-specific items (特色清单) are listed only on the lists of that township and its
villages (/t/<code>/powers/, /v/<code>/powers/); the county-wide list /powers/ shows the
general items and links to the townships that have their own. Every item keeps its own
page, so a link or QR code to it always works.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import qrcode
import qrcode.image.svg
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.lib.errors import ApplicationError
from sunlit.lib.layout import LAYOUTS, Layout, not_found, public_page, render_public
from sunlit.portal import selectors as portal_selectors
from sunlit.powers import selectors
from sunlit.powers.forms import ListUploadForm
from sunlit.powers.models import PublishedVersion
from sunlit.powers.services import powers_load
from sunlit.regions import codes

# The URL names a page links to, per layout (kiosk names carry the kiosk_ prefix).
PAGES = ("list", "township", "village", "item", "version_item", "versions", "version", "diff")


def _names(layout: Layout) -> dict[str, str]:
    prefix = "kiosk_" if layout.name == "kiosk" else ""
    return {page: f"powers:{prefix}{page}" for page in PAGES}


def _render(request: HttpRequest, layout: Layout, template: str, context: dict[str, Any]) -> HttpResponse:
    return render_public(request, layout, template, {**context, "purls": _names(layout)})


def _list_page(
    request: HttpRequest, lay: Layout, *, region: Any = None, township: str | None = None, back_url: str
) -> HttpResponse:
    current = selectors.published_current()
    if current is None:
        return _render(request, lay, "powers/list.html", {"version": None, "back_url": back_url})
    items = selectors.items(current, township=township)
    return _render(
        request,
        lay,
        "powers/list.html",
        {
            "version": current,
            "groups": selectors.grouped(items),
            "count": len(items),
            "region": region,
            "township_code": township,
            # Only on the county-wide list: where to find each township's own items.
            "townships": selectors.townships_with_own_items(current) if region is None else [],
            "back_url": back_url,
        },
    )


@require_GET
@public_page
def power_list(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    return _list_page(request, lay, back_url=reverse(lay.home))


@require_GET
@public_page
def township_list(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = portal_selectors.township(code)
    if region is None:
        return not_found(request, lay)
    return _list_page(
        request, lay, region=region, township=region.code, back_url=reverse(lay.township, args=[region.code])
    )


@require_GET
@public_page
def village_list(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    region = selectors.village(code)
    if region is None:
        return not_found(request, lay)
    return _list_page(
        request,
        lay,
        region=region,
        township=codes.parent_code(region.code),
        back_url=reverse(lay.village, args=[region.code]),
    )


def _item_page(request: HttpRequest, lay: Layout, version: PublishedVersion | None, code: str) -> HttpResponse:
    found = selectors.item(version, code)
    if found is None:
        return not_found(request, lay)
    assert version is not None
    current = version if version.is_current else selectors.published_current()
    return _render(
        request,
        lay,
        "powers/item.html",
        {
            "item": found,
            "version": version,
            "current": current,
            "mermaid": selectors.flowchart_mermaid(found),
            "steps": selectors.step_rows(found),
            "back_url": reverse(_names(lay)["list"])
            if version.is_current
            else reverse(_names(lay)["version"], args=[version.number]),
        },
    )


@require_GET
@public_page
def item_detail(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    return _item_page(request, lay, selectors.published_current(), code)


@require_GET
@public_page
def version_item(request: HttpRequest, number: int, code: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    return _item_page(request, lay, selectors.published_version(number), code)


def _qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode()


@require_GET
@public_page
def item_print(request: HttpRequest, code: str) -> HttpResponse:
    """One A4 sheet per item for the village notice board, with a QR code to its page."""
    version = selectors.published_current()
    found = selectors.item(version, code)
    if found is None:
        return not_found(request, LAYOUTS["portal"])
    url = request.build_absolute_uri(reverse("powers:item", args=[found.code]))
    return render(
        request,
        "powers/print.html",
        {
            "item": found,
            "version": version,
            "mermaid": selectors.flowchart_mermaid(found),
            "steps": selectors.step_rows(found),
            "url": url,
            "qr": _qr_data_uri(url),
        },
    )


@require_GET
@public_page
def versions(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    rows = list(selectors.published_versions())
    # Each version beside the one before it, for the "what changed" link.
    pairs = [(v, rows[n + 1] if n + 1 < len(rows) else None) for n, v in enumerate(rows)]
    return _render(request, lay, "powers/versions.html", {"pairs": pairs, "back_url": reverse(_names(lay)["list"])})


@require_GET
@public_page
def version_detail(request: HttpRequest, number: int, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    found = selectors.published_version(number)
    if found is None:
        return not_found(request, lay)
    items = selectors.items(found, all_townships=True)
    previous = selectors.published_version(number - 1) if number > 1 else None
    return _render(
        request,
        lay,
        "powers/version.html",
        {
            "version": found,
            "groups": selectors.grouped(items),
            "count": len(items),
            "previous": previous,
            "back_url": reverse(_names(lay)["versions"]),
        },
    )


@require_GET
@public_page
def version_diff(request: HttpRequest, a: int, b: int, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    first, second = selectors.published_version(a), selectors.published_version(b)
    if first is None or second is None or a == b:
        return not_found(request, lay)
    return _render(
        request,
        lay,
        "powers/diff.html",
        {
            "diff": selectors.version_diff(first, second),
            "back_url": reverse(_names(lay)["versions"]),
        },
    )


@require_GET
@public_page
def version_source(request: HttpRequest, number: int) -> HttpResponse:
    """The file exactly as loaded: anyone can hash it and compare with the published
    SHA-256 (and it is served only while it matches)."""
    found = selectors.published_source(number)
    if found is None:
        raise Http404
    published, source = found
    response = HttpResponse(source.encode("utf-8"), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="powers-v{published.number}.yaml"'
    return response


# --- Back office ---------------------------------------------------------------------------

MAX_UPLOAD = 1024 * 1024  # a 28-item list is ~80 KB; a province's few hundred items fit


def _decoded(upload: Any) -> str:
    if upload.size > MAX_UPLOAD:
        raise ApplicationError(_("The file is larger than 1 MB"))
    data = upload.read()
    try:
        return str(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise ApplicationError(_("line %(line)d: the file is not UTF-8; save it as UTF-8") % {"line": line}) from None


@login_required
@require_http_methods(["GET", "POST"])
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not jurisdiction.prefixes(user, "powers.manage"):
        raise Http404
    form = ListUploadForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        before = selectors.current_version()
        try:
            text = _decoded(form.cleaned_data["file"])
            version = powers_load(source=text, label=form.cleaned_data["label"], by=user)
        except ApplicationError as e:
            problems = e.message.splitlines()
        else:
            if before is not None and version.pk == before.pk:
                messages.info(
                    request,
                    _("This file is already the current list (version %(number)d); nothing changed.")
                    % {"number": version.number},
                )
            else:
                messages.success(
                    request,
                    _("Loaded version %(number)d: %(count)d items.")
                    % {"number": version.number, "count": version.items.count()},
                )
            return redirect("powers:office")
    return render(
        request,
        "powers/office.html",
        {
            "form": form,
            "problems": problems,
            "versions": list(selectors.versions()),
        },
    )
