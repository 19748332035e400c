"""Readable names for the fields of published snapshots.

A snapshot's keys are stable English identifiers (they are hashed and must never change);
villagers read the entry page in their own language. Each room registers the labels of
the keys it publishes (in its AppConfig.ready); unknown keys are shown as they are.
"""

from __future__ import annotations

import re

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

_LABELS: dict[str, str | Promise] = {
    "code": _("Region code"),
    "name": _("Name"),
    "level": _("Level"),
    "parent_code": _("Part of (code)"),
    "is_community": _("Urban community"),
    "phone": _("Service-centre phone"),
    "address": _("Address"),
}
_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def register(labels: dict[str, str | Promise]) -> None:
    _LABELS.update(labels)


def label_for(path: str) -> str:
    """'history[2].outcome' → '历史 2 · 结果' (each known segment translated)."""
    parts: list[str] = []
    for name, index in _SEGMENT.findall(path):
        if index:
            parts[-1] = f"{parts[-1]} {index}" if parts else index
        else:
            parts.append(str(_LABELS.get(name, name)))
    return " · ".join(parts) or path
