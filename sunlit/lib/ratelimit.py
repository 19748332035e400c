"""Counters for rate limits, in fixed one-hour windows in Django's cache (Redis in
production, shared by every web worker; local memory in development and tests).

Each room names its own counters (reports: wrong receipts and new filings; welfare: the
self-check's misses) and decides its limits; this holds only the counting.
"""

from __future__ import annotations

import time

from django.core.cache import cache

WINDOW = 3600


class HourlyCounter:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def _key(self, kind: str, who: str) -> str:
        return f"{self.namespace}:{kind}:{who}:{int(time.time()) // WINDOW}"

    def count(self, kind: str, who: str) -> int:
        return int(cache.get(self._key(kind, who), 0))

    def bump(self, kind: str, who: str) -> None:
        key = self._key(kind, who)
        try:
            cache.incr(key)
        except ValueError:
            cache.add(key, 1, WINDOW + 60)
