"""China's 12-digit statistical division codes (统计用区划代码).

The code itself carries the hierarchy: 2 digits province, 2 prefecture, 2 county,
3 township, 3 village. A region's subtree is therefore every code that starts with
its significant prefix, which is what makes jurisdiction checks one indexed
`LIKE 'prefix%'` instead of a recursive walk.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput

PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE = (
    "province",
    "prefecture",
    "county",
    "township",
    "village",
)
LEVELS = (PROVINCE, PREFECTURE, COUNTY, TOWNSHIP, VILLAGE)
PREFIX_LENGTH = {PROVINCE: 2, PREFECTURE: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12}
_CODE = re.compile(r"^[0-9]{12}$")  # not \d: it also matches full-width ４３…


def validate(code: str) -> str:
    code = (code or "").strip()
    if not _CODE.match(code):
        raise InvalidInput(_("Region code %(code)r is not 12 digits") % {"code": code}, field="code")
    if code[:2] == "00":
        raise InvalidInput(_("Region code %(code)s has no province") % {"code": code}, field="code")
    return code


def level_of(code: str) -> str:
    code = validate(code)
    if code[2:] == "0" * 10:
        return PROVINCE
    if code[4:] == "0" * 8:
        return PREFECTURE
    if code[6:] == "0" * 6:
        return COUNTY
    if code[9:] == "0" * 3:
        return TOWNSHIP
    return VILLAGE


def prefix_of(code: str) -> str:
    """The significant prefix: every code in this region's subtree starts with it."""
    return code[: PREFIX_LENGTH[level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    index = LEVELS.index(level)
    if index == 0:
        return None
    keep = PREFIX_LENGTH[LEVELS[index - 1]]
    return code[:keep].ljust(12, "0")


def county_of(code: str) -> str:
    return code[:6].ljust(12, "0")


def contains(ancestor: str, code: str) -> bool:
    return code.startswith(prefix_of(ancestor))
