"""Chinese is the default language: every user-facing string must have its translation.

One set of checks for every catalogue in the project — the central one (sunlit/locale)
and each room's own (sunlit/<room>/locale), found on disk, so a new room's catalogue is
checked the day it appears: nothing fuzzy, nothing untranslated, and the compiled .mo
matching its source. The rooms' own tests only check that their pages speak Chinese.
"""

from __future__ import annotations

import ast
import gettext
from pathlib import Path

import pytest

SUNLIT = Path(__file__).resolve().parents[2]
PO = SUNLIT / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"
CATALOGUES = sorted(SUNLIT.glob("**/locale/zh_Hans/LC_MESSAGES/django.po"))


def _name(po: Path) -> str:
    room = po.relative_to(SUNLIT).parts[0]
    return "sunlit" if room == "locale" else room


def _entries(po: Path) -> list[str]:
    return po.read_text(encoding="utf-8").split("\n\n")[1:]


def _po_pairs(po: Path) -> dict[str, str]:
    """msgid → msgstr of the singular entries, strings joined and unescaped."""
    pairs: dict[str, str] = {}
    for entry in _entries(po):
        if "msgid_plural" in entry or entry.lstrip().startswith("#~"):
            continue
        parts: dict[str, list[str]] = {"msgctxt": [], "msgid": [], "msgstr": []}
        current = None
        for line in entry.splitlines():
            if line.startswith("#"):
                continue
            head = line.split(" ", 1)[0]
            if head in parts:
                current = head
                line = line[len(head) :].strip()
            if current and line.startswith('"'):
                parts[current].append(ast.literal_eval(line))
        key = "".join(parts["msgid"])
        if parts["msgctxt"]:
            key = "".join(parts["msgctxt"]) + "\x04" + key
        pairs[key] = "".join(parts["msgstr"])
    return pairs


def test_it_finds_every_catalogue() -> None:
    assert {"sunlit", "finance", "cases", "reports"} <= {_name(po) for po in CATALOGUES}


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_it_has_no_fuzzy_translations(po: Path) -> None:
    fuzzy = [e for e in _entries(po) if "#, fuzzy" in e and not e.lstrip().startswith("#~")]
    assert not fuzzy, "fuzzy entries (check and remove the flag):\n" + "\n\n".join(fuzzy[:5])


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_it_translates_every_string(po: Path) -> None:
    missing = [
        e
        for e in _entries(po)
        if e.strip() and not e.lstrip().startswith("#~") and e.strip().splitlines()[-1] in ('msgstr ""', 'msgstr[0] ""')
    ]
    assert not missing, "untranslated (run make messages and translate):\n" + "\n\n".join(missing[:5])


@pytest.mark.parametrize("po", CATALOGUES, ids=_name)
def test_it_ships_compiled_messages_that_match_their_source(po: Path) -> None:
    with po.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = {k: v for k, v in _po_pairs(po).items() if k and catalog.get(k) != v}
    assert not stale, f"{po.with_suffix('.mo')} is stale (run make messages): {list(stale)[:5]}"


def test_it_translates_a_string_the_same_way_in_every_catalogue() -> None:
    """Django merges the catalogues: one msgid has one translation at runtime (the central
    catalogue's, else the first installed room's). Two rooms translating the same words
    differently means one room shows the other's — a report "accepted" (已受理) read as a
    project "accepted" (已验收). Give such words a context (pgettext, {% translate … context %})."""
    seen: dict[str, dict[str, str]] = {}
    for po in CATALOGUES:
        for key, value in _po_pairs(po).items():
            if key:
                seen.setdefault(key, {})[_name(po)] = value
    clashes = {key.replace("\x04", " | "): rooms for key, rooms in seen.items() if len(set(rooms.values())) > 1}
    assert not clashes, f"the same msgid translated differently: {list(clashes.items())[:5]}"
