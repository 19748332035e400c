"""A complaint from a ledger entry, from the kiosk to the reply read on a phone.

A villager at 莲井村's kiosk reads a month of the village's books, questions one voucher
and files an anonymous complaint about it; she keeps the 16-digit receipt shown once.
The report goes to the discipline office of 六亩塘镇 (the village's township), whose
inspector — no member of the village — accepts it, investigates, concludes and replies.
Back home, the villager types the receipt into the follow-up page on her phone and reads
the reply; the office's internal summary never reaches her.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from e2e.conftest import KIOSK
from e2e.test_office import PASSWORD, demo_account, totp_code

pytestmark = pytest.mark.e2e

TOWNSHIP = "431382101000"  # 六亩塘镇: its inspector is the demo's
VILLAGE = "431382101202"  # 莲井村: nobody in the demo holds a membership there
COMPLAINT = "村里说这笔钱用于修路，但路一直没有修。请核实这张凭证。"
REPLY = "经核查，该笔款项已用于莲井村道路硬化，工程已于本月完工。"
SUMMARY = "内部：已调取合同和验收单，并走访三户村民。"


def office_log_in(page: Any, username: str, secret: str) -> None:
    """Password, then TOTP. A code is refused if this account already used the same time
    step (an earlier journey in the same half minute): then wait for the next step."""
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(username)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/accounts/otp/"))
    for attempt in range(2):
        page.locator("main input[name=token]").fill(totp_code(secret))
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_load_state()
        if not re.search(r"/accounts/otp/", page.url):
            break
        if attempt == 0:
            time.sleep(30 - time.time() % 30 + 1)
    expect(page).to_have_url(re.compile(r"/office/$"))


def assert_fits_the_screen(page: Any) -> None:
    """Nothing sticks out sideways (a form wider than a 390 px phone did, once)."""
    width, visible = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= visible, f"{page.url} is {width} px wide on a {visible} px screen"


def file_from_the_kiosk(kiosk: Any) -> str:
    """At the kiosk: the village → its books → a month → a voucher → "question this"."""
    kiosk.goto(f"/kiosk/v/{VILLAGE}/")
    kiosk.get_by_role("link", name="财务公开").tap()
    expect(kiosk).to_have_url(re.compile(rf"/kiosk/v/{VILLAGE}/finance/$"))
    kiosk.locator("a.month-link").first.tap()
    expect(kiosk).to_have_url(re.compile(rf"/kiosk/v/{VILLAGE}/finance/\d{{4}}-\d{{2}}/$"))
    voucher = kiosk.locator("li.voucher").first
    voucher.locator("details.question summary").tap()
    link = voucher.locator("a.question-link")
    expect(link).to_have_text("对此提出举报")
    link.tap()
    expect(kiosk).to_have_url(re.compile(rf"/kiosk/reports/new/\?kind=finance.voucher&ref={VILLAGE}-\d{{4}}-\d+$"))
    label = kiosk.locator("main p.record strong").inner_text()
    assert re.search(r"\d+", label), label  # the voucher is attached, by its number
    return label


def test_a_villager_questions_a_voucher_at_the_kiosk_and_reads_the_reply_on_her_phone(
    new_page: Callable[..., Any], e2e_env: dict[str, str], screenshot: Callable[[Any, str], Any]
) -> None:
    # At the village hall's kiosk: anonymous by default, a category, what happened.
    kiosk = new_page(viewport=KIOSK)
    label = file_from_the_kiosk(kiosk)
    form = kiosk.locator("main form.report-form")
    expect(form.locator("input[name=identity][value=anonymous]")).to_be_checked()
    form.locator("input[name=category][value=finance]").tap()
    form.locator("textarea[name=text]").fill(COMPLAINT)
    assert_fits_the_screen(kiosk)
    screenshot(kiosk, "reports-kiosk-filing")
    form.get_by_role("button", name="提交举报").tap()

    # The receipt, shown once, printable at the kiosk.
    expect(kiosk.locator("main h1")).to_have_text("举报已收到")
    receipt = kiosk.locator(".receipt-number").get_attribute("data-receipt") or ""
    assert re.fullmatch(r"[0-9]{16}", receipt), receipt
    expect(kiosk.locator(".receipt-number")).to_have_text(" ".join(re.findall(r"\d{4}", receipt)))
    expect(kiosk.locator("[data-print]")).to_be_visible()
    screenshot(kiosk, "reports-kiosk-receipt")

    # The inspector of the township's discipline office finds it on her desk.
    inspector = demo_account(e2e_env, "inspector", f"({TOWNSHIP})")
    office = new_page(viewport={"width": 1280, "height": 900})
    office_log_in(office, inspector["username"], inspector["secret"])
    office.goto("/office/reports/?state=received")
    row = office.locator("main table tbody tr", has_text=label)
    expect(row).to_have_count(1)
    row.locator("a").first.click()
    expect(office).to_have_url(re.compile(r"/office/reports/[0-9a-f]{16}/$"))
    expect(office.locator("main .report-text")).to_have_text(COMPLAINT)
    expect(office.locator("main dl.facts")).to_contain_text("匿名")
    expect(office.locator("main dl.facts")).to_contain_text(TOWNSHIP)

    # Accept → investigate → conclude (the summary is internal) → reply.
    office.get_by_role("button", name="受理", exact=True).click()
    expect(office.locator("main .report-state")).to_have_text("已受理")
    office.get_by_role("button", name="开始调查").click()
    expect(office.locator("main .report-state")).to_contain_text("调查")
    conclude = office.locator("main form", has=office.locator("input[name=action][value=conclude]"))
    conclude.locator("select[name=finding]").select_option("not_substantiated")
    conclude.locator("textarea[name=summary]").fill(SUMMARY)
    conclude.get_by_role("button", name="办结").click()
    expect(office.locator("main .report-state")).to_contain_text("办结")
    reply = office.locator("main form", has=office.locator("input[name=action][value=reply]"))
    reply.locator("textarea[name=body]").fill(REPLY)
    screenshot(office, "reports-office")
    reply.get_by_role("button", name="发送答复").click()
    expect(office.locator("main .report-state")).to_contain_text("已答复")
    expect(office.locator("main .messages")).to_contain_text(REPLY)

    # At home, on her phone: the receipt opens the report and its reply.
    phone = new_page()
    phone.goto("/reports/follow/")
    assert_fits_the_screen(phone)
    phone.locator("main form input[name=receipt]").fill(" ".join(re.findall(r"\d{4}", receipt)))
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("main h1")).to_have_text("您的举报")
    expect(phone.locator("main .report-state")).to_contain_text("已答复")
    expect(phone.locator("main .message.reply")).to_contain_text(REPLY)
    expect(phone.locator("main")).not_to_contain_text(SUMMARY)
    expect(phone.locator("main")).to_contain_text(label)
    assert_fits_the_screen(phone)
    phone.locator("main .message.reply").scroll_into_view_if_needed()
    screenshot(phone, "reports-phone-reply")

    # The reply shows as read at the office once she has opened it.
    office.reload()
    expect(office.locator("main dl.facts")).not_to_contain_text("尚未")


DRAFTS = "Object.keys(window.{store}).filter(k => k.startsWith('sunlit.draft.'))"


def test_a_phone_keeps_the_draft_and_a_lost_answer_is_sent_again_with_the_same_key(
    new_page: Callable[..., Any], screenshot: Callable[[Any, str], Any]
) -> None:
    phone = new_page()
    phone.goto(f"/reports/new/?kind=village&ref={VILLAGE}")
    form = phone.locator("main form.report-form")
    key = form.locator("input[name=key]").input_value()
    form.locator("input[name=category][value=welfare]").check()
    form.locator("textarea[name=text]").fill("低保名单里有村干部的亲戚。")
    assert phone.evaluate(DRAFTS.format(store="localStorage"))

    # Closed by mistake and opened again: the words, the choice and the key come back.
    phone.reload()
    expect(form.locator("textarea[name=text]")).to_have_value("低保名单里有村干部的亲戚。")
    expect(form.locator("input[name=category][value=welfare]")).to_be_checked()
    assert form.locator("input[name=key]").input_value() == key
    expect(form.locator(".draft-status")).to_contain_text("已恢复")

    # The report reaches the server but its answer is lost on the way back.
    first: dict[str, str] = {}

    def lose_the_first_answer(route: Any) -> None:
        if route.request.method != "POST" or first:
            route.continue_()
            return
        first["html"] = route.fetch().text()
        route.abort("internetdisconnected")

    phone.route(lambda url: url.endswith("/reports/new/"), lose_the_first_answer)
    form.get_by_role("button", name="提交举报").click()
    expect(form.locator(".draft-status[role=alert]")).to_contain_text("网络连接中断")
    screenshot(phone, "reports-phone-connection-lost")
    # …and is sent again by itself, with the same key: the same report, the same receipt.
    expect(phone.locator("main h1")).to_have_text("举报已收到", timeout=20_000)
    shown = phone.locator(".receipt-number").get_attribute("data-receipt")
    assert shown and f'data-receipt="{shown}"' in first["html"]
    assert phone.evaluate(DRAFTS.format(store="localStorage")) == []

    # Later she adds a word on the follow-up page; again the answer is lost, and the
    # message is sent again by itself with its key: the office gets it once.
    phone.goto("/reports/follow/")
    phone.locator("main form input[name=receipt]").fill(shown)
    phone.locator("main form button[type=submit]").click()
    expect(phone.locator("main h1")).to_have_text("您的举报")
    lost: dict[str, bool] = {}

    def lose_the_message_answer(route: Any) -> None:
        if route.request.method == "POST" and not lost and 'name="key"' in (route.request.post_data or ""):
            route.fetch()
            lost["once"] = True
            route.abort("internetdisconnected")
            return
        route.continue_()

    phone.route(lambda url: url.endswith("/reports/follow/"), lose_the_message_answer)
    message = phone.locator("main form[data-draft=follow]")
    message.locator("textarea[name=body]").fill("补充：名单上第三户是村主任的妹妹。")
    message.get_by_role("button", name="发送").click()
    expect(message.locator(".draft-status[role=alert]")).to_contain_text("网络连接中断")
    expect(phone.locator("main ol.messages")).to_contain_text("第三户", timeout=20_000)
    assert lost and phone.locator("main ol.messages li", has_text="第三户").count() == 1


def test_a_kiosk_sends_when_the_connection_returns_and_forgets_drafts_when_it_goes_home(
    new_page: Callable[..., Any],
) -> None:
    kiosk = new_page(viewport=KIOSK)
    kiosk.clock.install()
    kiosk.goto(f"/kiosk/reports/new/?kind=village&ref={VILLAGE}")
    form = kiosk.locator("main form.report-form")
    form.locator("input[name=category][value=project]").tap()
    form.locator("textarea[name=text]").fill("村道硬化只修了一半。")
    assert kiosk.evaluate(DRAFTS.format(store="sessionStorage"))
    assert kiosk.evaluate(DRAFTS.format(store="localStorage")) == []  # never kept beyond the visit

    kiosk.context.set_offline(True)
    form.get_by_role("button", name="提交举报").tap()
    expect(form.locator(".draft-status[role=alert]")).to_contain_text("网络连接中断")
    kiosk.context.set_offline(False)
    expect(kiosk.locator("main h1")).to_have_text("举报已收到", timeout=20_000)
    assert kiosk.evaluate(DRAFTS.format(store="sessionStorage")) == []
    # The receipt replaced the form without a reload: its print button still prints, and
    # the kiosk still goes home after the idle time, taking the receipt off the screen.
    kiosk.evaluate("window.print = () => { window.printed = true; }")
    kiosk.locator("[data-print]").tap()
    assert kiosk.evaluate("window.printed") is True
    kiosk.clock.fast_forward("01:31")
    expect(kiosk).to_have_url(re.compile(r"/kiosk/$"))

    # The next villager starts a complaint and walks away: after the idle time the kiosk
    # goes home, and the words are gone.
    kiosk.goto(f"/kiosk/reports/new/?kind=village&ref={VILLAGE}")
    form.locator("textarea[name=text]").fill("这是我的私事，不想让下一个人看到。")
    assert kiosk.evaluate(DRAFTS.format(store="sessionStorage"))
    kiosk.clock.fast_forward("01:31")
    expect(kiosk).to_have_url(re.compile(r"/kiosk/$"))
    assert kiosk.evaluate(DRAFTS.format(store="sessionStorage")) == []
    kiosk.goto(f"/kiosk/reports/new/?kind=village&ref={VILLAGE}")
    expect(form.locator("textarea[name=text]")).to_have_value("")

    # The same when she taps Home herself.
    form.locator("textarea[name=text]").fill("写了一半。")
    kiosk.locator(".kiosk-home").tap()
    expect(kiosk).to_have_url(re.compile(r"/kiosk/$"))
    assert kiosk.evaluate(DRAFTS.format(store="sessionStorage")) == []
    kiosk.go_back()  # nor does the browser keep what was typed (autocomplete=off)
    expect(form.locator("textarea[name=text]")).to_have_value("")
