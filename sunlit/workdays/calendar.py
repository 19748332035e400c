"""China's official working-day calendar, with an administrator's overrides.

A day is a working day when the administrator says so (DayOverride), otherwise when the
`holidays` package says so: Monday to Friday except public holidays, plus the weekend
days the State Council turns into working days (调休, `weekend_workdays`).

Step deadlines are counted here: a step started on `start` with a limit of n working
days is due on `add_working_days(start, n)`, and is overdue from the next day on.
"""

from __future__ import annotations

import threading
import time
from datetime import date, timedelta

import holidays
from django.db import transaction

from sunlit.workdays.models import DayOverride

# Overrides are few (a handful a year) and read on every deadline computation: each
# process keeps them in memory. Other processes (the worker, other web workers) reload
# within RELOAD_SECONDS, soon enough for a calendar that changes days or weeks ahead.
# The writing process must see its change at once, even inside its own transaction, and
# must not keep a copy that a rollback would make false: after a write it reads without
# caching until the write commits (or, if it rolled back, until RELOAD_SECONDS pass).
RELOAD_SECONDS = 300

_lock = threading.Lock()
_overrides: dict[date, bool] | None = None
_loaded_at = 0.0
_dirty_since: float | None = None
# expand=True: years are computed on first use, so the calendar never runs out.
_official = holidays.China()


def _load() -> dict[date, bool]:
    global _overrides, _loaded_at, _dirty_since
    now = time.monotonic()
    overrides = _overrides
    if overrides is not None and now - _loaded_at < RELOAD_SECONDS:
        return overrides

    fresh = dict(DayOverride.objects.values_list("day", "is_working"))
    with _lock:
        if _dirty_since is not None and now - _dirty_since >= RELOAD_SECONDS:
            _dirty_since = None
        if _dirty_since is None:
            _overrides, _loaded_at = fresh, now
    return fresh


def _committed() -> None:
    global _overrides, _dirty_since
    with _lock:
        _overrides, _dirty_since = None, None


def invalidate() -> None:
    """Forget the cached overrides; read them fresh until this transaction commits."""
    global _overrides, _dirty_since
    with _lock:
        _overrides, _dirty_since = None, time.monotonic()
    transaction.on_commit(_committed)


def official_is_working_day(d: date) -> bool:
    """The State Council's calendar alone, without overrides."""
    return bool(_official.is_working_day(d))


def _working(d: date, overrides: dict[date, bool]) -> bool:
    override = overrides.get(d)
    return official_is_working_day(d) if override is None else override


def is_working_day(d: date) -> bool:
    return _working(d, _load())


def add_working_days(start: date, n: int) -> date:
    """The n-th working day after `start` (`start` itself never counts); `start` if n <= 0.

    A step started on a Friday with a limit of one working day is due on Monday — or on
    the Saturday the State Council made a working day, or after the Spring Festival week.
    """
    overrides = _load()
    day = start
    remaining = n
    while remaining > 0:
        day += timedelta(days=1)
        if _working(day, overrides):
            remaining -= 1
    return day


def working_days_between(a: date, b: date) -> int:
    """Working days d with a < d <= b; negative when b is before a.

    The inverse of add_working_days: working_days_between(s, add_working_days(s, n)) == n.
    """
    if b < a:
        return -working_days_between(b, a)
    overrides = _load()
    count = 0
    day = a
    while day < b:
        day += timedelta(days=1)
        if _working(day, overrides):
            count += 1
    return count
