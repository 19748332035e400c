"""The cases and workdays pages speak Chinese by default (their catalogues are checked with
every other in sunlit/lib/tests/test_translations.py)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.utils import translation


def test_it_speaks_chinese_by_default(db: None) -> None:
    from sunlit.cases.models import CaseState

    with translation.override("zh-hans"):
        assert str(CaseState.PAUSED.label) == "因异议暂停"
        assert translation.gettext("Follow your application") == "查询办理进度"
        assert translation.gettext("Working-day calendar") == "工作日日历"


def test_it_renders_the_follow_page_in_chinese(client: Client, regions: dict, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # the deployed default (this room's tests pin English)
    body = client.get("/kiosk/cases/follow/").content.decode()
    assert "查询办理进度" in body and "案件编号" in body
