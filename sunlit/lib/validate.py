"""Checks that every service makes of what a person typed, with one wording for each refusal."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput


def text(value: str, field: str, label: str | Promise | None, max_length: int, *, required: bool = True) -> str:
    """`value` stripped; refused (naming the field by `label`) when empty but required, or too long."""
    value = (value or "").strip()
    name = str(label) if label is not None else field
    if required and not value:
        raise InvalidInput(_("%(field)s is required") % {"field": name}, field=field)
    if len(value) > max_length:
        raise InvalidInput(
            _("%(field)s is longer than %(max)d characters") % {"field": name, "max": max_length}, field=field
        )
    return value
