"""One error hierarchy for services: views and commands map it to one message shape."""

from __future__ import annotations


class ApplicationError(Exception):
    """A request that cannot be carried out; `message` is shown to the user as is."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class NotPermitted(ApplicationError):
    """The person lacks the membership that the action requires."""


class InvalidInput(ApplicationError):
    """The input is malformed: the message names the field (and row/column for files)."""
