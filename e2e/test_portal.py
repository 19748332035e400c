"""Journeys of a villager: on a phone, at the village-hall kiosk, and in English."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import KIOSK, PHONE

pytestmark = pytest.mark.e2e

IDLE_SECONDS = 90  # settings.SUNLIT_KIOSK_IDLE_SECONDS, as the server runs it


def _font_px(page: Any, selector: str = "body") -> float:
    return float(page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)"))


def _too_small_targets(page: Any, minimum: int) -> list[str]:
    """Visible links and buttons shorter than `minimum` CSS pixels."""
    return list(
        page.evaluate(
            """(minimum) => [...document.querySelectorAll('a[href], button, [role=button], input, select')]
                .filter(el => el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')
                .filter(el => el.getBoundingClientRect().height < minimum)
                .map(el => el.outerHTML.slice(0, 120) + ' ' + el.getBoundingClientRect().height)""",
            minimum,
        )
    )


def _open_first_village(page: Any, prefix: str = "") -> None:
    page.goto(f"{prefix}/")
    page.locator("a.choice").first.click()
    expect(page).to_have_url(re.compile(rf"{prefix}/t/\d{{12}}/$"))
    page.locator("a.choice").first.click()
    expect(page).to_have_url(re.compile(rf"{prefix}/v/\d{{12}}/$"))


def test_a_villager_finds_her_village_on_a_phone(
    new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    page = new_page(viewport=PHONE)
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="乡镇")).to_be_visible()
    assert _font_px(page) >= 16
    # Nothing wider than the phone: no sideways scrolling to read.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "phone-home")

    township = page.locator("a.choice").first
    township_name = township.locator(".name").inner_text()
    township.click()
    expect(page.locator("h1")).to_have_text(township_name)
    expect(page.get_by_text("便民服务中心电话").first).to_be_visible()
    screenshot(page, "phone-township")

    village = page.locator("a.choice").first
    village_name = village.locator(".name").inner_text()
    village.click()
    expect(page).to_have_url(re.compile(r"/v/\d{12}/$"))
    expect(page.locator("h1")).to_have_text(village_name)
    expect(page.get_by_text("便民服务中心电话")).to_be_visible()
    phone = page.locator("a.phone")
    expect(phone).to_be_visible()
    expect(phone).to_have_attribute("href", re.compile(r"^tel:[0-9+-]+$"))
    expect(page.get_by_role("heading", name="已公开信息")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert _too_small_targets(page, 44) == []
    screenshot(page, "phone-village")

    # The breadcrumb leads back up.
    page.get_by_role("link", name=township_name).click()
    expect(page.locator("h1")).to_have_text(township_name)


def test_a_villager_uses_the_kiosk_and_it_resets_when_left_alone(
    new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    page = new_page(viewport=KIOSK)
    # Playwright's fake clock drives kiosk.js's real 90-second timer: no test-only switch
    # in the page, and no minute and a half of waiting.
    page.clock.install()
    page.goto("/kiosk/")
    expect(page.locator("body")).to_have_class("layout-kiosk")
    expect(page.locator("body")).to_have_attribute("data-idle-seconds", str(IDLE_SECONDS))
    assert _font_px(page) >= 22
    assert _too_small_targets(page, 48) == []
    screenshot(page, "kiosk-home")

    page.locator("a.choice").first.click()
    expect(page).to_have_url(re.compile(r"/kiosk/t/\d{12}/$"))
    assert _too_small_targets(page, 48) == []
    screenshot(page, "kiosk-township")
    page.locator("a.choice").first.click()
    expect(page).to_have_url(re.compile(r"/kiosk/v/\d{12}/$"))
    expect(page.get_by_text("便民服务中心电话")).to_be_visible()
    expect(page.locator("a[href^='tel:']")).to_have_count(0)
    for selector in (".kiosk-home", ".kiosk-back"):
        box = page.locator(selector).bounding_box()
        assert box is not None and box["height"] >= 72 and box["width"] >= 120, (selector, box)
    assert _font_px(page) >= 22
    assert _too_small_targets(page, 48) == []
    screenshot(page, "kiosk-village")

    # Back goes up one level, Home to the start.
    village_url = page.url
    page.locator(".kiosk-back").click()
    expect(page).to_have_url(re.compile(r"/kiosk/t/\d{12}/$"))
    page.locator(".kiosk-home").click()
    expect(page).to_have_url(re.compile(r"/kiosk/$"))

    # Left alone in English on a village page, the kiosk returns to the Chinese home.
    page.goto(village_url)
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.clock.fast_forward((IDLE_SECONDS - 30) * 1000)
    page.locator("h1").tap()  # a touch restarts the count
    page.clock.fast_forward((IDLE_SECONDS - 30) * 1000)
    assert page.url == village_url, "a touch must restart the idle count"
    page.clock.fast_forward(31 * 1000)
    expect(page).to_have_url(re.compile(r"/kiosk/$"))
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", name="乡镇")).to_be_visible()


def test_a_visitor_switches_to_english(new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]) -> None:
    page = new_page(viewport=PHONE)
    _open_first_village(page)
    expect(page.get_by_text("便民服务中心电话")).to_be_visible()
    village_url = page.url

    page.get_by_role("button", name="English").click()
    # The switch keeps the villager on the same page.
    expect(page).to_have_url(village_url)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("Service-centre phone")).to_be_visible()
    expect(page.get_by_role("heading", name="Published information")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot(page, "english-village")

    page.get_by_role("link", name="Home").click()
    expect(page.get_by_role("heading", name="Townships")).to_be_visible()
    page.get_by_role("button", name="简体中文").click()
    expect(page.get_by_role("heading", name="乡镇")).to_be_visible()


def test_a_mistyped_address_gets_a_friendly_page(new_page: Callable[..., Any], base_url: str) -> None:
    page = new_page(viewport=PHONE)
    response = page.goto("/v/12345/")
    assert response is not None and response.status == 404
    expect(page.get_by_role("heading", name="找不到这个页面")).to_be_visible()
    page.get_by_role("link", name="回到首页").click()
    expect(page).to_have_url(f"{base_url}/")
