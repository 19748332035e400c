"""The micro-power list in a browser: an item's flowchart drawn by Mermaid on a phone."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import PHONE, ROOT

pytestmark = pytest.mark.e2e


def test_an_item_page_draws_its_flowchart_on_a_phone(
    e2e_env: dict[str, str], new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    # The shipped list; a no-op when the demo has loaded it already (same file, same version).
    subprocess.run(
        [sys.executable, "manage.py", "powers", "load", "--default"],
        cwd=ROOT,
        env=e2e_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    page = new_page(viewport=PHONE)
    page.goto("/")
    page.get_by_role("link", name="小微权力清单：村干部能办什么、怎么办").click()
    expect(page.get_by_role("heading", name="便民服务类")).to_be_visible()
    page.locator("a.choice", has_text="BM-01").click()
    expect(page.locator("h1")).to_contain_text("城乡居民最低生活保障")

    # Mermaid replaces the diagram text with an SVG holding every step.
    chart = page.locator("pre.mermaid svg")
    expect(chart).to_be_visible(timeout=30_000)
    expect(chart.locator(".node")).to_have_count(9)  # 6 steps, start, approved, rejected
    expect(chart).to_contain_text("村级公示")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    # The same steps as a list, for readers without JavaScript.
    expect(page.locator("ol.powers-steps > li")).to_have_count(6)
    chart.scroll_into_view_if_needed()
    screenshot(page, "powers-item")
