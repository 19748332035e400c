"""Where the current request came from, for the audit log (set by middleware)."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class Origin:
    ip: str | None = None
    user_agent: str = ""


# Commands and tasks have no request: their events carry an empty origin plus the
# command name in `detail`, which is honest about where they came from.
current_origin: ContextVar[Origin] = ContextVar("current_origin", default=Origin())  # noqa: B039 - frozen
