"""Rate limits of the self-check ("has my subsidy arrived?"), counted in the cache.

The pattern of sunlit/reports/limits.py (fixed one-hour windows in Django's cache, shared
by every web worker), with the welfare room's own keys and settings. Every lookup that
finds nothing counts: an honest villager who finds their household is not slowed down,
while a script trying numbers is stopped after a handful. A village kiosk is one IP and
one device, so the per-IP limit is the larger one.

    SUNLIT_WELFARE_CHECKS_PER_DEVICE  (default 10 misses an hour per device cookie)
    SUNLIT_WELFARE_CHECKS_PER_IP      (default 30 misses an hour per IP)
"""

from __future__ import annotations

from django.conf import settings

from sunlit.lib.devices import DeviceCookie, client_ip
from sunlit.lib.ratelimit import HourlyCounter

DEVICE_COOKIE = "sunlit_welfare_device"
_SALT = "sunlit.welfare.device"


def per_device() -> int:
    return int(settings.SUNLIT_WELFARE_CHECKS_PER_DEVICE)


def per_ip() -> int:
    return int(settings.SUNLIT_WELFARE_CHECKS_PER_IP)


_device = DeviceCookie(DEVICE_COOKIE, _SALT)
ip_of = client_ip
device_of = _device.of
give_device = _device.give


_counter = HourlyCounter("welfare")


def blocked(ip: str, device: str) -> bool:
    return _counter.count("ip", ip) >= per_ip() or (bool(device) and _counter.count("dev", device) >= per_device())


def missed(ip: str, device: str) -> None:
    _counter.bump("ip", ip)
    if device:
        _counter.bump("dev", device)
