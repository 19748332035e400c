""" "No power outside the list", and cases under a revised list."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.cases.models import Attachment, Case
from sunlit.cases.selectors import authorising_case, case_for, records_without_case
from sunlit.cases.services import Upload, case_open
from sunlit.cases.tests import flows
from sunlit.cases.tests.conftest import People, act, png_bytes, travel
from sunlit.cases.tests.store import store_items
from sunlit.conftest import VILLAGE_A
from sunlit.lib.errors import InvalidInput
from sunlit.powers.flow import REJECTED, Step

pytestmark = pytest.mark.django_db


def test_it_finds_the_case_a_record_cites(people: People, items: dict[str, Any]) -> None:
    case = case_open(item=items["S01"], village_code=VILLAGE_A, subject="s", applicant_name="王", by=people.cadre_a)
    assert authorising_case(f" {case.number} ") == case
    assert authorising_case("431382101201-2026-9999") is None


def test_it_lists_records_without_an_approved_case(people: People, items: dict[str, Any]) -> None:
    # Attachments stand in for a later room's records: every one has a FK `case`.
    with travel("2026-03-02 09:00"):
        approved = case_open(item=items["M02"], village_code=VILLAGE_A, subject="批准", by=people.cadre_a)
        open_case = case_open(
            item=items["S01"], village_code=VILLAGE_A, subject="办理中", applicant_name="王", by=people.cadre_a
        )
        act(approved, "representatives", people.cadre_a, attachments=[Upload("other", "a.png", png_bytes())])
        act(open_case, "apply", people.cadre_a)
    assert approved.state == "approved"
    outside = records_without_case(Attachment.objects.all())
    assert {a.case_id for a in outside} == {open_case.pk}
    assert set(records_without_case(Attachment.objects.all(), field="case")) == set(outside)


def test_it_hides_a_case_outside_the_jurisdiction(people: People, items: dict[str, Any]) -> None:
    case = case_open(item=items["S01"], village_code=VILLAGE_A, subject="s", applicant_name="王", by=people.cadre_a)
    assert case_for(people.supervisor_a, case.number) == case
    assert case_for(people.cadre_b, case.number) is None
    assert case_for(people.operator, case.number) is None


def test_a_case_keeps_walking_the_version_it_started_under(people: People, items: dict[str, Any]) -> None:
    with travel("2026-03-02 09:00"):
        old = case_open(
            item=items["S01"], village_code=VILLAGE_A, subject="旧版本", applicant_name="王", by=people.cadre_a
        )
    # Version 2: 低保 loses its village publicity step and its county step.
    revised = flows.item(
        "S01",
        [
            Step(
                "apply",
                "受理申请",
                "application received",
                "cadre",
                "village",
                5,
                {"approve": "township_review", "reject": REJECTED},
            ),
            Step(
                "township_review",
                "乡镇审核",
                "township review",
                "township_official",
                "township",
                15,
                {"approve": "@approved", "reject": REJECTED},
                approval=True,
            ),
        ],
        needs_applicant=True,
    )
    new_items = store_items([revised], flows.MEETING_RULES)
    with travel("2026-03-02 10:00"):
        act(old, "apply", people.cadre_a)
        new = case_open(
            item=new_items["S01"], village_code=VILLAGE_A, subject="新版本", applicant_name="王", by=people.cadre_a
        )
        act(new, "apply", people.cadre_a)
    assert old.current_step == "village_review" and old.item.version.number == 1
    assert new.current_step == "township_review" and new.item.version.number == 2
    with travel("2026-03-02 11:00"):
        act(old, "village_review", people.cadre_a)
    assert old.current_step == "publicity"
    # A new case cannot start under the old version.
    with pytest.raises(InvalidInput, match="not on the current list"):
        case_open(item=items["S01"], village_code=VILLAGE_A, subject="x", applicant_name="王", by=people.cadre_a)
    assert Case.objects.count() == 2
