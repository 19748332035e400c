"""A villager opens a project's acceptance report (验收报告) from the village page: on a
phone, and at the village hall's kiosk, where it opens inside the kiosk's frame (its Home
and Back buttons stay; nothing leaves /kiosk/)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import KIOSK

pytestmark = pytest.mark.e2e

VILLAGE = "431382101201"  # the first village of 六亩塘镇 in the small demo


def _open_report(page: Any, start: str) -> None:
    page.goto(start)
    page.get_by_role("link", name="村级项目建设").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("村级项目建设")
    card = page.locator(".project-card").filter(has_text="已公开验收报告").first
    card.get_by_role("link").first.click()
    expect(page.get_by_text("进度与资金对照")).to_be_visible()


def _report_shown(page: Any) -> None:
    expect(page.get_by_role("heading", level=1)).to_contain_text("验收报告")
    image = page.locator(".document-frame img")
    expect(image).to_be_visible()
    page.wait_for_function(
        "() => { const i = document.querySelector('.document-frame img');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )


def test_it_opens_the_acceptance_report_from_the_village_page_on_a_phone(
    new_page: Callable[..., Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    page = new_page()
    _open_report(page, f"/v/{VILLAGE}/")
    screenshot(page, "projects-phone-project")
    page.get_by_role("link", name="验收报告").first.click()
    _report_shown(page)
    screenshot(page, "projects-phone-acceptance-report")


def test_it_opens_the_acceptance_report_inside_the_kiosk(
    new_page: Callable[..., Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    page = new_page(viewport=KIOSK)
    _open_report(page, f"/kiosk/v/{VILLAGE}/")
    assert "/kiosk/projects/" in page.url
    page.get_by_role("link", name="验收报告").first.click()
    _report_shown(page)
    assert "/kiosk/projects/" in page.url and "/documents/" in page.url
    expect(page.locator(".kiosk-home")).to_be_visible()
    expect(page.locator(".kiosk-back")).to_be_visible()
    hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))")
    assert all(h.startswith(("/kiosk/", "#")) for h in hrefs), hrefs
    screenshot(page, "projects-kiosk-acceptance-report")
    page.locator(".kiosk-back").click()
    expect(page.get_by_text("进度与资金对照")).to_be_visible()
