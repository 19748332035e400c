"""The projects room's pages speak Chinese by default (its catalogue is checked with every
other in sunlit/lib/tests/test_translations.py)."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.conftest import TOWNSHIP_A

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_it_covers_every_string_in_the_room() -> None:
    with PO.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)
    assert catalog.gettext("Village project construction") == "村级项目建设"
    assert catalog.gettext("Acceptance report") == "验收报告"


@pytest.mark.django_db
def test_it_speaks_chinese_by_default(client: Client, regions: Any, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    body = client.get(reverse("projects:township", args=[TOWNSHIP_A])).content.decode()
    assert "村级项目建设" in body and "Village project construction" not in body
