"""The reports and bulletins rooms keep their own catalogues: every string translated,
none fuzzy, the compiled file matching its source."""

from __future__ import annotations

import gettext
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from sunlit.lib.tests import test_translations as central

ROOT = Path(__file__).resolve().parents[2]
CATALOGUES = [ROOT / room / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po" for room in ("reports", "bulletins")]


def _entries(po: Path) -> list[str]:
    return po.read_text(encoding="utf-8").split("\n\n")[1:]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_has_no_fuzzy_translations(po: Path) -> None:
    assert not [e for e in _entries(po) if "#, fuzzy" in e]


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_translates_every_string(po: Path) -> None:
    missing = [e for e in _entries(po) if e.strip() and not e.lstrip().startswith("#~")
               and e.strip().splitlines()[-1] in ('msgstr ""', 'msgstr[0] ""')]
    assert not missing, "untranslated:\n" + "\n\n".join(missing[:5])


@pytest.mark.parametrize("po", CATALOGUES, ids=lambda p: p.parts[-5])
def test_it_ships_compiled_messages_that_match_their_source(po: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central, "PO", po)
    pairs = central._po_pairs()
    with po.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = {k: v for k, v in pairs.items() if k and catalog.get(k) != v}
    assert not stale, f"django.mo is stale: {list(stale)[:5]}"


def test_it_renders_the_filing_page_in_chinese(client: Client, regions: dict, settings: Any) -> None:
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        body = client.get("/kiosk/reports/new/").content.decode()
    assert "我要举报" in body and "匿名（推荐）" in body
