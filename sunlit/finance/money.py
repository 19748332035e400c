"""Money as integer fen: parsed from what people type and spreadsheets hold, shown as yuan.

No floats anywhere: 0.1 + 0.2 is not 0.3 in binary, and a published snapshot must hash
the same in every language (canonical JSON refuses floats).
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput

# An amount as people write it: optional thousands separators, at most two decimals,
# optionally ¥ or 元. A leading minus is recognised so it can be refused by name.
_AMOUNT = re.compile(r"^(-)?\s*[¥￥]?\s*(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{0,2}))?\s*元?$")
# 10^12 yuan: above anything a village books, and well inside a 64-bit integer of fen.
MAX_FEN = 10**14


class NegativeAmount(InvalidInput):
    pass


def parse_yuan(value: object) -> int:
    """'1,234.5' / 1234.5 (a spreadsheet number) / Decimal → 123450 fen. Raises InvalidInput
    (NegativeAmount for a negative one) with a message fit for a row report."""
    if isinstance(value, bool):
        raise InvalidInput(_("%(value)r is not an amount") % {"value": value})
    if isinstance(value, int):
        fen = value * 100
    elif isinstance(value, float | Decimal):
        # A spreadsheet cell holds a binary float: round it to fen through its shortest
        # decimal text (1234.5 → "1234.5"), then refuse anything finer than a fen.
        try:
            d = Decimal(repr(value)) if isinstance(value, float) else value
        except InvalidOperation:
            raise InvalidInput(_("%(value)r is not an amount") % {"value": value}) from None
        if not d.is_finite():
            raise InvalidInput(_("%(value)r is not an amount") % {"value": value})
        cents = d * 100
        if cents != cents.to_integral_value():
            raise InvalidInput(_("%(value)s has more than two decimals") % {"value": value})
        fen = int(cents)
    else:
        text = str(value).strip().replace("，", ",")
        m = _AMOUNT.match(text)
        if not m:
            raise InvalidInput(_("%(value)r is not an amount") % {"value": text})
        fen = int(m.group(2).replace(",", "")) * 100 + int((m.group(3) or "").ljust(2, "0"))
        if m.group(1):
            fen = -fen
    if fen < 0:
        raise NegativeAmount(_("%(value)s is negative: record the opposite side instead") % {"value": value})
    if fen > MAX_FEN:
        raise InvalidInput(_("%(value)s is too large") % {"value": value})
    return fen


def yuan(fen: int) -> str:
    """123450 → '1,234.50'; negative amounts keep their sign."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), 100)
    return f"{sign}{whole:,}.{part:02d}"


def yuan_plain(fen: int) -> str:
    """123450 → '1234.50' (for spreadsheets and JSON readers that want digits only)."""
    sign = "-" if fen < 0 else ""
    whole, part = divmod(abs(int(fen)), 100)
    return f"{sign}{whole}.{part:02d}"
