"""Every published record on a village's page opens its readable page, in the page's layout:
each room's manifest says where a kind of record is read (RecordKind.page)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import resolve

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.lib import rooms
from sunlit.lib.layout import LAYOUTS
from sunlit.portal.selectors import page_link
from sunlit.regions.services import region_publish_profile

# A record of each kind with a readable page, as its room publishes it (ref, snapshot).
SAMPLES: dict[str, tuple[str, dict[str, Any]]] = {
    "region.profile": (VILLAGE_A, {"level": "village"}),
    "powers.version": ("431382000000/v3", {}),
    "case": ("431382101201-2024-0007", {}),
    "finance.month": ("431382101201-2024-03", {}),
    "project": ("431382101201-XM-2024-01", {}),
    "welfare.list": (
        "431382101201-dibao-2024",
        {"village": {"code": VILLAGE_A}, "programme": {"code": "dibao"}, "year": 2024},
    ),
    "bulletin": ("DX-2024-001", {}),
    "reports.figures": ("431382000000", {}),
}


def test_it_has_a_sample_for_every_kind_with_a_page() -> None:
    with_page = {k for k, kind in rooms.registry().kinds.items() if kind.page is not None}
    assert with_page == set(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
@pytest.mark.parametrize("layout", ["portal", "kiosk"])
def test_it_links_each_kind_to_its_rooms_page_in_the_layout(kind: str, layout: str) -> None:
    ref, snapshot = SAMPLES[kind]
    link = page_link(kind, ref, snapshot)
    assert link is not None
    url = LAYOUTS[layout].reverse(link)
    match = resolve(url)
    assert url.startswith("/kiosk/") == (layout == "kiosk")
    assert match.namespace == link.url_name.split(":")[0]
    assert match.kwargs.get("layout", "portal") == layout


def test_it_gives_no_page_for_a_malformed_ref() -> None:
    assert page_link("finance.month", "not-a-ref", {}) is None
    assert page_link("nobody.knows", "x", {}) is None


def test_it_opens_the_village_profile_from_the_village_page(cast: Cast, client: Client) -> None:
    region_publish_profile(region=cast.village_a, by=None)
    for prefix in ("", "/kiosk"):
        body = client.get(f"{prefix}/v/{VILLAGE_A}/").content.decode()
        assert f'class="title" href="{prefix}/v/{VILLAGE_A}/"' in body
