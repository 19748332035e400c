"""Opening a case: who may, under which item, and what becomes public."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.cases.models import Case
from sunlit.cases.services import case_open
from sunlit.cases.tests.conftest import People, travel
from sunlit.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.transparency import selectors as tsel

pytestmark = pytest.mark.django_db


def open_dibao(items: dict[str, Any], by: Any, village: str = VILLAGE_A, **kw: Any) -> Case:
    fields: dict[str, Any] = {"subject": "王小明申请低保", "applicant_name": "王小明", "applicant_id_last4": "123x"}
    fields.update(kw)
    return case_open(item=items["S01"], village_code=village, by=by, **fields)


class TestOpening:
    def test_it_numbers_cases_per_village_and_year(self, people: People, items: dict[str, Any]) -> None:
        with travel("2026-03-02 10:00"):
            first = open_dibao(items, people.cadre_a)
            second = open_dibao(items, people.cadre_a)
            other = open_dibao(items, people.cadre_b, village=VILLAGE_B)
        with travel("2027-01-04 10:00"):
            next_year = open_dibao(items, people.cadre_a)
        assert first.number == f"{VILLAGE_A}-2026-0001"
        assert second.number == f"{VILLAGE_A}-2026-0002"
        assert other.number == f"{VILLAGE_B}-2026-0001"
        assert next_year.number == f"{VILLAGE_A}-2027-0001"

    def test_it_starts_at_the_first_step_with_its_due_date(self, people: People, items: dict[str, Any]) -> None:
        with travel("2026-02-12 10:00"):  # Thursday before the Spring Festival; the step has 5 working days
            case = open_dibao(items, people.cadre_a)
        assert (case.state, case.current_step, case.version) == ("open", "apply", 1)
        # 02-13, 02-14 (adjusted Saturday), then 02-24, 02-25, 02-26.
        assert str(case.step_due_on) == "2026-02-26"
        assert case.county_code == "431382000000"
        assert case.applicant_id_last4 == "123X"

    def test_it_publishes_a_masked_summary(self, people: People, items: dict[str, Any]) -> None:
        case = open_dibao(items, people.cadre_a)
        entry = tsel.current("case", case.number)
        assert entry is not None and entry.chain_id == VILLAGE_A
        snapshot = entry.snapshot
        assert snapshot["applicant"] == "王*"
        assert snapshot["item"]["code"] == "S01"
        assert snapshot["current_step"]["key"] == "apply"
        text = entry.snapshot_json
        assert "王小明" not in text.replace(snapshot["subject"], "") and "123X" not in text

    def test_it_refuses_a_cadre_of_another_village(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(NotPermitted):
            open_dibao(items, people.cadre_b)
        assert not Case.objects.exists()

    @pytest.mark.parametrize("actor", ["supervisor_a", "inspector", "operator", "admin"])
    def test_it_refuses_roles_that_do_not_open_cases(self, people: People, items: dict[str, Any], actor: str) -> None:
        with pytest.raises(NotPermitted):
            open_dibao(items, getattr(people, actor))

    def test_it_lets_a_township_official_open_a_village_item(self, people: People, items: dict[str, Any]) -> None:
        assert open_dibao(items, people.official).opened_by == people.official

    def test_it_needs_a_township_official_for_a_township_item(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(NotPermitted, match="Only a township official"):
            case_open(item=items["T01"], village_code=VILLAGE_A, subject="乡镇事项", by=people.cadre_a)
        case = case_open(item=items["T01"], village_code=VILLAGE_A, subject="乡镇事项", by=people.official)
        assert case.current_step == "township_decides"

    def test_it_keeps_a_township_specific_item_in_its_township(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput, match="applies only in township 431382102000"):
            case_open(item=items["X01"], village_code=VILLAGE_A, subject="特色", by=people.cadre_a)
        assert case_open(item=items["X01"], village_code=VILLAGE_C, subject="特色", by=people.cadre_c).number

    def test_it_wants_the_amount_where_the_item_needs_one(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput) as e:
            case_open(item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", by=people.cadre_a)
        assert e.value.field == "amount_fen"
        with pytest.raises(InvalidInput):
            case_open(item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", amount_fen=-1, by=people.cadre_a)
        case = case_open(
            item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", amount_fen=1_200_000, by=people.cadre_a
        )
        assert case.amount_fen == 1_200_000

    def test_it_wants_the_applicant_where_the_item_serves_one(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput) as e:
            open_dibao(items, people.cadre_a, applicant_name="")
        assert e.value.field == "applicant_name"

    @pytest.mark.parametrize("digits", ["12345", "43138219800101123X", "12a4", "X123"])
    def test_it_never_takes_more_than_the_last_four_of_an_id(
        self, people: People, items: dict[str, Any], digits: str
    ) -> None:
        with pytest.raises(InvalidInput) as e:
            open_dibao(items, people.cadre_a, applicant_id_last4=digits)
        assert e.value.field == "applicant_id_last4"

    def test_it_refuses_a_township_as_the_village(self, people: People, items: dict[str, Any]) -> None:
        with pytest.raises(InvalidInput):
            open_dibao(items, people.official, village="431382101000")

    def test_it_audits_the_opening(self, people: People, items: dict[str, Any]) -> None:
        from sunlit.audit.models import AuditEvent

        case = open_dibao(items, people.cadre_a)
        event = AuditEvent.objects.get(action="case.open")
        assert event.actor == people.cadre_a and event.detail["number"] == case.number
