"""Publicity: a notice stays up N full days; an objection pauses the case until resolved."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.cases.models import Case, CaseAction, Objection
from sunlit.cases.services import case_objection_record, case_objection_resolve, case_open, case_withdraw
from sunlit.cases.tests.conftest import People, act, at, last_action, published, travel
from sunlit.conftest import VILLAGE_A
from sunlit.lib.errors import ApplicationError, NotPermitted

pytestmark = pytest.mark.django_db


class TestNoticePeriod:
    def test_it_sets_the_end_of_the_notice(self, posted: Case) -> None:
        assert posted.publicity_ends_at == at("2026-03-09 10:00")
        assert published(posted.number).snapshot["current_step"]["notice_until"] == "2026-03-09T10:00:00+08:00"

    def test_it_cannot_close_on_day_n_minus_one(self, posted: Case, people: People) -> None:
        with travel("2026-03-08 10:00"), pytest.raises(ApplicationError, match="stays up until 2026-03-09 10:00"):
            act(posted, "publicity", people.cadre_a)
        with travel("2026-03-09 09:59"), pytest.raises(ApplicationError):
            act(posted, "publicity", people.cadre_a)
        posted.refresh_from_db()
        assert posted.current_step == "publicity" and posted.version == 3

    def test_it_closes_on_day_n(self, posted: Case, people: People) -> None:
        with travel("2026-03-09 10:00"):
            act(posted, "publicity", people.cadre_a)
        assert posted.current_step == "township_review"

    def test_it_cannot_be_returned_early_either(self, posted: Case, people: People) -> None:
        with travel("2026-03-05 10:00"), pytest.raises(ApplicationError, match="stays up"):
            act(posted, "publicity", people.cadre_a, "return", decision="重新评议")


class TestObjections:
    def test_it_pauses_the_case(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"):
            objection = case_objection_record(case=posted, text="村民李某反映申请人有轿车", by=people.supervisor_a)
        posted.refresh_from_db()
        assert posted.state == "paused" and posted.paused_at == at("2026-03-04 10:00")
        assert objection.step_key == "publicity" and objection.is_open
        snapshot = published(posted.number).snapshot
        assert snapshot["state"] == "paused"
        assert snapshot["objections"] == [
            {"step": "publicity", "raised_on": "2026-03-04", "resolved_on": None, "upheld": None}
        ]
        assert "轿车" not in published(posted.number).snapshot_json
        # Nobody can complete the step while paused, even after the period.
        with travel("2026-03-10 10:00"), pytest.raises(ApplicationError, match="paused"):
            act(posted, "publicity", people.cadre_a)

    def test_a_paused_case_is_not_overdue(self, posted: Case, people: People) -> None:
        from datetime import date

        from sunlit.cases.selectors import overdue_cases

        with travel("2026-03-04 10:00"):
            case_objection_record(case=posted, text="异议", by=people.cadre_a)
        assert not overdue_cases(today=date(2026, 6, 1)).exists()

    def test_it_resumes_after_a_dismissal_without_shortening_the_notice(self, posted: Case, people: People) -> None:
        due = posted.step_due_on
        with travel("2026-03-04 10:00"):
            objection = case_objection_record(case=posted, text="异议", by=people.supervisor_a)
        with travel("2026-03-06 10:00"):  # paused for two days (Thursday and Friday: two working days)
            case_objection_resolve(objection=objection, upheld=False, resolution="经核查不属实", by=people.official)
        posted.refresh_from_db()
        assert posted.state == "open" and posted.paused_at is None
        assert posted.publicity_ends_at == at("2026-03-11 10:00")
        assert posted.step_due_on is not None and due is not None
        assert (posted.step_due_on - due).days == 2
        with travel("2026-03-11 09:59"), pytest.raises(ApplicationError, match="stays up until 2026-03-11 10:00"):
            act(posted, "publicity", people.cadre_a)
        with travel("2026-03-11 10:00"):
            act(posted, "publicity", people.cadre_a)
        assert posted.current_step == "township_review"
        objection.refresh_from_db()
        assert (objection.upheld, objection.resolved_by, objection.resolution) == (
            False,
            people.official,
            "经核查不属实",
        )

    def test_it_returns_the_case_for_correction_when_upheld(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"):
            objection = case_objection_record(case=posted, text="家庭有经营收入", by=people.supervisor_a)
            case_objection_resolve(objection=objection, upheld=True, resolution="属实，重新评议", by=people.official)
        posted.refresh_from_db()
        assert (posted.state, posted.current_step) == ("open", "village_review")
        upheld = last_action(posted)
        assert (upheld.kind, upheld.outcome, upheld.target, upheld.actor) == (
            "objection",
            "return",
            "village_review",
            people.official,
        )
        # Corrected and posted again: a full new period, and the old objection does not count.
        with travel("2026-03-05 10:00"):
            act(posted, "village_review", people.cadre_a2)
        assert posted.publicity_ends_at == at("2026-03-12 10:00") and posted.state == "open"

    def test_it_rejects_when_upheld_and_the_step_has_no_correction(self, people: People, items: dict[str, Any]) -> None:
        # result_publicity offers only approve: an upheld objection there rejects the case.
        with travel("2026-03-02 09:00"):
            case = case_open(
                item=items["S01"], village_code=VILLAGE_A, subject="s", applicant_name="王小明", by=people.cadre_a
            )
            for step, who in [("apply", people.cadre_a), ("village_review", people.cadre_a2)]:
                act(case, step, who)
        with travel("2026-03-09 09:00"):
            act(case, "publicity", people.cadre_a)
            act(case, "township_review", people.official)
            act(case, "county_approval", people.county)
            objection = case_objection_record(case=case, text="冒名顶替", by=people.cadre_a)
            case_objection_resolve(objection=objection, upheld=True, resolution="属实", by=people.official)
        case.refresh_from_db()
        assert case.state == "rejected" and last_action(case).outcome == "reject"

    def test_it_waits_for_every_objection_before_moving(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"):
            first = case_objection_record(case=posted, text="一", by=people.supervisor_a)
            second = case_objection_record(case=posted, text="二", by=people.cadre_a)
            case_objection_resolve(objection=first, upheld=True, resolution="属实", by=people.official)
            posted.refresh_from_db()
            assert posted.state == "paused"
            case_objection_resolve(objection=second, upheld=False, resolution="不属实", by=people.official)
        posted.refresh_from_db()
        assert (posted.state, posted.current_step) == ("open", "village_review")

    def test_it_refuses_an_objection_when_no_notice_is_up(self, posted: Case, people: People) -> None:
        with travel("2026-03-09 10:00"), pytest.raises(ApplicationError, match="while a notice is up"):
            case_objection_record(case=posted, text="太晚了", by=people.supervisor_a)
        with travel("2026-03-09 10:00"):
            act(posted, "publicity", people.cadre_a)
            with pytest.raises(ApplicationError, match="while a notice is up"):
                case_objection_record(case=posted, text="不是公示期", by=people.official)
        assert not Objection.objects.exists()

    def test_only_the_township_resolves(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"):
            objection = case_objection_record(case=posted, text="异议", by=people.supervisor_a)
        for outsider in (people.cadre_a, people.supervisor_a, people.inspector, people.cadre_b):
            with pytest.raises(NotPermitted):
                case_objection_resolve(objection=objection, upheld=False, resolution="x", by=outsider)
        objection.refresh_from_db()
        assert objection.is_open

    def test_it_refuses_to_resolve_twice(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"):
            objection = case_objection_record(case=posted, text="异议", by=people.supervisor_a)
            case_objection_resolve(objection=objection, upheld=False, resolution="不属实", by=people.official)
            with pytest.raises(ApplicationError, match="already resolved by 刘志强"):
                case_objection_resolve(objection=objection, upheld=True, resolution="改判", by=people.official2)
        objection.refresh_from_db()
        assert objection.upheld is False

    def test_cadre_of_another_village_cannot_object(self, posted: Case, people: People) -> None:
        with travel("2026-03-04 10:00"), pytest.raises(NotPermitted):
            case_objection_record(case=posted, text="异议", by=people.cadre_b)


class TestWithdraw:
    def test_it_closes_a_case_on_request(self, posted: Case, people: People) -> None:
        case_withdraw(case=posted, reason="申请人撤回", by=people.cadre_a)
        posted.refresh_from_db()
        assert posted.state == "withdrawn" and posted.current_step == ""
        assert last_action(posted).kind == "withdraw"
        assert published(posted.number).snapshot["state"] == "withdrawn"
        with pytest.raises(ApplicationError, match="closed"):
            case_withdraw(case=posted, reason="again", by=people.cadre_a)

    def test_it_refuses_a_supervisor(self, posted: Case, people: People) -> None:
        with pytest.raises(NotPermitted):
            case_withdraw(case=posted, reason="x", by=people.supervisor_a)
        assert CaseAction.objects.filter(kind="withdraw").count() == 0
