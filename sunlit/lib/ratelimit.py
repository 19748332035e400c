"""Counters for rate limits, in fixed one-hour windows, in a store every web worker shares.

Under gunicorn each worker is its own process: counted in a per-process cache, a limit of
20 let 36 wrong receipts through two workers (issue #14). So the counters live in Redis
when REDIS_URL is set (Django's RedisCache: INCR is atomic), otherwise in the database
(sunlit.lib's RateCounter table: an `UPDATE … SET count = count + 1` inside the
transaction that reads the new value back). SUNLIT_RATELIMIT_STORE chooses explicitly.

A limit is exact under concurrency because an attempt *takes* its place before it is
tried: `take()` increments every counter the attempt falls under and, if any is now over
its limit, puts them all back and refuses. An attempt that turns out honest (the
household was found, the receipt was right) hands its places back with `give_back()`, so
only misses stay counted.

What is counted ("who") may be an address, a device id or an ID number: keys hold an HMAC
of it, never the value.

Each room names its own counters (reports: wrong receipts and new filings; welfare: the
self-check's misses) and decides its limits; this holds only the counting.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Protocol

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

WINDOW = 3600


class Store(Protocol):
    def incr(self, key: str) -> int: ...
    def decr(self, key: str) -> None: ...
    def get(self, key: str) -> int: ...
    def delete(self, key: str) -> None: ...


class DatabaseStore:
    """Counters in the RateCounter table: shared by every process on the database."""

    def incr(self, key: str) -> int:
        from sunlit.lib.models import RateCounter

        rows = RateCounter.objects.filter(key=key)
        with transaction.atomic():
            # The UPDATE holds the row (PostgreSQL) or the write lock (SQLite, IMMEDIATE)
            # until commit, so the count read back is this increment's and nobody else's.
            if rows.update(count=F("count") + 1):
                return int(rows.values_list("count", flat=True)[0])
        try:
            with transaction.atomic():
                now = timezone.now()
                # A new window's first count: sweep the windows that are over (cheap, indexed).
                RateCounter.objects.filter(expires__lt=now).delete()
                RateCounter.objects.create(key=key, count=1, expires=now + timedelta(seconds=2 * WINDOW))
                return 1
        except IntegrityError:  # another worker created it first
            return self.incr(key)

    def decr(self, key: str) -> None:
        from sunlit.lib.models import RateCounter

        RateCounter.objects.filter(key=key, count__gt=0).update(count=F("count") - 1)

    def get(self, key: str) -> int:
        from sunlit.lib.models import RateCounter

        return int(RateCounter.objects.filter(key=key).values_list("count", flat=True).first() or 0)

    def delete(self, key: str) -> None:
        from sunlit.lib.models import RateCounter

        RateCounter.objects.filter(key=key).delete()


class CacheStore:
    """Counters in Django's default cache: Redis in production (INCR and SET NX are atomic)."""

    def incr(self, key: str) -> int:
        from django.core.cache import cache

        try:
            return int(cache.incr(key))
        except ValueError:
            if cache.add(key, 1, 2 * WINDOW):
                return 1
            return int(cache.incr(key))

    def decr(self, key: str) -> None:
        from django.core.cache import cache

        try:
            cache.decr(key)
        except ValueError:
            pass

    def get(self, key: str) -> int:
        from django.core.cache import cache

        return int(cache.get(key, 0))

    def delete(self, key: str) -> None:
        from django.core.cache import cache

        cache.delete(key)


def store() -> Store:
    return CacheStore() if settings.SUNLIT_RATELIMIT_STORE == "redis" else DatabaseStore()


@dataclass(frozen=True)
class Limit:
    kind: str
    who: str
    limit: int


@dataclass(frozen=True)
class Taken:
    keys: tuple[str, ...]


class HourlyCounter:
    def __init__(self, namespace: str) -> None:
        self.namespace = namespace

    def _key(self, kind: str, who: str, window: int | None = None) -> str:
        digest = hmac.new(settings.SECRET_KEY.encode(), who.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{self.namespace}:{kind}:{digest}:{int(time.time()) // WINDOW if window is None else window}"

    def count(self, kind: str, who: str) -> int:
        return store().get(self._key(kind, who))

    def bump(self, kind: str, who: str) -> int:
        return store().incr(self._key(kind, who))

    def take(self, limits: list[Limit]) -> Taken | None:
        """One place under each limit, or None (and nothing taken) if any is full."""
        s = store()
        taken: list[str] = []
        for lim in limits:
            key = self._key(lim.kind, lim.who)
            if s.incr(key) > lim.limit:
                s.decr(key)
                for k in taken:
                    s.decr(k)
                return None
            taken.append(key)
        return Taken(tuple(taken))

    def give_back(self, taken: Taken) -> None:
        s = store()
        for key in taken.keys:
            s.decr(key)

    def clear(self, kind: str, who: str) -> None:
        """Forget this hour's (and the last hour's) count: a staff unlock, a kiosk's new visit."""
        s, now = store(), int(time.time()) // WINDOW
        for window in (now, now - 1):
            s.delete(self._key(kind, who, window))
