"""Public pages and JSON of the publication log: anonymous, cacheable, no JavaScript.

Cache validators: an entry's hash (plus the two facts about it that can still change:
which root covers it and which entry corrected it) and a root's hash. HTML pages also
vary by language, so the language is part of their ETag.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.core.paginator import Paginator
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
)
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.http import parse_etags, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from sunlit.lib.layout import LAYOUTS, render_public
from sunlit.regions.models import Region
from sunlit.transparency import labels, selectors
from sunlit.transparency.canonical import sha256_hex, timestamp
from sunlit.transparency.models import Entry, SignedRoot

PAGE_SIZE = 50
# Lists and pages that gain rows; a root never changes once signed.
LIST_MAX_AGE = 60
ENTRY_MAX_AGE = 300
ROOT_MAX_AGE = 24 * 3600
_HASH = re.compile(r"^[0-9a-fA-F]{64}$")


def _cached(
    request: HttpRequest, *, etag: str, max_age: int, html: bool, build: Callable[[], HttpResponse]
) -> HttpResponse:
    """Answer 304 if the client holds `etag`; otherwise build the response. Both are public."""
    if html:
        etag = f"{etag}.{get_language()}"
    tag = quote_etag(etag)
    response = HttpResponseNotModified() if tag in parse_etags(request.headers.get("If-None-Match", "")) else build()
    response["ETag"] = tag
    patch_cache_control(response, public=True, max_age=max_age)
    if html:
        patch_vary_headers(response, ("Cookie", "Accept-Language"))
    return response


def _json(data: dict[str, Any]) -> JsonResponse:
    # Chinese as is: the snapshot text must read the same here as in the hash input.
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False, "indent": 1})


def _root_dict(root: SignedRoot) -> dict[str, Any]:
    return {
        "batch": root.batch,
        "first_entry_id": root.first_entry_id,
        "last_entry_id": root.last_entry_id,
        "tree_size": root.tree_size,
        "root_hash": root.root_hash,
        "prev_root_hash": root.prev_root_hash,
        "signed_at": timestamp(root.signed_at),
        "key_fingerprint": root.key_fingerprint,
        "signature": root.signature,
        # The exact text that was signed, and its hash (which the next root links to).
        "statement": root.statement(),
        "statement_sha256": root.statement_hash,
        "url": reverse("transparency:root_json", args=[root.batch]),
    }


def _snapshot_rows(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested data as flat (key, value) rows: a villager reads a table, not braces."""
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key in sorted(value):
            rows += _snapshot_rows(value[key], f"{prefix}.{key}" if prefix else key)
        return rows or [(prefix, "")]
    if isinstance(value, list):
        rows = []
        for index, item in enumerate(value, start=1):
            rows += _snapshot_rows(item, f"{prefix}[{index}]")
        return rows or [(prefix, "")]
    return [(prefix, value)]


def _entry_or_404(entry_id: int) -> Entry:
    entry = selectors.entry_detail(entry_id)
    if entry is None:
        raise Http404(_("There is no published entry #%(id)d") % {"id": entry_id})
    return entry


def _entry_etag(entry: Entry, root: SignedRoot | None) -> str:
    corrected = getattr(entry, "superseded_by", None)
    return f"{entry.entry_hash}.{root.batch if root else 0}.{corrected.pk if corrected else 0}"


@require_safe
def index(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    roots = selectors.latest_roots(5)
    key = selectors.public_key()
    etag = f"index.{roots[0].root_hash if roots else 0}.{key.fingerprint if key else 0}"
    return _cached(
        request,
        etag=etag,
        max_age=LIST_MAX_AGE,
        html=True,
        build=lambda: render_public(
            request, LAYOUTS[layout], "transparency/index.html", {"roots": roots, "public_key": key}
        ),
    )


@require_safe
def lookup(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    """The index page's form: an entry number or an entry hash leads to its page."""
    q = request.GET.get("q", "").strip().lstrip("#")
    entry: Entry | None = None
    if q.isascii() and q.isdigit() and len(q) < 19:
        entry = Entry.objects.filter(pk=int(q)).only("pk").first()
    elif _HASH.match(q):
        entry = selectors.entry_by_hash(q)
    if entry is not None:
        return redirect(LAYOUTS[layout].url_name("transparency:entry"), entry.pk)
    well_formed = bool(q) and (q.isdigit() or bool(_HASH.match(q)))
    error = (
        _("No published entry has the number or hash %(q)s.") % {"q": q}
        if well_formed
        else _("Type an entry number (like 1024) or a 64-character entry hash.")
    )
    context = {"roots": selectors.latest_roots(5), "public_key": selectors.public_key(), "q": q, "error": error}
    return render_public(
        request, LAYOUTS[layout], "transparency/index.html", context, status=404 if well_formed else 400
    )


@require_safe
def public_key_pem(request: HttpRequest) -> HttpResponse:
    key = selectors.public_key()
    if key is None:
        raise Http404(_("No root has been signed yet, so there is no key to show."))
    return _cached(
        request,
        etag=key.fingerprint,
        max_age=ROOT_MAX_AGE,
        html=False,
        build=lambda: HttpResponse(key.pem, content_type="application/x-pem-file"),
    )


def _roots_page(request: HttpRequest) -> Any:
    paginator = Paginator(SignedRoot.objects.order_by("-batch"), PAGE_SIZE)
    return paginator.get_page(request.GET.get("page"))


@require_safe
def roots(request: HttpRequest, layout: str = "portal") -> HttpResponse:
    page = _roots_page(request)
    etag = f"roots.{page.number}.{page.object_list[0].root_hash if page.object_list else 0}"
    return _cached(
        request,
        etag=etag,
        max_age=LIST_MAX_AGE,
        html=True,
        build=lambda: render_public(
            request, LAYOUTS[layout], "transparency/roots.html", {"page": page, "public_key": selectors.public_key()}
        ),
    )


@require_safe
def roots_json(request: HttpRequest) -> HttpResponse:
    page = _roots_page(request)
    key = selectors.public_key()

    def build() -> HttpResponse:
        url = reverse("transparency:roots_json")
        return _json(
            {
                "public_key_pem": key.pem if key else None,
                "key_fingerprint": key.fingerprint if key else None,
                "page": page.number,
                "pages": page.paginator.num_pages,
                "next": f"{url}?page={page.next_page_number()}" if page.has_next() else None,
                "roots": [_root_dict(r) for r in page.object_list],
            }
        )

    etag = f"roots.{page.number}.{page.object_list[0].root_hash if page.object_list else 0}"
    return _cached(request, etag=etag, max_age=LIST_MAX_AGE, html=False, build=build)


@require_safe
def root_json(request: HttpRequest, batch: int) -> HttpResponse:
    root = SignedRoot.objects.filter(batch=batch).first()
    if root is None:
        raise Http404(_("There is no signed root %(batch)d") % {"batch": batch})
    return _cached(
        request, etag=root.root_hash, max_age=ROOT_MAX_AGE, html=False, build=lambda: _json(_root_dict(root))
    )


@require_safe
def entry(request: HttpRequest, entry_id: int, layout: str = "portal") -> HttpResponse:
    e = _entry_or_404(entry_id)
    root = selectors.root_covering(e)

    def build() -> HttpResponse:
        proof = selectors.inclusion_proof(e, root) if root else None
        return render_public(
            request,
            LAYOUTS[layout],
            "transparency/entry.html",
            {
                "entry": e,
                "root": root,
                "proof": proof,
                "rows": [(labels.label_for(k), k, v) for k, v in _snapshot_rows(e.snapshot)],
                "superseded_by": getattr(e, "superseded_by", None),
            },
        )

    return _cached(request, etag=_entry_etag(e, root), max_age=ENTRY_MAX_AGE, html=True, build=build)


@require_safe
def entry_json(request: HttpRequest, entry_id: int) -> HttpResponse:
    e = _entry_or_404(entry_id)
    root = selectors.root_covering(e)

    def build() -> HttpResponse:
        proof = selectors.inclusion_proof(e, root) if root else None
        corrected = getattr(e, "superseded_by", None)
        return _json(
            {
                "id": e.pk,
                "chain": e.chain_id,
                "chain_name": e.chain.name,
                "seq": e.seq,
                "kind": e.kind,
                "ref": e.ref,
                "snapshot": e.snapshot,
                # Hash these exact UTF-8 bytes to get snapshot_sha256.
                "snapshot_canonical": e.snapshot_json,
                "snapshot_sha256": e.snapshot_sha256,
                "prev_hash": e.prev_hash,
                "published_at": timestamp(e.published_at),
                "publisher_id": e.publisher_id,
                "publisher": (e.publisher.full_name or None) if e.publisher else None,
                "reason": e.reason,
                "supersedes": {"id": e.supersedes.pk, "entry_hash": e.supersedes.entry_hash} if e.supersedes else None,
                "superseded_by": {"id": corrected.pk, "entry_hash": corrected.entry_hash, "reason": corrected.reason}
                if corrected
                else None,
                # entry_hash = SHA-256(hash_input); Merkle leaf = SHA-256(0x00 || entry_hash bytes).
                "hash_input": e.hash_input(),
                "entry_hash": e.entry_hash,
                "leaf_hash": e.leaf_hash,
                "inclusion": proof.as_dict() if proof else None,
                "root": _root_dict(root) if root else None,
            }
        )

    return _cached(request, etag=_entry_etag(e, root), max_age=ENTRY_MAX_AGE, html=False, build=build)


@require_safe
def chain(request: HttpRequest, code: str, layout: str = "portal") -> HttpResponse:
    """A chain's entries, newest first, by seq ("?before=<seq>"): no COUNT, no OFFSET,
    so the thousandth page of a big village costs what the first does."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(_("There is no region %(code)s") % {"code": code})
    before = request.GET.get("before", "")
    qs = selectors.entries_for_chain(code)
    if before.isascii() and before.isdigit():
        qs = qs.filter(seq__lt=int(before))
    rows = list(qs[: PAGE_SIZE + 1])
    entries, more = rows[:PAGE_SIZE], len(rows) > PAGE_SIZE
    # Everything the page shows that can change: its rows, and which of them were corrected.
    etag = sha256_hex(
        "|".join(f"{e.entry_hash}:{getattr(getattr(e, 'superseded_by', None), 'pk', 0)}" for e in entries)
        + f"|{code}|{before}|{int(more)}"
    )
    return _cached(
        request,
        etag=etag,
        max_age=LIST_MAX_AGE,
        html=True,
        build=lambda: render_public(
            request,
            LAYOUTS[layout],
            "transparency/chain.html",
            {
                "region": region,
                "entries": entries,
                "before": before,
                "older": entries[-1].seq if more else None,
            },
        ),
    )
