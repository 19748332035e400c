from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language

from sunlit.accounts.models import Role
from sunlit.cases.engine import OUTCOME_LABELS
from sunlit.cases.models import CaseState, MeetingResult
from sunlit.powers.selectors import role_at

register = template.Library()


@register.filter
def zh_en(thing: Any) -> str:
    """The name of a step, item or meeting (object or published dict) in the page's language."""
    if thing is None:
        return ""
    get = thing.get if isinstance(thing, dict) else lambda k, d="": getattr(thing, k, d)
    zh, en = get("name_zh", ""), get("name_en", "")
    english = (get_language() or "").startswith("en")
    return str((en or zh) if english else (zh or en) or get("key", ""))


@register.filter
def yuan(fen: int | None) -> str:
    """Integer fen as yuan with two decimals and thousands separators: 1234567 → 12,345.67."""
    if fen is None or fen == "":
        return ""
    fen = int(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


@register.filter
def role_label(role: str) -> str:

    try:
        return str(Role(role).label)
    except ValueError:
        return role


@register.filter
def step_role(step: Any) -> str:
    """Who takes the step, with the level it is held at (a county department, not a
    township official, approves at the county)."""

    return role_at(step.role, step.level)


@register.filter
def state_label(state: str) -> str:

    try:
        return str(CaseState(state).label)
    except ValueError:
        return state


@register.filter
def outcome_label(outcome: str) -> str:

    return str(OUTCOME_LABELS.get(outcome, outcome))


@register.filter
def meeting_result_label(result: str) -> str:

    try:
        return str(MeetingResult(result).label)
    except ValueError:
        return result


@register.filter
def step_in(key: str, item: Any) -> str:
    """A step key → its name, within `item` (a flow.Item)."""
    try:
        return zh_en(item.flow.step(key))
    except (KeyError, AttributeError):
        return key
