"""Money and voucher labels for the finance templates."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext as _

from sunlit.finance import money, periods

register = template.Library()


@register.filter
def yuan(fen: Any) -> str:
    """123450 → '1,234.50' (fen to yuan)."""
    try:
        return money.yuan(int(fen))
    except (TypeError, ValueError):
        return ""


@register.filter
def balance(fen: Any, side: str) -> str:
    """A debit-positive balance shown on the account's normal side: a credit account's
    -500 reads 500.00 (and a debit balance on it reads -500.00)."""
    try:
        value = int(fen)
    except (TypeError, ValueError):
        return ""
    return money.yuan(-value if side == "C" else value)


@register.filter
def period_text(period: Any) -> str:
    return periods.text(int(period))


@register.simple_tag
def direction_label(direction: str) -> str:
    return {"income": _("income"), "expense": _("expense"), "transfer": _("transfer")}.get(direction, direction)


@register.simple_tag
def payment_label(method: str) -> str:
    return {"cash": _("cash"), "bank": _("bank transfer"), "other": _("other")}.get(method, method)


@register.simple_tag
def kind_label(kind: str) -> str:
    return {"normal": "", "reversal": _("reversing voucher"), "correction": _("correcting voucher")}.get(kind, kind)


@register.filter
def month_label(period: Any) -> str:
    p = int(period)
    return _("%(year)d-%(month)02d") % {"year": p // 100, "month": p % 100}


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    """mapping[key] in a template (names of villages by code); '' when absent."""
    try:
        value = mapping.get(key, "")
    except AttributeError:
        return ""
    return getattr(value, "name", value)
