"""The books of one month, from the township agent's export to the villager at the kiosk.

The agent of 六亩塘镇 uploads January's export for 枫垅村 (the demo's books end in
December 2025) and a background worker imports it while the page shows the progress; she
attaches a receipt and closes the month. The village's supervision committee approves the
vouchers and signs the month off, which publishes it. A villager at the village hall's
kiosk then finds the month, reads its entries and opens the receipt, by touch alone.
"""

from __future__ import annotations

import io
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import expect

from e2e.conftest import KIOSK, ROOT
from e2e.test_office import PASSWORD, demo_account, totp_code

pytestmark = pytest.mark.e2e

VILLAGE = "431382101201"  # the first village of 六亩塘镇 in the small demo
MONTH = "2026-01"
EXPORT = (
    "\n".join(
        [
            "村代码,日期,凭证号,摘要,科目编码,借方金额,贷方金额,对方单位,结算方式",
            f"{VILLAGE},2026-01-05,1,收到2026年第1季度村级组织运转经费,102,45000.00,,六亩塘镇财政所,银行",
            f"{VILLAGE},2026-01-05,1,收到2026年第1季度村级组织运转经费,503,,45000.00,六亩塘镇财政所,银行",
            f"{VILLAGE},2026-01-12,2,支付1月村部电费,513,386.40,,国网湖南省电力有限公司涟源市供电分公司,银行",
            f"{VILLAGE},2026-01-12,2,支付1月村部电费,102,,386.40,国网湖南省电力有限公司涟源市供电分公司,银行",
            f"{VILLAGE},2026-01-20,3,春节慰问困难群众,515,2400.00,,困难户（6户）,现金",
            f"{VILLAGE},2026-01-20,3,春节慰问困难群众,101,,2400.00,困难户（6户）,现金",
        ]
    )
    + "\n"
)


def receipt_png() -> bytes:
    image = Image.new("RGB", (480, 320), (250, 248, 238))
    draw = ImageDraw.Draw(image)
    draw.rectangle((8, 8, 471, 311), outline=(120, 110, 90), width=3)
    for i, text in enumerate(["RECEIPT  No. 2026-0002", "2026-01-12", "386.40 CNY", "State Grid Lianyuan"]):
        draw.text((30, 40 + i * 50), text, fill=(30, 30, 60))
    draw.ellipse((330, 190, 440, 300), outline=(190, 30, 30), width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def worker(e2e_env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    """The background worker that runs uploaded imports (as `make run` starts it)."""
    log = Path(e2e_env["E2E_LOG"])
    with log.open("a", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--interval", "0.5", "--no-startup-delay", "--no-reload"],
            cwd=ROOT,
            env=e2e_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_in(page: Any, username: str, secret: str = "") -> None:
    page.goto("/accounts/login/")
    page.locator("main input[name=username]").fill(username)
    page.locator("main input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").first.click()
    if secret:
        expect(page).to_have_url(re.compile(r"/accounts/otp/"))
        page.locator("input[name=token]").fill(totp_code(secret))
        page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/office/$"))


def test_an_agent_imports_a_month_the_committee_signs_it_off_and_a_villager_reads_it(
    new_page: Callable[..., Any],
    e2e_env: dict[str, str],
    screenshot: Callable[[Any, str], Any],
    worker: subprocess.Popen[bytes],
) -> None:
    # The township agent uploads January's export; the worker imports it in the background.
    agent = demo_account(e2e_env, "township_official", "431382101000")
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, agent["username"], agent["secret"])
    page.goto("/office/finance/imports/")
    page.locator("input[name=file]").set_input_files(
        {"name": "枫垅村-2026-01.csv", "mimeType": "text/csv", "buffer": EXPORT.encode("gb18030")}
    )
    page.get_by_role("button", name="上传并导入").click()
    expect(page).to_have_url(re.compile(r"/office/finance/imports/\d+/$"))
    expect(page.locator("#import-progress progress")).to_be_visible()
    expect(page.get_by_text("已导入凭证 3 张、分录 6 笔")).to_be_visible(timeout=60_000)
    screenshot(page, "finance-import-done")

    # She attaches the electricity bill to voucher No. 2 and closes the month.
    page.goto(f"/office/finance/v/{VILLAGE}/{MONTH}/")
    page.get_by_role("link", name="2", exact=True).click()
    page.locator("input[name=file]").set_input_files(
        {"name": "电费发票.png", "mimeType": "image/png", "buffer": receipt_png()}
    )
    page.get_by_role("button", name="上传", exact=True).click()
    expect(page.get_by_text("票据已上传。")).to_be_visible()
    page.goto(f"/office/finance/v/{VILLAGE}/{MONTH}/")
    page.get_by_role("button", name="结账").click()
    expect(page.get_by_text("已结账，余额已计算。")).to_be_visible()

    # The supervision committee approves the vouchers and signs the month off.
    committee = demo_account(e2e_env, "supervisor", VILLAGE)
    page = new_page(viewport={"width": 1280, "height": 900})
    log_in(page, committee["username"])
    page.goto(f"/office/finance/v/{VILLAGE}/{MONTH}/")
    expect(page.get_by_text("已登记，待监委会审核").or_(page.get_by_text("已记账")).first).to_be_visible()
    page.get_by_role("button", name="全部同意").click()
    expect(page.get_by_text("已同意 3 张凭证。")).to_be_visible()
    screenshot(page, "finance-committee-month")
    page.get_by_role("button", name="签字并公开").click()
    expect(page.get_by_text("已签字并公开。")).to_be_visible()

    # A villager at the kiosk finds the month, reads it and opens the receipt.
    kiosk = new_page(viewport=KIOSK)
    kiosk.goto(f"/kiosk/v/{VILLAGE}/")
    kiosk.get_by_role("link", name="财务公开").click()
    expect(kiosk).to_have_url(re.compile(rf"/kiosk/v/{VILLAGE}/finance/$"))
    kiosk.get_by_role("link", name="2026年1月").tap()
    expect(kiosk.locator("h1")).to_contain_text("2026-01")
    expect(kiosk.get_by_text("支付1月村部电费").first).to_be_visible()
    expect(kiosk.get_by_text("45,000.00").first).to_be_visible()
    screenshot(kiosk, "finance-kiosk-month")
    kiosk.locator("#v2 .receipts a").first.tap()
    expect(kiosk).to_have_url(re.compile(r"/kiosk/finance/receipts/[0-9a-f]{64}/$"))
    receipt = kiosk.locator(".receipt-full img")
    expect(receipt).to_be_visible()
    # The image itself (cleaned, not a placeholder), once the browser has decoded it.
    assert receipt.evaluate("img => img.decode().then(() => img.naturalWidth)") == 480
    screenshot(kiosk, "finance-kiosk-receipt")
    kiosk.get_by_role("link", name="返回凭证").tap()
    expect(kiosk).to_have_url(re.compile(rf"/kiosk/v/{VILLAGE}/finance/{MONTH}/#v2$"))

    # The same month on a phone, with its proof and downloads.
    phone = new_page()
    phone.goto(f"/v/{VILLAGE}/finance/{MONTH}/")
    expect(phone.get_by_role("link", name="公开存证")).to_be_visible()
    phone.locator("#v2 details.question summary").click()
    expect(phone.locator("#v2 .question-body")).to_be_visible()
    screenshot(phone, "finance-phone-month")
