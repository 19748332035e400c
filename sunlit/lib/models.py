"""The one table of sunlit.lib: rate-limit counters shared by every web worker when there
is no Redis (see sunlit/lib/ratelimit.py)."""

from __future__ import annotations

from django.db import models


class RateCounter(models.Model):
    # namespace:kind:hmac(who):window; "who" (an address, a device, an ID number) is keyed,
    # never stored in clear.
    key = models.CharField(max_length=120, primary_key=True)
    count = models.IntegerField(default=0)
    expires = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.key}={self.count}"
