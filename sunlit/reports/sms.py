"""The SMS gateway for confirming a named reporter's phone number.

A gateway is any class with one method:

    class MyGateway:
        def send(self, phone: str, text: str) -> None: ...

raising an exception when the provider refuses. SUNLIT_SMS_BACKEND names it: "console"
(the default: the message goes to the log, enough for a pilot) or "locmem" (tests: kept
in OUTBOX), or the dotted path of a class (a provider's adapter, e.g.
"county_sms.gateway.AliyunGateway").
"""

from __future__ import annotations

import logging
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("sunlit.sms")
OUTBOX: list[tuple[str, str]] = []


class Gateway(Protocol):
    def send(self, phone: str, text: str) -> None: ...


class ConsoleGateway:
    def send(self, phone: str, text: str) -> None:
        logger.info("sms to %s: %s", phone, text)


class LocmemGateway:
    def send(self, phone: str, text: str) -> None:
        OUTBOX.append((phone, text))


def gateway() -> Gateway:
    name = settings.SUNLIT_SMS_BACKEND
    if name == "console":
        return ConsoleGateway()
    if name == "locmem":
        return LocmemGateway()
    cls = import_string(name)
    return cls()
