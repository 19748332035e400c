"""Rate limits of the self-check ("has my subsidy arrived?"), in the shared counters of
sunlit/lib/ratelimit.py (Redis or the database: exact across web workers).

Every lookup that finds nothing counts; one that finds the household gives its places
back, so an honest villager is never slowed down, while a script trying numbers is
stopped after a handful. Three things are counted, each for one reason:

- **the ID number being tried** (5 misses an hour, from any device): a number is what an
  enumerator guesses a name for; five covers a villager mistyping their own name, and the
  limit holds across phones, kiosks and addresses.
- **on a phone, the device and the address** (10 misses an hour per device cookie, 30 per
  address): one person, one screen; a village on one shared mobile address fits in 30.
- **on a kiosk, the visit** (5 misses per visit): a kiosk is one device and one address for
  a whole village, so per-device counting let ten typos by anyone lock everyone out for
  an hour (issue #14). The kiosk's idle reset ends a visit (sunlit/lib/devices.py), so the
  next villager is served; one person still cannot try more than 5 numbers in a visit. A
  kiosk address also has a ceiling of 100 misses an hour, against a script that restarts
  visits; a busy hall sees a few dozen villagers an hour, and an operator or administrator
  lifts it at once (/office/kiosk-unlock/, audit-logged; reports.services.kiosk_unlock).

    SUNLIT_WELFARE_CHECKS_PER_NUMBER  (default 5)
    SUNLIT_WELFARE_CHECKS_PER_DEVICE  (default 10)
    SUNLIT_WELFARE_CHECKS_PER_IP      (default 30)
    SUNLIT_WELFARE_CHECKS_PER_VISIT   (default 5, kiosks)
    SUNLIT_WELFARE_CHECKS_PER_KIOSK   (default 100, kiosks)
"""

from __future__ import annotations

from django.conf import settings

from sunlit.lib.devices import KIOSK_VISIT, DeviceCookie, client_ip, kiosk_visit
from sunlit.lib.ratelimit import HourlyCounter, Limit, Taken

DEVICE_COOKIE = "sunlit_welfare_device"
_SALT = "sunlit.welfare.device"

_device = DeviceCookie(DEVICE_COOKIE, _SALT)
ip_of = client_ip
device_of = _device.of
visit_of = kiosk_visit
give_device = _device.give
give_visit = KIOSK_VISIT.give

_counter = HourlyCounter("welfare")
give_back = _counter.give_back


def _number_key(id_number: str) -> str:
    return "".join(id_number.split()).upper()


def take(*, ip: str, device: str, visit: str, id_number: str, kiosk: bool) -> Taken | None:
    """A place for one lookup under every limit it falls under, or None: refuse it."""
    if kiosk:
        limits = [
            Limit("visit", visit, settings.SUNLIT_WELFARE_CHECKS_PER_VISIT),
            Limit("kiosk", ip, settings.SUNLIT_WELFARE_CHECKS_PER_KIOSK),
        ]
    else:
        limits = [Limit("ip", ip, settings.SUNLIT_WELFARE_CHECKS_PER_IP)]
        if device:
            limits.append(Limit("dev", device, settings.SUNLIT_WELFARE_CHECKS_PER_DEVICE))
    number = _number_key(id_number)
    if number:
        limits.append(Limit("number", number, settings.SUNLIT_WELFARE_CHECKS_PER_NUMBER))
    return _counter.take(limits)


def unlock_kiosk(ip: str) -> None:
    _counter.clear("kiosk", ip)
    _counter.clear("ip", ip)
    _counter.clear("visit", f"no-visit:{ip}")
