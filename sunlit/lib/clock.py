"""A simulated clock for the demo: history over the years, written through the services.

The demo writes cases (and later rooms' records) through the same services a person
uses, so every row has its audit event and every public record its publication. Those
services read the time from `django.utils.timezone.now`; inside `simulated_clock()` that
returns the simulated time, so a case opened "in March 2024" really was, as far as every
table and hash chain can tell. Only the demo uses this: it is synthetic data, and says so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from unittest import mock

from django.utils import timezone


class Clock:
    def __init__(self, real_now: Callable[[], datetime]) -> None:
        self.now: datetime | None = None
        # The wall clock, for "what is recent" while the simulated one is in the past.
        self.real_now = real_now

    def set(self, moment: datetime) -> None:
        if timezone.is_naive(moment):
            raise ValueError("the demo clock takes aware times")
        self.now = moment


@contextmanager
def simulated_clock() -> Iterator[Clock]:
    real_now = timezone.now
    clock = Clock(real_now)

    def now() -> datetime:
        return clock.now or real_now()

    with mock.patch("django.utils.timezone.now", now):
        yield clock
