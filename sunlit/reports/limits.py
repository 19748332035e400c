"""Rate limits on the public side: wrong receipts and new reports, counted in the cache.

Counters live in Django's cache (Redis in production, shared by every web worker), in
fixed one-hour windows. A kiosk is one IP and one device for a whole village, so the
per-device limit is generous enough for honest typos and tight enough for a script.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("sunlit.reports")
WINDOW = 3600


def _key(kind: str, who: str) -> str:
    return f"reports:{kind}:{who}:{int(time.time()) // WINDOW}"


def _count(key: str) -> int:
    return int(cache.get(key, 0))


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:
        cache.add(key, 1, WINDOW + 60)


def guesses_blocked(ip: str, device: str) -> bool:
    return (
        _count(_key("guess-ip", ip)) >= settings.SUNLIT_REPORTS_GUESSES_PER_IP
        or (bool(device) and _count(_key("guess-dev", device)) >= settings.SUNLIT_REPORTS_GUESSES_PER_DEVICE)
        or _count(_key("guess-all", "-")) >= settings.SUNLIT_REPORTS_GUESSES_GLOBAL
    )


def guess_failed(ip: str, device: str) -> None:
    _bump(_key("guess-ip", ip))
    if device:
        _bump(_key("guess-dev", device))
    _bump(_key("guess-all", "-"))


def filings_blocked(ip: str, device: str) -> bool:
    limit = settings.SUNLIT_REPORTS_FILINGS_PER_IP
    return _count(_key("file-ip", ip)) >= limit or (bool(device) and _count(_key("file-dev", device)) >= limit)


def filed(ip: str, device: str) -> None:
    _bump(_key("file-ip", ip))
    if device:
        _bump(_key("file-dev", device))
