"""A household checks its subsidy at the village hall's kiosk.

The villager touches "查询我的补贴是否到账" on the kiosk's home page. The ID field has the
focus: the card reader types the 18 characters and Enter, which moves on to the name; the
villager types the name and Enter, and sees the household's payments. "完成" clears the
page for the next villager. A wrong name gives the one "nothing found" answer that an
unknown number gives.

The demo keeps no plain ID number anywhere; the test asks the server's own database (as
an inspector's lawful export would) for one demo beneficiary's number and name.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import KIOSK, ROOT

pytestmark = pytest.mark.e2e

LOOKUP = """
import json
import re
from sunlit.lib import idnumbers
from sunlit.welfare.models import Member
m = (Member.objects.filter(relation="head", status="active", household__status="active",
                           household__payments__programme__code="dibao")
     .select_related("household").order_by("household__village_id", "household__number").first())
print(json.dumps({"number": idnumbers.unseal(m.id_sealed), "name": m.name}))
"""


@pytest.fixture(scope="module")
def beneficiary(e2e_env: dict[str, str]) -> dict[str, str]:
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", LOOKUP],
        cwd=ROOT,
        env=e2e_env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    data: dict[str, str] = json.loads(out.strip().splitlines()[-1])
    return data


def _swipe_card(page: Any, number: str) -> None:
    """What a keyboard-wedge ID-card reader does: 18 keystrokes, then Enter."""
    page.keyboard.type(number, delay=15)
    page.keyboard.press("Enter")


def test_it_shows_a_household_its_payments_on_the_kiosk(
    new_page: Callable[..., Any],
    beneficiary: dict[str, str],
    screenshot: Callable[[Any, str], Any],
) -> None:
    page = new_page(viewport=KIOSK)
    page.goto("/kiosk/")
    page.get_by_role("link", name="查询我的补贴是否到账").click()
    expect(page).to_have_url(re.compile(r"/kiosk/welfare/check/$"))
    id_field = page.locator("#id_number")
    expect(id_field).to_be_focused()
    _swipe_card(page, beneficiary["number"])
    # Enter from the reader moved on to the name; nothing was sent yet.
    expect(page.locator("#name")).to_be_focused()
    expect(id_field).to_have_value(beneficiary["number"])
    screenshot(page, "welfare-kiosk-check-form")
    page.keyboard.type(beneficiary["name"])
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="您的家庭")).to_be_visible()
    expect(page.locator(".welfare-table")).to_contain_text("低保")
    body = page.content()
    assert beneficiary["number"] not in body and beneficiary["number"][-4:] in body
    screenshot(page, "welfare-kiosk-check-found")
    page.get_by_role("link", name="完成").click()
    expect(page.locator("#id_number")).to_be_focused()
    expect(page.locator("#id_number")).to_have_value("")
    assert beneficiary["number"] not in page.content()


def test_it_answers_a_wrong_name_with_nothing_found(
    new_page: Callable[..., Any],
    beneficiary: dict[str, str],
    screenshot: Callable[[Any, str], Any],
) -> None:
    page = new_page(viewport=KIOSK)
    page.goto("/kiosk/welfare/check/")
    _swipe_card(page, beneficiary["number"])
    page.keyboard.type("张冒名")
    page.keyboard.press("Enter")
    expect(page.get_by_text("没有查到这个身份证号和姓名的记录")).to_be_visible()
    expect(page.locator(".welfare-table")).to_have_count(0)
    screenshot(page, "welfare-kiosk-check-not-found")


def test_it_shows_the_poverty_alleviation_section_with_charts(
    new_page: Callable[..., Any],
    screenshot: Callable[[Any, str], Any],
) -> None:
    page = new_page()
    page.goto("/")
    page.get_by_role("link", name="巩固脱贫攻坚成果 · 乡村振兴").click()
    expect(page).to_have_url(re.compile(r"/welfare/$"))
    # ECharts (served by the app itself, under the strict CSP) drew the charts.
    expect(page.locator('[data-echarts="welfare-amounts"][data-drawn="1"] svg')).to_be_visible()
    expect(page.locator('[data-echarts="welfare-households"][data-drawn="1"] svg')).to_be_visible()
    screenshot(page, "welfare-phone-section")
    page.locator(".welfare-table a").first.click()
    expect(page).to_have_url(re.compile(r"/t/\d{12}/welfare/$"))
    page.locator(".welfare-table a[href^='/v/']").first.click()
    expect(page).to_have_url(re.compile(r"/v/\d{12}/welfare/$"))
    page.locator("a.choice").first.click()
    expect(page).to_have_url(re.compile(r"/v/\d{12}/welfare/[a-z]+/\d{4}/$"))
    expect(page.locator(".welfare-table tbody tr").first).to_contain_text("*")
    screenshot(page, "welfare-phone-list")
