"""One set of public routes for both layouts: every public page of every room exists under /
and under /kiosk/ by construction (sunlit/lib/rooms.py mounts each room's `pages` twice),
and the kiosk copy keeps the kiosk frame — found or not found."""

from __future__ import annotations

import inspect
import re
from importlib import import_module

import pytest
from django.test import Client
from django.urls import URLPattern, resolve, reverse

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, Cast
from sunlit.lib import rooms
from sunlit.powers.services import default_source, powers_load

# What fills each route parameter: real where the test data has it, a well-formed
# stranger otherwise (then both layouts must answer the same not-found page).
VALUES = {
    "number": "1",
    "entry_id": "1",
    "a": "1",
    "b": "1",
    "year": "2024",
    "period": "2024-03",
    "programme": "dibao",
    "account": "101",
    "sha256": "0" * 64,
}


def _pages() -> list[tuple[str, URLPattern]]:
    found = []
    for room in rooms.registry().rooms:
        if room.urls:
            module = import_module(room.urls)
            found += [(module.app_name, p) for p in getattr(module, "pages", [])]
    return found


PAGES = _pages()


def _args(route: str, item_code: str) -> dict[str, str]:
    args = {}
    for name in re.findall(r"<(?:\w+:)?(\w+)>", route):
        if name == "code":
            args[name] = {"v/": VILLAGE_A, "t/": TOWNSHIP_A}.get(route[:2], item_code)
        else:
            args[name] = VALUES[name]
    return args


def test_it_has_public_pages_in_every_public_room() -> None:
    assert {ns for ns, _p in PAGES} >= {"portal", "powers", "cases", "finance", "projects", "welfare", "reports"}


@pytest.mark.parametrize("namespace, pattern", PAGES, ids=[f"{ns}:{p.name}" for ns, p in PAGES])
def test_it_gives_every_public_page_a_kiosk_twin(namespace: str, pattern: URLPattern) -> None:
    assert "layout" in inspect.signature(pattern.callback).parameters, "the view must take the layout"
    args = _args(str(pattern.pattern), "C01")
    phone = reverse(f"{namespace}:{pattern.name}", kwargs=args)
    kiosk = reverse(f"{namespace}:kiosk_{pattern.name}", kwargs=args)
    assert kiosk == "/kiosk" + phone
    match = resolve(kiosk)
    assert match.func == pattern.callback and match.kwargs["layout"] == "kiosk"
    assert resolve(phone).kwargs.get("layout", "portal") == "portal"


@pytest.mark.parametrize("namespace, pattern", PAGES, ids=[f"{ns}:{p.name}" for ns, p in PAGES])
def test_it_serves_every_public_page_in_both_layouts(
    namespace: str, pattern: URLPattern, cast: Cast, client: Client
) -> None:
    item_code = "C01"
    if namespace == "powers":  # a real list item for the item pages (loading the list takes a second)
        version = powers_load(source=default_source(), label="", by=None)
        item_code = version.items.order_by("position").values_list("code", flat=True).first() or item_code
    args = _args(str(pattern.pattern), item_code)
    phone = client.get(reverse(f"{namespace}:{pattern.name}", kwargs=args))
    kiosk = client.get(reverse(f"{namespace}:kiosk_{pattern.name}", kwargs=args))
    assert phone.status_code == kiosk.status_code and phone.status_code in (200, 400, 404), phone.status_code
    used = {t.name for t in kiosk.templates}
    assert "kiosk/base.html" in used, used
    assert "kiosk/base.html" not in {t.name for t in phone.templates}
