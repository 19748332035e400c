"""Telling a person something: one call, with the transport chosen by a setting.

    notify(to=user, subject="…", body="…")

SUNLIT_NOTIFIER picks the backend: "console" (the default: a log line, enough for a
pilot and for development) or "email" (Django's send_mail to the person's address). A
later backend (SMS, WeChat template messages) registers itself in BACKENDS under a new
name; callers do not change. A notification is a courtesy, never part of a transaction's
outcome: a backend that fails logs the failure and the caller carries on. It leaves only
once the caller's transaction commits: a rolled-back change tells nobody, and nobody is
told of a change before it can be seen.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

logger = logging.getLogger("sunlit.notify")

Backend = Callable[[Any, str, str], bool]


def _console(to: Any, subject: str, body: str) -> bool:
    logger.info("notify %s <%s>: %s\n%s", to, getattr(to, "email", "") or "-", subject, body)
    return True


def _email(to: Any, subject: str, body: str) -> bool:
    address = getattr(to, "email", "")
    if not address:
        # Many village cadres have no e-mail address: skip them, quietly but on record.
        logger.info("notify: %s has no e-mail address; skipped %r", to, subject)
        return False
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [address])
    return True


BACKENDS: dict[str, Backend] = {"console": _console, "email": _email}


def notify(*, to: Any, subject: str, body: str) -> None:
    """Send `subject`/`body` to `to` (a User) when the surrounding transaction commits (at
    once outside a transaction)."""
    transaction.on_commit(partial(deliver, to=to, subject=subject, body=body), robust=True)


def deliver(*, to: Any, subject: str, body: str) -> bool:
    """Send now through the configured backend; True if it delivered."""
    name = settings.SUNLIT_NOTIFIER
    backend = BACKENDS[name]
    # Subjects must be one line (e-mail headers refuse newlines).
    subject = " ".join(subject.split())
    try:
        return backend(to, subject, body)
    except Exception:
        logger.exception("notify via %s to %s failed: %r", name, to, subject)
        return False
