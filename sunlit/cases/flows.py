"""The one place that reads a case's flow out of the powers room.

A case keeps the PowerItem row of the list version it started under; `as_item()` gives
the frozen flow.Item, and the version carries the meeting rules. Both are parsed once per
PowerItem instance (a list page of 50 cases shares the rows select_related gives it).
"""

from __future__ import annotations

from typing import Any

from sunlit.powers.flow import Item, MeetingRule, Step


def item_of(power_item: Any) -> Item:
    cached: Item | None = power_item.__dict__.get("_sunlit_flow_item")
    if cached is None:
        cached = power_item.as_item()
        power_item.__dict__["_sunlit_flow_item"] = cached
    return cached


def meeting_rules_of(power_item: Any) -> dict[str, MeetingRule]:
    cached: dict[str, MeetingRule] | None = power_item.__dict__.get("_sunlit_meeting_rules")
    if cached is None:
        cached = dict(power_item.version.meeting_rules())
        power_item.__dict__["_sunlit_meeting_rules"] = cached
    return cached


def step_of(case: Any, key: str | None = None) -> Step | None:
    """The case's step `key` (default: its current step), or None when closed/unknown."""
    key = case.current_step if key is None else key
    if not key:
        return None
    try:
        return item_of(case.item).flow.step(key)
    except KeyError:
        return None
