"""The powers room keeps its own catalogue (sunlit/powers/locale): complete and compiled."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest

# The project-wide checks' parser, pointed at this room's file.
from sunlit.lib.tests import test_translations as central

PO = Path(__file__).resolve().parents[1] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    return PO.read_text(encoding="utf-8").split("\n\n")[1:]


def test_it_has_no_fuzzy_translations() -> None:
    assert not [e for e in _entries() if "#, fuzzy" in e]


def test_it_translates_every_string() -> None:
    missing = [e for e in _entries() if e.strip() and not e.lstrip().startswith("#~")
               and e.strip().splitlines()[-1] in ('msgstr ""', 'msgstr[0] ""')]
    assert not missing, "untranslated:\n" + "\n\n".join(missing[:5])


def test_it_ships_compiled_messages_that_match_their_source(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(central, "PO", PO)
    pairs = central._po_pairs()
    with PO.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = {k: v for k, v in pairs.items() if k and catalog.get(k) != v}
    assert not stale, f"django.mo is stale: {list(stale)[:5]}"
