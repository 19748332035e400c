"""Rate limits on the public side: wrong receipts and new reports, counted in the cache.

Counters live in Django's cache (Redis in production, shared by every web worker), in
fixed one-hour windows. A kiosk is one IP and one device for a whole village, so the
per-device limit is generous enough for honest typos and tight enough for a script.
"""

from __future__ import annotations

import logging

from django.conf import settings

from sunlit.lib.ratelimit import HourlyCounter

logger = logging.getLogger("sunlit.reports")


_counter = HourlyCounter("reports")
_count, _bump = _counter.count, _counter.bump


def guesses_blocked(ip: str, device: str) -> bool:
    return (
        _count("guess-ip", ip) >= settings.SUNLIT_REPORTS_GUESSES_PER_IP
        or (bool(device) and _count("guess-dev", device) >= settings.SUNLIT_REPORTS_GUESSES_PER_DEVICE)
        or _count("guess-all", "-") >= settings.SUNLIT_REPORTS_GUESSES_GLOBAL
    )


def guess_failed(ip: str, device: str) -> None:
    _bump("guess-ip", ip)
    if device:
        _bump("guess-dev", device)
    _bump("guess-all", "-")


def filings_blocked(ip: str, device: str) -> bool:
    limit = settings.SUNLIT_REPORTS_FILINGS_PER_IP
    return _count("file-ip", ip) >= limit or (bool(device) and _count("file-dev", device) >= limit)


def filed(ip: str, device: str) -> None:
    _bump("file-ip", ip)
    if device:
        _bump("file-dev", device)
