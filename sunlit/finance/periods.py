"""Accounting months as integers (202403 for March 2024) and the dates that hang on them.

An integer sorts, indexes and compares cheaply in both databases, and reads at a glance
in a query plan; "2024-03" is how people and URLs write it.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

from django.conf import settings
from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput

_TEXT = re.compile(r"^(\d{4})-(\d{2})$")


def of(day: date) -> int:
    return day.year * 100 + day.month


def parse(text: str) -> int:
    """'2024-03' → 202403; InvalidInput for anything else."""
    m = _TEXT.match(text or "")
    if not m or not 1 <= int(m.group(2)) <= 12 or int(m.group(1)) < 1900:
        raise InvalidInput(_("%(text)r is not a month written as YYYY-MM") % {"text": text}, field="period")
    return int(m.group(1)) * 100 + int(m.group(2))


def text(period: int) -> str:
    return f"{period // 100:04d}-{period % 100:02d}"


def year(period: int) -> int:
    return period // 100


def first_day(period: int) -> date:
    return date(period // 100, period % 100, 1)


def last_day(period: int) -> date:
    y, m = divmod(period, 100)
    return date(y, m, calendar.monthrange(y, m)[1])


def next_period(period: int) -> int:
    y, m = divmod(period, 100)
    return (y + 1) * 100 + 1 if m == 12 else period + 1


def previous(period: int) -> int:
    y, m = divmod(period, 100)
    return (y - 1) * 100 + 12 if m == 1 else period - 1


def deadline(period: int, day: int | None = None) -> date:
    """The last day on which this month's books may be published on time: by default the
    15th of the next month (SUNLIT_FINANCE_PUBLISH_BY_DAY); a day past the end of a short
    month means its last day."""
    day = settings.SUNLIT_FINANCE_PUBLISH_BY_DAY if day is None else day
    nxt = next_period(period)
    y, m = divmod(nxt, 100)
    return date(y, m, min(day, calendar.monthrange(y, m)[1]))


def days_to_publish(period: int, published_on: date) -> int:
    """Days from the month's last day to its publication (1 = published the next day)."""
    return (published_on - last_day(period)).days
