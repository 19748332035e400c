"""Journeys of officials in the back office: a second factor, and a refusal."""

from __future__ import annotations

import base64
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django_otp.oath import TOTP
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e

PASSWORD = "sunlit-demo-2026"  # the demo's default, printed by `sunlit demo`


def demo_account(e2e_env: dict[str, str], role: str, region_prefix: str = "") -> dict[str, str]:
    """The demo's own printout (var/demo-accounts.txt): username and TOTP secret by role."""
    text = (Path(e2e_env["SUNLIT_VAR_DIR"]) / "demo-accounts.txt").read_text(encoding="utf-8")
    for line in text.splitlines():
        cells = line.split()
        if cells and cells[0] == role and region_prefix in line:
            secret = cells[-1]
            return {"username": cells[2], "secret": "" if secret == "-" else secret}
    raise AssertionError(f"no demo account for {role} {region_prefix}")


def totp_code(secret: str) -> str:
    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time()
    return f"{totp.token():06d}"


def log_in(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()


def test_an_inspector_logs_in_with_a_totp_code(
    new_page: Callable[..., Any], e2e_env: dict[str, str], screenshot: Callable[[Any, str], Any]
) -> None:
    inspector = demo_account(e2e_env, "inspector")
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, inspector["username"])
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))

    page.locator("input[name=token]").fill("000000")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator(".error")).to_be_visible()  # a wrong code is refused, clearly
    time.sleep(1.2)  # django-otp refuses any code for a second after a failure

    page.locator("input[name=token]").fill(totp_code(inspector["secret"]))
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/office/$"))
    expect(page.locator("h1")).to_be_visible()
    expect(page.get_by_text("纪委书记")).to_be_visible()  # her own role, listed
    screenshot(page, "office-inspector")

    page.goto("/office/audit/")
    expect(page.locator("table")).to_be_visible()
    screenshot(page, "office-audit-log")


def test_a_cadre_of_another_village_is_refused(
    new_page: Callable[..., Any], e2e_env: dict[str, str], screenshot: Callable[[Any, str], Any]
) -> None:
    # The demo's second cadre serves 石马山镇; the first village of 六亩塘镇 is not his.
    cadre = demo_account(e2e_env, "cadre", "431382102")
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, cadre["username"])
    expect(page).to_have_url(re.compile(r"/office/$"))
    own = page.locator("table a", has_text="431382102").first
    expect(own).to_be_visible()
    expect(page.locator("table a", has_text="431382101")).to_have_count(0)

    response = page.goto("/office/regions/431382101201/")
    assert response is not None and response.status == 404
    response = page.goto("/office/audit/")
    assert response is not None and response.status == 404
    response = page.goto("/office/regions/431382102201/")
    assert response is not None and response.status == 200
    screenshot(page, "office-cadre-own-village")
