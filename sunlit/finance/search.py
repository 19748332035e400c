# ruff: noqa: S608 -- table names in SQL come from models; every value is a parameter
"""Chinese substring search over published summaries and counterparties, per township.

Chinese has no spaces to split words on, and a villager searching 硬化 wants 村道硬化 and
硬化工程 alike: a substring search. `LIKE '%硬化%'` reads every row of the township; full-text
engines split text into words (wrong for Chinese) or trigrams (SQLite FTS5's trigram
tokenizer and PostgreSQL's pg_trgm cannot use their index for a two-character query, the
most common kind). So the index is ours, the same on both databases:

- SearchText holds each distinct normalised text of a township once. Village books
  repeat the same few hundred summaries and suppliers month after month, so there are
  far fewer texts than entries.
- SearchGram holds (township, character pair, text): every adjacent pair of every text,
  plus (last character, end) so that every character starts some pair.

A query of two characters is one index range; of one character, a range over the pairs it
starts; longer queries intersect their pairs and confirm with LIKE on the few candidate
texts. Entries are then found by their text ids through an index that also leads with the
township.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from sunlit.finance.models import SearchGram, SearchText

BASE = 0x110000  # one past the largest code point
MAX_QUERY_GRAMS = 8
MAX_QUERY_LENGTH = 40


def normalise(text: str) -> str:
    """What is indexed and what is searched for: NFKC (full-width ＡＢ１ → AB1), case
    folded, whitespace removed (a query of 村道 finds 村 道)."""
    return "".join(unicodedata.normalize("NFKC", text or "").casefold().split())


def grams(norm: str) -> set[int]:
    points = [ord(c) for c in norm]
    return {a * BASE + b for a, b in zip(points, [*points[1:], 0], strict=True)}


def text_ids(township_code: str, texts: Iterable[str]) -> dict[str, int]:
    """Ids of the normalised `texts` in this township, creating and indexing new ones."""
    wanted = {t for t in texts if t}
    if not wanted:
        return {}
    found: dict[str, int] = {}
    chunk = sorted(wanted)
    for i in range(0, len(chunk), 500):
        found.update(
            SearchText.objects.filter(township_code=township_code, text__in=chunk[i : i + 500]).values_list(
                "text", "id"
            )
        )
    new = sorted(wanted - set(found))
    if new:
        # Another village of the township may be publishing the same text at this moment.
        SearchText.objects.bulk_create(
            [SearchText(township_code=township_code, text=t) for t in new], ignore_conflicts=True, batch_size=500
        )
        for i in range(0, len(new), 500):
            found.update(
                SearchText.objects.filter(township_code=township_code, text__in=new[i : i + 500]).values_list(
                    "text", "id"
                )
            )
        SearchGram.objects.bulk_create(
            [SearchGram(township_code=township_code, gram=g, text_id=found[t]) for t in new for g in grams(t)],
            ignore_conflicts=True,
            batch_size=2000,
        )
    return found


def escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching_texts_sql(township_code: str, query: str) -> tuple[str, list[object]] | None:
    """SQL selecting the ids of the township's texts that contain `query` (normalised), or
    None when the query is empty."""
    norm = normalise(query)[:MAX_QUERY_LENGTH]
    if not norm:
        return None
    table, texts = SearchGram._meta.db_table, SearchText._meta.db_table
    if len(norm) == 1:
        low = ord(norm) * BASE
        return (
            f"SELECT DISTINCT text_id FROM {table} WHERE township_code = %s AND gram >= %s AND gram < %s",
            [township_code, low, low + BASE],
        )
    wanted = sorted(grams(norm) - {ord(norm[-1]) * BASE})[:MAX_QUERY_GRAMS]
    marks = ", ".join(["%s"] * len(wanted))
    if len(wanted) == 1:
        # Exactly the pair: the index answers alone.
        return (
            f"SELECT text_id FROM {table} WHERE township_code = %s AND gram = %s ORDER BY text_id",
            [township_code, wanted[0]],
        )
    return (
        f"SELECT id FROM {texts} WHERE id IN ("
        f"SELECT text_id FROM {table} WHERE township_code = %s AND gram IN ({marks}) "
        f"GROUP BY text_id HAVING COUNT(*) = %s) AND text LIKE %s ESCAPE '\\'",
        [township_code, *wanted, len(wanted), f"%{escape_like(norm)}%"],
    )
