""" "No power outside the list", and cases under a revised list."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.cases.models import Attachment, Case
from sunlit.cases.selectors import (
    NotAuthorised,
    authorising_case,
    case_authorising,
    case_for,
    cases_authorising,
    records_without_case,
)
from sunlit.cases.services import Upload, case_open
from sunlit.cases.tests import flows
from sunlit.cases.tests.conftest import People, act, png_bytes, travel
from sunlit.cases.tests.store import store_items
from sunlit.conftest import VILLAGE_A, VILLAGE_B
from sunlit.lib.errors import InvalidInput
from sunlit.powers.flow import REJECTED, Step

pytestmark = pytest.mark.django_db


def test_it_finds_the_case_a_record_cites(people: People, items: dict[str, Any]) -> None:
    case = case_open(item=items["S01"], village_code=VILLAGE_A, subject="s", applicant_name="王", by=people.cadre_a)
    assert authorising_case(f" {case.number} ") == case
    assert authorising_case("431382101201-2026-9999") is None


def _approved(people: People, item: Any) -> Case:
    """A case of the one-step item M02, decided by the representatives' meeting (recorded
    by a cadre other than the one who opened it)."""
    with travel("2026-03-02 09:00"):
        case = case_open(item=item, village_code=VILLAGE_A, subject="筹资修路", by=people.cadre_a)
        return act(case, "representatives", people.cadre_a2)


def test_it_lets_an_approved_case_authorise_what_its_item_authorises(people: People, items: dict[str, Any]) -> None:
    case = _approved(people, items["M02"])
    assert case.state == "approved"
    assert case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, number=f" {case.number} ") == case
    assert case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, case=case) == case
    assert list(cases_authorising(purpose="finance.voucher", village_codes=[VILLAGE_A])) == [case]
    assert not cases_authorising(purpose="projects.project", village_codes=[VILLAGE_A]).exists()
    assert not cases_authorising(purpose="finance.voucher", village_codes=[VILLAGE_B]).exists()


def test_it_refuses_a_number_that_is_no_case(people: People, items: dict[str, Any]) -> None:
    with pytest.raises(NotAuthorised, match="there is no case 431382101201-2026-9999") as e:
        case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, number="431382101201-2026-9999")
    assert e.value.reason == "not_found" and e.value.field == "case"


def test_it_refuses_a_case_that_is_not_approved_naming_its_state(people: People, items: dict[str, Any]) -> None:
    case = case_open(item=items["M02"], village_code=VILLAGE_A, subject="未决", by=people.cadre_a)
    with pytest.raises(NotAuthorised, match=r"is not approved \(it is open\)") as e:
        case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, case=case)
    assert e.value.reason == "not_approved"
    Case.objects.filter(pk=case.pk).update(state="rejected")  # the flow is tested elsewhere
    with pytest.raises(NotAuthorised, match=r"\(it is rejected\)"):
        case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, number=case.number)
    assert not cases_authorising(purpose="finance.voucher", village_codes=[VILLAGE_A]).exists()


def test_it_refuses_a_case_of_another_village_saying_nothing_more(people: People, items: dict[str, Any]) -> None:
    case = case_open(item=items["M02"], village_code=VILLAGE_B, subject="未决", by=people.cadre_b)
    with pytest.raises(NotAuthorised) as e:
        case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, number=case.number)
    # Not "not approved": the other village's case is none of this village's business.
    assert e.value.reason == "other_village" and e.value.message == f"case {case.number} belongs to another village"


def test_it_refuses_a_case_of_an_item_that_may_not_authorise_the_record(people: People, items: dict[str, Any]) -> None:
    case = _approved(people, items["M02"])
    for purpose in ("projects.project", "welfare.payment:dibao"):
        with pytest.raises(NotAuthorised) as e:
            case_authorising(purpose=purpose, village_code=VILLAGE_A, case=case)
        assert e.value.reason == "not_this_kind"
        assert e.value.message == (
            f"case {case.number} is a case of item M02 one matter, one discussion, which the power list does not let "
            f"authorise {purpose}"
        )


def test_it_judges_a_case_by_the_list_version_it_was_decided_under(people: People, items: dict[str, Any]) -> None:
    case = _approved(people, items["M02"])
    # Version 2 lets M02 authorise projects instead of vouchers: new cases only.
    revised = flows.item(
        "M02",
        list(flows.REPRESENTATIVES.flow.steps),
        category="major",
        extra={"authorises": ["projects.project"]},
    )
    new_items = store_items([revised], flows.MEETING_RULES)
    assert case_authorising(purpose="finance.voucher", village_code=VILLAGE_A, case=case) == case
    with pytest.raises(NotAuthorised, match=r"projects\.project"):
        case_authorising(purpose="projects.project", village_code=VILLAGE_A, case=case)
    new = _approved(people, new_items["M02"])
    assert case_authorising(purpose="projects.project", village_code=VILLAGE_A, case=new) == new
    assert list(cases_authorising(purpose="finance.voucher", village_codes=[VILLAGE_A])) == [case]


def test_it_refuses_a_purpose_the_list_format_does_not_know(people: People, items: dict[str, Any]) -> None:
    case = _approved(people, items["M02"])
    # The rooms' own strings: a typo there is a bug, not a person's mistake.
    for purpose in ("finance.expense", "welfare.payment", "finance.voucher:x"):
        with pytest.raises(ValueError, match="unknown purpose"):
            case_authorising(purpose=purpose, village_code=VILLAGE_A, case=case)


def test_it_lists_records_without_an_approved_case(people: People, items: dict[str, Any]) -> None:
    # Attachments stand in for a later room's records: every one has a FK `case`.
    with travel("2026-03-02 09:00"):
        approved = case_open(item=items["M02"], village_code=VILLAGE_A, subject="批准", by=people.cadre_a)
        open_case = case_open(
            item=items["S01"], village_code=VILLAGE_A, subject="办理中", applicant_name="王", by=people.cadre_a
        )
        act(approved, "representatives", people.cadre_a2, attachments=[Upload("other", "a.png", png_bytes())])
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
        act(old, "village_review", people.cadre_a2)
    assert old.current_step == "publicity"
    # A new case cannot start under the old version.
    with pytest.raises(InvalidInput, match="not on the current list"):
        case_open(item=items["S01"], village_code=VILLAGE_A, subject="x", applicant_name="王", by=people.cadre_a)
    assert Case.objects.count() == 2
