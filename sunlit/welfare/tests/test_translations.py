"""The welfare room's pages speak Chinese by default (its catalogue is checked with every
other in sunlit/lib/tests/test_translations.py)."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_it_covers_every_string_in_the_room() -> None:
    with PO.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    assert catalog.gettext("Has my subsidy arrived?") == "我的补贴到账了吗？"
    assert catalog.pgettext("household member", "active") == "正常"


@pytest.mark.django_db
def test_it_speaks_chinese_by_default(client: Client, regions: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"  # the room's tests pin English; the deployment's default
    body = client.get(reverse("welfare:kiosk_check")).content.decode()
    assert "我的补贴到账了吗" in body and "Has my subsidy arrived" not in body
    home = client.get(reverse("portal:home")).content.decode()
    assert "查询我的补贴是否到账" in home
