"""Canonical bytes for everything that gets hashed or signed in the publication log.

Anyone holding a published snapshot must be able to recompute its hash with nothing but
a JSON library, in any language. So the serialisation is the plainest one we could pick:
keys sorted, no whitespace, UTF-8 as is (no \\u escapes for Chinese), and no floating-point
numbers at all (their text form differs between languages; money is integer fen).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput

# The "previous hash" of the first entry in a chain, and of the first signed root.
GENESIS = "0" * 64


def _check(value: Any, path: str) -> None:
    # bool is a subclass of int and is fine; float is what we refuse.
    if isinstance(value, float):
        raise InvalidInput(
            _("%(path)s is a decimal number; publish money as integer fen and other fractions as text")
            % {"path": path or "snapshot"},
            field="snapshot",
        )
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                # json.dumps would turn 1 into "1": the snapshot would not read back equal.
                raise InvalidInput(
                    _("%(path)s has a key %(key)r that is not text") % {"path": path or "snapshot", "key": key},
                    field="snapshot",
                )
            _check(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check(item, f"{path}[{index}]")
    elif value is not None and not isinstance(value, str | int):
        raise InvalidInput(
            _("%(path)s has a value of type %(type)s, which JSON cannot carry; convert it to text or integer first")
            % {"path": path or "snapshot", "type": type(value).__name__},
            field="snapshot",
        )


def canonical_json(value: Any) -> str:
    """The one text form of `value`: sorted keys, compact, UTF-8, no floats."""
    _check(value, "")
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def sha256_hex(text: str | bytes) -> str:
    data = text.encode("utf-8") if isinstance(text, str) else text
    return hashlib.sha256(data).hexdigest()


def timestamp(moment: datetime) -> str:
    """UTC, always with microseconds, so the text is the same after a database round trip."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def entry_hash_input(
    *,
    chain: str,
    seq: int,
    prev_hash: str,
    kind: str,
    ref: str,
    snapshot_sha256: str,
    published_at: datetime,
    publisher_id: int | None,
    supersedes_hash: str | None,
    reason: str,
) -> str:
    """What an entry's hash covers: every field that says what was published, where, when,
    by whom and in place of what. Changing any of them changes the hash."""
    return canonical_json(
        {
            "chain": chain,
            "kind": kind,
            "prev_hash": prev_hash,
            "published_at": timestamp(published_at),
            "publisher": publisher_id,
            "reason": reason,
            "ref": ref,
            "seq": seq,
            "snapshot_sha256": snapshot_sha256,
            "supersedes": supersedes_hash,
        }
    )


def root_statement(
    *,
    batch: int,
    first_entry_id: int,
    last_entry_id: int,
    tree_size: int,
    root_hash: str,
    prev_root_hash: str,
    signed_at: datetime,
    key_fingerprint: str,
) -> str:
    """The text that the signing key signs for one Merkle root."""
    return canonical_json(
        {
            "batch": batch,
            "first_entry_id": first_entry_id,
            "key_fingerprint": key_fingerprint,
            "last_entry_id": last_entry_id,
            "prev_root_hash": prev_root_hash,
            "root_hash": root_hash,
            "signed_at": timestamp(signed_at),
            "tree_size": tree_size,
        }
    )
