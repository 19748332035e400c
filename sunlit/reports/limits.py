"""Rate limits on the public side: wrong receipts and new reports.

Counters live in the shared store of sunlit/lib/ratelimit.py (Redis, or the database:
exact across web workers), in fixed one-hour windows. Wrong receipts are counted:

- **on a phone**, per device (10 an hour) and per address (20 an hour);
- **on a kiosk**, per visit (5) and per kiosk address (60 an hour). A kiosk is one device
  and one address for a whole village: counted per device, twenty wrong receipts by anyone
  blocked the follow-up for everyone there for an hour (issue #14). A visit ends with the
  kiosk's idle reset (sunlit/lib/devices.py), so the next villager is served, while one
  person still cannot try more than 5 receipts in a visit; the kiosk's ceiling of 60 stops
  a script that restarts visits, and an operator or administrator lifts it at once
  (/office/kiosk-unlock/, audit-logged).
- **everywhere**, 1000 an hour in all. A receipt is 16 random digits: what is guessed is
  never the same receipt twice, so the limit that protects receipts is this global one
  (1000 guesses an hour find one of a million receipts with odds of 1 in 10^7).
"""

from __future__ import annotations

import logging

from django.conf import settings

from sunlit.lib.ratelimit import HourlyCounter, Limit, Taken

logger = logging.getLogger("sunlit.reports")


_counter = HourlyCounter("reports")
_count, _bump = _counter.count, _counter.bump


def take_guess(*, ip: str, device: str, visit: str, kiosk: bool) -> Taken | None:
    """A place for one receipt look-up under every limit it falls under, or None: refuse it.
    The place is taken before the look-up, so that concurrent guesses cannot pass a limit;
    a right receipt gives it back (`give_back`)."""
    if kiosk:
        limits = [
            Limit("guess-visit", visit, settings.SUNLIT_REPORTS_GUESSES_PER_VISIT),
            Limit("guess-kiosk", ip, settings.SUNLIT_REPORTS_GUESSES_PER_KIOSK),
        ]
    else:
        limits = [Limit("guess-ip", ip, settings.SUNLIT_REPORTS_GUESSES_PER_IP)]
        if device:
            limits.append(Limit("guess-dev", device, settings.SUNLIT_REPORTS_GUESSES_PER_DEVICE))
    limits.append(Limit("guess-all", "-", settings.SUNLIT_REPORTS_GUESSES_GLOBAL))
    return _counter.take(limits)


give_back = _counter.give_back


def unlock_kiosk(ip: str) -> None:
    """An operator's unlock of a kiosk's address: its wrong receipts are forgotten."""
    for kind in ("guess-kiosk", "guess-ip"):
        _counter.clear(kind, ip)
    _counter.clear("guess-visit", f"no-visit:{ip}")


def filings_blocked(ip: str, device: str) -> bool:
    limit = settings.SUNLIT_REPORTS_FILINGS_PER_IP
    return _count("file-ip", ip) >= limit or (bool(device) and _count("file-dev", device) >= limit)


def filed(ip: str, device: str) -> None:
    _bump("file-ip", ip)
    if device:
        _bump("file-dev", device)
