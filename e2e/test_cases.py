"""A 低保 application carried along its flowchart by the right people, over the weeks its
notices must stay up, then followed by the villager at the kiosk by its case number."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import KIOSK, ROOT, _free_port, _wait_until_up
from e2e.test_office import PASSWORD, demo_account

pytestmark = pytest.mark.e2e

PNG = (Path(__file__).resolve().parent.parent / "docs" / "screenshots" / "phone-home.png").read_bytes()


@contextmanager
def server_at(e2e_env: dict[str, str], days: float) -> Iterator[str]:
    """The journey's database served with the clock `days` ahead."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(e2e_env["E2E_LOG"])
    with log.open("a", encoding="utf-8") as out:
        server = subprocess.Popen(
            [
                sys.executable,
                "e2e/serve_at.py",
                str(days),
                "runserver",
                f"127.0.0.1:{port}",
                "--noreload",
                "--insecure",
            ],
            cwd=ROOT,
            env=e2e_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url + "/", server, log)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def rewind_authenticators(e2e_env: dict[str, str]) -> Iterator[None]:
    """The journey logs officials in days ahead; their authenticators then refuse today's
    codes as replays (django-otp remembers the last time step used). Put the replay guard
    back afterwards so later journeys, at today's time, can log in."""
    yield
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from django_otp.plugins.otp_totp.models import TOTPDevice; TOTPDevice.objects.update(last_t=-1)",
        ],
        cwd=ROOT,
        env=e2e_env,
        check=True,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture
def second_cadre(e2e_env: dict[str, str]) -> str:
    """A second cadre of the journey's village who can log in: one of the demo's staff (in
    whose names its history is written, without a password), given the demo password."""
    username = "staff-cadre-431382101201-1"
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "shell",
            "-c",
            "from sunlit.accounts.models import User; "
            f"u = User.objects.get(username={username!r}); u.set_password({PASSWORD!r}); u.save()",
        ],
        cwd=ROOT,
        env=e2e_env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return username


def log_in(page: Any, username: str, *, days: float = 0, secret: str = "") -> None:
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(username)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if secret:
        page.locator("input[name=token]").fill(totp_at(secret, days))
        page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/office/$"))


def totp_at(secret: str, days: float) -> str:
    import base64

    from django_otp.oath import TOTP

    totp = TOTP(base64.b32decode(secret))
    totp.time = time.time() + days * 86400
    return f"{totp.token():06d}"


def act(page: Any, decision: str = "", minutes: str = "", *, refused: bool = False) -> None:
    """Complete the current step: approve, with the records and files it asks for."""
    form = page.locator("form[action$='/act/']")
    approve = form.locator("input[name=outcome][value=approve]")
    if approve.count():
        approve.check()
    if decision:
        form.locator("textarea[name=decision]").fill(decision)
    if minutes:
        form.locator("textarea[name=minutes]").fill(minutes)
    for field in form.locator("input[type=file]").all():
        name = field.get_attribute("name") or ""
        if name == "file_other":
            continue
        field.set_input_files({"name": f"{name}.png", "mimeType": "image/png", "buffer": PNG})
    form.locator("button[type=submit]").click()
    if refused:
        expect(page.locator(".error").first).to_be_visible()
    else:
        page.wait_for_load_state()
        errors = page.locator(".error").all_inner_texts()
        assert not errors, errors


def current_step(page: Any) -> str:
    return page.locator("form[action$='/act/'] input[name=step_key]").get_attribute("value") or ""


def test_a_dibao_case_goes_to_approval_and_a_villager_follows_it_at_the_kiosk(
    new_page: Callable[..., Any],
    browser: Any,
    e2e_env: dict[str, str],
    screenshot: Callable[[Any, str], Any],
    rewind_authenticators: None,
    second_cadre: str,
) -> None:
    cadre = demo_account(e2e_env, "cadre", "431382101")
    official = demo_account(e2e_env, "township_official", "(431382101000)")
    county = demo_account(e2e_env, "township_official", "(431382000000)")
    office = {"width": 1280, "height": 1000}

    def page_at(url: str, **kw: Any) -> Any:
        context = browser.new_context(base_url=url, locale="zh-CN", viewport=kw.pop("viewport", office), **kw)
        context.set_default_timeout(15_000)
        return context.new_page()

    # Day 0: the cadre opens the case, records the application and the village's review.
    with server_at(e2e_env, 0) as url:
        page = page_at(url)
        log_in(page, cadre["username"])
        page.goto("/office/cases/open/?village=431382101201")
        item = page.locator("select[name=item] option", has_text="BM-01").first.get_attribute("value")
        page.locator("select[name=item]").select_option(item)
        page.locator("input[name=subject]").fill("王桂英家庭申请城乡低保")
        page.locator("input[name=applicant_name]").fill("王桂英")
        page.locator("input[name=applicant_id_last4]").fill("3021")
        page.locator("input[name=amount_yuan]").fill("3600")  # the yearly allowance asked for
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(r"/office/cases/431382101201-\d{4}-\d{4}/$"))
        number = page.url.rstrip("/").rsplit("/", 1)[1]
        assert current_step(page) == "apply"
        act(page, decision="申请材料齐全")
        assert current_step(page) == "investigate"
        # Whoever opened the case and took the application does not decide on it.
        act(page, decision="符合条件", minutes="入户调查", refused=True)
        expect(page.locator("main")).to_contain_text("本案件由您发起")
        assert current_step(page) == "investigate"
        page.context.close()

        # Another cadre of the village visits the household and records the review.
        page = page_at(url)
        log_in(page, second_cadre)
        page.goto(f"/office/cases/{number}/")
        assert current_step(page) == "investigate"
        act(page, decision="入户调查属实，符合低保条件", minutes="村两委入户调查，三人参加")
        assert current_step(page) == "village_notice"
        act(page, refused=True)  # the notice cannot come down before its 7 days
        assert current_step(page) == "village_notice"
        screenshot(page, "cases-notice-too-early")
        page.context.close()

    # A week and a day later: the notice comes down; the township and the county decide.
    with server_at(e2e_env, 8) as url:
        page = page_at(url)
        log_in(page, cadre["username"])
        page.goto(f"/office/cases/{number}/")
        act(page)
        # Now at the township's review: the cadre is offered no form for it.
        expect(page.locator("ol.flow li.current")).to_contain_text("乡镇")
        expect(page.locator("form[action$='/act/']")).to_have_count(0)
        page.context.close()

        page = page_at(url)
        log_in(page, official["username"], days=8, secret=official["secret"])
        page.goto(f"/office/cases/{number}/")
        act(page, decision="经审核，同意，报县民政局审批")
        expect(page.locator("ol.flow li.current")).to_contain_text("县级")
        page.context.close()

        page = page_at(url)
        log_in(page, county["username"], days=8, secret=county["secret"])
        page.goto(f"/office/cases/{number}/")
        act(page, decision="批准纳入低保，自次月起发放")
        expect(page.locator("ol.flow li.current")).to_contain_text("公示")
        page.context.close()

    # Another week: the approved list comes down; the case is approved.
    with server_at(e2e_env, 16) as url:
        page = page_at(url)
        log_in(page, cadre["username"])
        page.goto(f"/office/cases/{number}/")
        act(page)
        expect(page.locator("form[action$='/act/']")).to_have_count(0)
        screenshot(page, "cases-office-approved")
        page.context.close()

        # The applicant checks at the village kiosk, by the number on her receipt.
        page = page_at(url, viewport=KIOSK, has_touch=True)
        page.goto("/kiosk/cases/follow/")
        page.locator("input[name=number]").fill(number)
        page.locator("main form button[type=submit]").click()
        expect(page).to_have_url(re.compile(rf"/kiosk/cases/{number}/$"))
        body = page.locator("main").inner_text()
        assert "王*" in body and "王桂英" not in body and "3021" not in body
        expect(page.locator("main")).to_contain_text("已通过")
        screenshot(page, "cases-kiosk-follow")
        page.context.close()
