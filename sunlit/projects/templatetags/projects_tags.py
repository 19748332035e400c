"""Small filters for the project pages: money in yuan, labels of codes."""

from __future__ import annotations

from typing import Any

from django import template

from sunlit.finance.money import yuan as _yuan

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """123450 → '1,234.50' (fen to yuan); '' for nothing."""
    if fen is None or fen == "":
        return ""
    return _yuan(int(fen))


@register.filter
def label(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (a code's label); the key itself when unknown."""
    try:
        return mapping.get(key, key)
    except AttributeError:
        return key
