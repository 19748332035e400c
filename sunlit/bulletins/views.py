"""Bulletins: the office's form, and the public pages (read from the publication log)."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from sunlit.accounts import jurisdiction
from sunlit.accounts.http import AuthenticatedHttpRequest
from sunlit.bulletins import markdown, services
from sunlit.bulletins.models import Attachment, Kind, PublishedAttachment
from sunlit.lib.errors import ApplicationError
from sunlit.lib.layout import LAYOUTS, not_found, public_page, render_public
from sunlit.regions.models import Region
from sunlit.transparency import selectors as tsel
from sunlit.transparency.models import Entry

logger = logging.getLogger("sunlit.bulletins")
URLS = {
    "portal": {"list": "bulletins:list", "detail": "bulletins:detail"},
    "kiosk": {"list": "bulletins:kiosk_list", "detail": "bulletins:kiosk_detail"},
}


@require_GET
@public_page
def bulletin_list(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    kind = request.GET.get("kind", "")
    # Every region's bulletins, newest first: a county's policy and a township's case
    # both concern the villager reading here.
    entries = Entry.objects.filter(kind=services.KIND, superseded_by__isnull=True).order_by("-id")[:100]
    items = [e.snapshot for e in entries if not kind or e.snapshot.get("kind") == kind]
    return render_public(
        request,
        lay,
        "bulletins/list.html",
        {
            "items": items,
            "kinds": Kind.choices,
            "kind": kind,
            "bulletin_urls": URLS[lay.name],
            "back_url": reverse(lay.home),
        },
    )


@require_GET
@public_page
def bulletin_detail(request: HttpRequest, number: str, layout: str = "portal") -> HttpResponse:
    lay = LAYOUTS[layout]
    entry = tsel.current(services.KIND, number)
    if entry is None:
        return not_found(request, lay)
    snap = entry.snapshot
    return render_public(
        request,
        lay,
        "bulletins/detail.html",
        {
            "b": snap,
            "entry": entry,
            "body": markdown.render(snap["body_markdown"]),
            "bulletin_urls": URLS[lay.name],
            "kind_label": dict(Kind.choices).get(snap["kind"], ""),
            "back_url": reverse(URLS[lay.name]["list"]),
        },
    )


@require_GET
@public_page
def attachment(request: HttpRequest, sha256: str) -> HttpResponse:
    """A file named in a bulletin's current published snapshot, by its hash: the bytes are
    stored once, in the working table, and served only while they hash to it."""
    published = PublishedAttachment.objects.filter(sha256=sha256).order_by("id").first()
    stored = Attachment.objects.filter(sha256=sha256).only("content", "content_type").first() if published else None
    if published is None or stored is None:
        raise Http404(_("Not found"))
    data = bytes(stored.content)
    if hashlib.sha256(data).hexdigest() != published.sha256:
        logger.error("bulletin attachment %s does not match its published hash", published.sha256)
        raise Http404(_("Not found"))
    # The type as published (the first snapshots did not carry it: then the stored one).
    content_type = published.content_type or stored.content_type
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(False, published.name) or "inline"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def office(request: AuthenticatedHttpRequest) -> HttpResponse:
    prefixes = jurisdiction.prefixes(request.user, "bulletin.publish")
    if not prefixes:
        raise Http404(_("Not found"))
    regions = [
        r
        for r in Region.objects.exclude(level="village").order_by("code")
        if any(r.code.startswith(p) for p in prefixes)
    ]
    error = ""
    if request.method == "POST":
        try:
            bulletin = services.bulletin_publish(
                kind=request.POST.get("kind", ""),
                title=request.POST.get("title", ""),
                body=request.POST.get("body", ""),
                region_code=request.POST.get("region", ""),
                files=[(f.name or "file", f.read()) for f in request.FILES.getlist("files")[:5]],
                by=request.user,
            )
        except ApplicationError as e:
            error = e.message
        else:
            return redirect("bulletins:detail", number=bulletin.number)
    return render(
        request,
        "bulletins/office.html",
        {"regions": regions, "kinds": Kind.choices, "error": error, "values": request.POST},
        status=400 if error else 200,
    )
