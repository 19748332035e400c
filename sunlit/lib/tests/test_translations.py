"""Chinese is the default language: every user-facing string must have its translation."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

PO = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def _entries() -> list[str]:
    return PO.read_text(encoding="utf-8").split("\n\n")[1:]


def test_it_has_no_fuzzy_translations() -> None:
    fuzzy = [e for e in _entries() if "#, fuzzy" in e]
    assert not fuzzy, "fuzzy entries (check and remove the flag):\n" + "\n\n".join(fuzzy[:5])


def test_it_translates_every_string() -> None:
    missing = [
        e for e in _entries()
        if not e.lstrip().startswith("#~")
        and re.search(r'^msgstr(\[0\])? ""\Z', e.strip().splitlines()[-1])
    ]
    assert not missing, "untranslated (run make messages and translate):\n" + "\n\n".join(missing[:5])


def _po_pairs() -> dict[str, str]:
    """msgid → msgstr of the singular entries, strings joined and unescaped."""
    pairs: dict[str, str] = {}
    for entry in _entries():
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
                line = line[len(head):].strip()
            if current and line.startswith('"'):
                parts[current].append(ast.literal_eval(line))
        key = "".join(parts["msgid"])
        if parts["msgctxt"]:
            key = "".join(parts["msgctxt"]) + "\x04" + key
        pairs[key] = "".join(parts["msgstr"])
    return pairs


def test_it_ships_compiled_messages_that_match_their_source() -> None:
    with PO.with_suffix(".mo").open("rb") as f:
        catalog = gettext.GNUTranslations(f)._catalog  # type: ignore[attr-defined]
    stale = {k: v for k, v in _po_pairs().items() if k and catalog.get(k) != v}
    assert not stale, f"django.mo is stale (run make messages): {list(stale)[:5]}"
