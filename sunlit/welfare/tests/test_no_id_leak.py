"""No full ID number in any public page or API response.

With the small demo (every room's demo data: regions, cases, books, projects, welfare),
crawl the public side from `/` and `/kiosk/` (and every public URL without parameters in
the URL conf: the welfare, projects, finance and transparency APIs among them), follow
every internal link, download link (JSON, CSV, XLSX) and script-free resource, and look
in each response for anything shaped like a full ID number (`idnumbers.FULL_NUMBER`) and
for each demo person's actual number (unsealed from the register).

Pages that differ only in their numbers (a month, a voucher, a case) are many: at most
a few of each shape are fetched, except the welfare room's, which are all fetched.
The second test plants a number in a published list and checks the crawl finds it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import Counter
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from sunlit.lib import idnumbers

pytestmark = pytest.mark.django_db(transaction=False)

# Never public, or not pages: the back office, sign-in, forms that change state.
SKIP = re.compile(r"^/(office|accounts|admin|language|static|media|reports/new|kiosk/reports/new)(/|$)")
HREF = re.compile(r"""(?:href|src|action|data-url)=["']([^"'#]+)""")
PER_SHAPE = 3
MAX_PAGES = 1500


def _shape(path: str) -> str:
    return re.sub(r"[0-9]+", "0", path)


def _parameterless_routes() -> list[str]:
    """Public URL conf routes that take no parameter (APIs and index pages)."""
    found: list[str] = []

    def walk(patterns: Iterable[Any], prefix: str) -> None:
        for p in patterns:
            route = str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, prefix + route)
            elif isinstance(p, URLPattern) and "<" not in route and "(?P" not in route:
                path = "/" + (prefix + route).lstrip("^").rstrip("$").lstrip("/")
                if not SKIP.match(path) and not path.endswith("/logout/"):
                    found.append(path)

    walk(get_resolver().url_patterns, "")
    return sorted(set(found))


def _texts(response: Any) -> Iterable[str]:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if body[:4] == b"PK\x03\x04":  # XLSX: every XML part of the workbook
        with zipfile.ZipFile(io.BytesIO(body)) as book:
            for name in book.namelist():
                yield book.read(name).decode("utf-8", "replace")
        return
    if kind.startswith(("image/", "application/pdf")):
        return
    yield body.decode("utf-8", "replace")


def crawl(client: Client, starts: list[str], numbers: set[str], *, every: str = "/welfare/") -> dict[str, Any]:
    """Fetch the public side from `starts`; return the leaks found and what was seen."""
    seen: set[str] = set()
    shapes: Counter[str] = Counter()
    queue = list(starts)
    leaks: list[tuple[str, str]] = []
    fetched = 0
    while queue and fetched < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        if parts.netloc or not parts.path.startswith("/") or SKIP.match(parts.path):
            continue
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen:
            continue
        seen.add(key)
        if every not in parts.path:
            shapes[_shape(parts.path)] += 1
            if shapes[_shape(parts.path)] > PER_SHAPE:
                continue
        response = client.get(key)
        fetched += 1
        if response.status_code in (301, 302) and response.get("Location"):
            queue.append(urljoin(key, response["Location"]))
            continue
        if response.status_code != 200:
            continue
        for text in _texts(response):
            for match in idnumbers.FULL_NUMBER.finditer(text):
                if idnumbers.is_valid(match.group(0)):
                    leaks.append((key, match.group(0)))
            for number in numbers:
                if number in text:
                    leaks.append((key, number))
            if "html" in response.get("Content-Type", ""):
                for link in HREF.findall(text):
                    queue.append(urljoin(key, link.replace("&amp;", "&")))
    return {"leaks": leaks, "fetched": fetched, "seen": seen}


def _demo_numbers() -> set[str]:
    from sunlit.welfare.models import Member, RelativeDeclaration

    sealed = list(Member.objects.values_list("id_sealed", flat=True))
    sealed += list(RelativeDeclaration.objects.values_list("id_sealed", flat=True))
    return {idnumbers.unseal(s) for s in sealed}


@pytest.fixture
def demo(settings: Any, tmp_path: Any) -> None:
    from sunlit.demo.services import demo_seed

    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "keys" / "signing-ed25519.pem"
    settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS = 0
    demo_seed(scale="small", seed=1, progress=False)


def test_it_finds_no_full_id_number_in_any_public_response(demo: None, client: Client) -> None:
    numbers = _demo_numbers()
    assert len(numbers) > 500  # the demo registered its people
    starts = ["/", "/kiosk/", "/welfare/", "/kiosk/welfare/", *_parameterless_routes()]
    result = crawl(client, starts, numbers)
    assert result["leaks"] == []
    seen = result["seen"]
    # The crawl reached every kind of public page it must cover.
    for part in (
        "/welfare/check/",
        "/welfare/dibao/",
        ".json",
        ".csv",
        "/finance/",
        "/transparency/",
        "/kiosk/welfare/",
        "/cases/",
        "/projects/",
    ):
        assert any(part in url for url in seen), part
    assert any(url.endswith(".xlsx") for url in seen)
    assert result["fetched"] > 200, result["fetched"]
    print(f"no-leak crawl: {result['fetched']} responses, {len(numbers)} demo numbers")


def test_it_catches_a_planted_number(client: Client, cast: Any, family: Any) -> None:
    """The crawl can fail: a number planted in a published list is found."""
    from sunlit.conftest import VILLAGE_A
    from sunlit.transparency.services import publish
    from sunlit.welfare import publication
    from sunlit.welfare.tests.conftest import new_id

    planted = new_id(4242)
    snapshot = {
        "schema": publication.SCHEMA,
        "title": "t",
        "village": {"code": VILLAGE_A, "name": "石门村"},
        "township": None,
        "programme": {
            "code": "dibao",
            "name": "低保",
            "name_full": "",
            "name_en": "",
            "item": "BM-01",
            "rhythm": "monthly",
        },
        "year": 2025,
        "currency": "CNY",
        "unit": "fen",
        "name_mask": "full",
        "totals": {"beneficiaries": 1, "households": 1, "payments": 1, "amount": 1},
        "rows": [{"no": 1, "name": f"张三 {planted}", "payments": [], "total": 1}],
    }
    entry = publish(
        chain=VILLAGE_A,
        kind=publication.KIND,
        ref=publication.ref(VILLAGE_A, "dibao", 2025),
        snapshot=snapshot,
        by=None,
    )
    publication.derive(entry, snapshot)
    result = crawl(client, [f"/v/{VILLAGE_A}/welfare/"], {family.head_id})
    leaked = {number for _url, number in result["leaks"]}
    assert planted in leaked
    # And a demo person's own number, wherever it appears, is caught even if it were not valid-shaped.
    result = crawl(client, [f"/v/{VILLAGE_A}/welfare/"], {"张三"})
    assert any(number == "张三" for _url, number in result["leaks"])
