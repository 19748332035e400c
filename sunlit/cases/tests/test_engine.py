"""The flow engine's rules without a database: meetings at their exact boundaries."""

from __future__ import annotations

import pytest

from sunlit.cases import engine
from sunlit.cases.engine import MeetingCounts, decide, meeting_result
from sunlit.cases.tests.flows import DIBAO, MAJOR, MEETING_RULES
from sunlit.lib.errors import InvalidInput
from sunlit.powers.flow import REJECTED


def counts(
    expected: int,
    present: int,
    votes_for: int,
    against: int = 0,
    abstain: int = 0,
    households: tuple[int, int] | None = None,
) -> MeetingCounts:
    return MeetingCounts(
        expected=expected,
        present=present,
        votes_for=votes_for,
        votes_against=against,
        votes_abstain=abstain,
        households_expected=households[0] if households else None,
        households_present=households[1] if households else None,
    )


class TestPartyMembersMeeting:
    rule = MEETING_RULES["party_members"]

    def test_it_needs_two_thirds_to_attend(self) -> None:
        # 30 expected: 20 is exactly two thirds (quorate), 19 is not.
        assert meeting_result(self.rule, counts(30, 19, 19)) == "no_quorum"
        assert meeting_result(self.rule, counts(30, 20, 16)) == "passed"

    def test_it_passes_with_more_than_half_of_those_required_to_attend(self) -> None:
        # Half of the 30 expected (15) is not enough, even with every present voting for.
        assert meeting_result(self.rule, counts(30, 20, 15, 5)) == "no_majority"
        assert meeting_result(self.rule, counts(30, 20, 16, 4)) == "passed"

    def test_it_counts_an_odd_membership_exactly(self) -> None:
        # 31 expected: 2/3 is 20.67, so 21 attend; more than half is 16.
        assert meeting_result(self.rule, counts(31, 20, 20)) == "no_quorum"
        assert meeting_result(self.rule, counts(31, 21, 15)) == "no_majority"
        assert meeting_result(self.rule, counts(31, 21, 16)) == "passed"


class TestVillagersMeeting:
    rule = MEETING_RULES["villagers"]

    def test_it_needs_more_than_half_of_the_adults(self) -> None:
        assert meeting_result(self.rule, counts(400, 200, 200)) == "no_quorum"
        assert meeting_result(self.rule, counts(400, 201, 101)) == "passed"

    def test_it_is_quorate_by_two_thirds_of_households_instead(self) -> None:
        assert meeting_result(self.rule, counts(400, 150, 100, households=(120, 79))) == "no_quorum"
        assert meeting_result(self.rule, counts(400, 150, 100, households=(120, 80))) == "passed"

    def test_it_passes_with_more_than_half_of_those_present(self) -> None:
        assert meeting_result(self.rule, counts(400, 202, 101, 101)) == "no_majority"
        assert meeting_result(self.rule, counts(400, 202, 102, 100)) == "passed"


class TestRepresentativesMeeting:
    rule = MEETING_RULES["representatives"]

    def test_it_needs_two_thirds_present_and_more_than_half_of_them_for(self) -> None:
        assert meeting_result(self.rule, counts(45, 29, 29)) == "no_quorum"
        assert meeting_result(self.rule, counts(45, 30, 15, 15)) == "no_majority"
        assert meeting_result(self.rule, counts(45, 30, 16, 14)) == "passed"


class TestCommitteesMeeting:
    rule = MEETING_RULES["committees"]

    def test_it_needs_a_majority_of_the_members(self) -> None:
        assert meeting_result(self.rule, counts(7, 3, 3)) == "no_quorum"
        assert meeting_result(self.rule, counts(7, 4, 3)) == "no_majority"
        assert meeting_result(self.rule, counts(7, 4, 4)) == "passed"


class TestCounts:
    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            (counts(10, 11, 5), "present"),
            (counts(10, 8, 5, 3, 1), "votes_for"),
            (counts(0, 0, 0), "expected"),
            (counts(10, 8, -1), "votes_for"),
            (MeetingCounts(10, 8, 5, 0, 0, households_expected=5), "households_present"),
            (counts(10, 8, 5, households=(5, 6)), "households_present"),
        ],
    )
    def test_it_refuses_impossible_counts(self, bad: MeetingCounts, field: str) -> None:
        with pytest.raises(InvalidInput) as e:
            bad.validate()
        assert e.value.field == field


class TestDecide:
    def test_it_follows_the_outcome(self) -> None:
        step = DIBAO.flow.step("village_review")
        assert decide(step, "approve").target == "publicity"
        assert decide(step, "return").target == "apply"
        assert decide(step, "reject").target == REJECTED

    def test_it_refuses_an_outcome_the_step_does_not_allow(self) -> None:
        with pytest.raises(InvalidInput):
            decide(DIBAO.flow.step("publicity"), "reject")
        with pytest.raises(InvalidInput):
            decide(DIBAO.flow.step("publicity"), "burn")

    def test_it_keeps_the_step_when_a_meeting_has_no_quorum(self) -> None:
        decision = decide(MAJOR.flow.step("villagers"), "approve", "no_quorum")
        assert (decision.outcome, decision.target) == ("", "villagers")

    def test_it_turns_a_failed_vote_into_the_reject(self) -> None:
        decision = decide(MAJOR.flow.step("villagers"), "approve", "no_majority")
        assert (decision.outcome, decision.target) == ("reject", REJECTED)

    def test_it_names_every_missing_record(self) -> None:
        step = DIBAO.flow.step("apply")
        missing = engine.missing_records(
            step, decide(step, "approve"), text="", minutes="", counts=None, attachment_kinds=[]
        )
        assert [f for f, _m in missing] == ["decision", "attachments"]

    def test_it_wants_a_reason_for_a_rejection_even_where_no_decision_is_required(self) -> None:
        step = MAJOR.flow.step("party_members")
        missing = engine.missing_records(
            step, decide(step, "return"), text="", minutes="m", counts=counts(10, 8, 5), attachment_kinds=[]
        )
        assert [f for f, _m in missing] == ["decision"]
