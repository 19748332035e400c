"""The cases room's actors and items.

Besides the shared cast: a second township official of township A (two approval steps
need two people), a county official (a township_official membership held at county
level, as the list's county steps want), on demand a second cadre of village A (the cadre
who opens a case never decides it), and the test items of flows.py stored as a list
version of the powers room.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import translation
from PIL import Image

from sunlit.accounts.models import Role, User
from sunlit.cases import services
from sunlit.cases.engine import MeetingCounts
from sunlit.cases.flows import step_of
from sunlit.cases.models import Case
from sunlit.cases.tests import flows
from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_C, Cast, make_user
from sunlit.workdays import calendar

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    """'2026-03-02 10:00' in Beijing time."""
    return datetime.fromisoformat(text).replace(tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def english(settings: Any) -> Iterator[None]:
    """These tests assert the English source strings; Chinese is the deployed default."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def fresh_calendar() -> Iterator[None]:
    calendar._committed()
    yield
    calendar._committed()


@dataclass
class People:
    cast: Cast
    official2: User
    county: User
    cadre_c: User

    @cached_property
    def cadre_a2(self) -> User:
        """A second cadre of village A, made when a test asks for her: whoever opens or
        requests a case never decides it. (Made lazily: a village with one more cadre would
        change who is reminded of its steps.)"""
        return make_user("cadre_a2", "王桂香", Role.CADRE, VILLAGE_A, title="副主任")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cast, name)


@pytest.fixture
def people(cast: Cast) -> People:
    return People(
        cast=cast,
        official2=make_user("official2", "黄敏", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_A, title="民政办主任"),
        county=make_user("county_official", "曾伟", Role.TOWNSHIP_OFFICIAL, COUNTY, title="民政局科长"),
        cadre_c=make_user("cadre_c", "罗桂兰", Role.CADRE, VILLAGE_C, title="主任"),
    )


@pytest.fixture
def items(cast: Cast) -> dict[str, Any]:
    """The test items, stored as one list version: code → PowerItem."""
    from sunlit.cases.tests.store import store_items

    return store_items(
        [flows.DIBAO, flows.MAJOR, flows.REPRESENTATIVES, flows.TOWNSHIP_ITEM, flows.SPECIAL_B],
        flows.MEETING_RULES,
        by=cast.admin,
    )


def png_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (4, 4), (10, 120, 10)).save(out, format="PNG")
    return out.getvalue()


def uploads_for(case: Case, step_key: str) -> list[services.Upload]:
    step = step_of(case, step_key)
    if step is None:
        return []
    return [
        services.Upload(kind=a.kind, filename=f"{a.kind}.png", data=png_bytes()) for a in step.attachments if a.required
    ]


def act(
    case: Case,
    step_key: str,
    by: User,
    outcome: str = "approve",
    *,
    meeting: MeetingCounts | None = None,
    decision: str = "同意",
    minutes: str = "会议记录",
    attachments: list[services.Upload] | None = None,
    version: int | None = None,
) -> Case:
    """Complete `step_key` as `by` with everything the step requires; the case, reloaded."""
    case.refresh_from_db()
    step = step_of(case, step_key)
    if step is not None and step.meeting and meeting is None:
        meeting = MeetingCounts(
            expected=30,
            present=25,
            votes_for=20,
            votes_against=3,
            votes_abstain=2,
            households_expected=None,
            households_present=None,
        )
    services.case_act(
        case=case,
        step_key=step_key,
        expected_version=case.version if version is None else version,
        outcome=outcome,
        decision=decision,
        minutes=minutes,
        meeting=meeting,
        attachments=uploads_for(case, step_key) if attachments is None else attachments,
        by=by,
    )
    case.refresh_from_db()
    return case


def published(number: str) -> Any:
    """The live published entry of a case (asserting there is one)."""
    from sunlit.transparency import selectors as tsel

    entry = tsel.current("case", number)
    assert entry is not None
    return entry


def last_action(case: Case) -> Any:
    action = case.actions.order_by("seq").last()
    assert action is not None
    return action


def travel(when: str) -> Any:
    return time_machine.travel(at(when), tick=False)


@pytest.fixture
def posted(people: People, items: dict[str, Any]) -> Case:
    """A 低保 case whose village publicity (7 days) started on Monday 2026-03-02 at 10:00."""
    with travel("2026-03-02 09:00"):
        case = services.case_open(
            item=items["S01"],
            village_code=VILLAGE_A,
            subject="王小明申请低保",
            applicant_name="王小明",
            by=people.cadre_a,
        )
        act(case, "apply", people.cadre_a)
    with travel("2026-03-02 10:00"):
        act(case, "village_review", people.cadre_a2)
    assert case.current_step == "publicity"
    return case
