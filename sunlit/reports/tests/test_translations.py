"""The reports and bulletins pages speak Chinese by default (their catalogues are checked
with every other in sunlit/lib/tests/test_translations.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation


def test_it_renders_the_filing_page_in_chinese(client: Client, regions: dict, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        body = client.get("/kiosk/reports/new/").content.decode()
    assert "我要举报" in body and "匿名（推荐）" in body
