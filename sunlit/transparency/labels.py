"""Readable names for the fields of published snapshots.

A snapshot's keys are stable English identifiers (they are hashed and must never change);
villagers read the entry page in their own language. Each room declares the labels of
the keys it publishes in its manifest (room.py, `labels`); a key means one thing across
snapshots, so two rooms may not both declare it. Unknown keys are shown as they are.
"""

from __future__ import annotations

import re

from sunlit.lib import rooms

_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def label_for(path: str) -> str:
    """'history[2].outcome' → '历史 2 · 结果' (each known segment translated)."""
    labels = rooms.registry().labels
    parts: list[str] = []
    for name, index in _SEGMENT.findall(path):
        if index:
            parts[-1] = f"{parts[-1]} {index}" if parts else index
        else:
            parts.append(str(labels.get(name, name)))
    return " · ".join(parts) or path
