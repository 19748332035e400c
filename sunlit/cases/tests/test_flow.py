"""Walking a flow: every step by the right person, in order, once, with its records.

低保 (S01 in flows.py): apply → village review → village publicity (7 days) → township
review → county approval → result publicity (7 days) → approved.
"""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from sunlit.cases.engine import MeetingCounts
from sunlit.cases.models import Attachment, Case, CaseAction
from sunlit.cases.services import Upload, case_act, case_open
from sunlit.cases.tests.conftest import People, act, last_action, png_bytes, published, travel
from sunlit.conftest import VILLAGE_A
from sunlit.lib.errors import ApplicationError, InvalidInput, NotPermitted
from sunlit.powers.flow import APPROVED, REJECTED
from sunlit.transparency import selectors as tsel

pytestmark = pytest.mark.django_db


@pytest.fixture
def dibao(people: People, items: dict[str, Any]) -> Case:
    with travel("2026-03-02 09:00"):
        return case_open(
            item=items["S01"],
            village_code=VILLAGE_A,
            subject="王小明申请低保",
            applicant_name="王小明",
            applicant_id_last4="1234",
            by=people.cadre_a,
        )


def to_township_review(case: Case, people: People) -> Case:
    with travel("2026-03-02 10:00"):
        act(case, "apply", people.cadre_a)
        act(case, "village_review", people.cadre_a2)
    with travel("2026-03-09 10:00"):
        return act(case, "publicity", people.cadre_a)


def unchanged(case: Case) -> tuple[Any, ...]:
    fresh = Case.objects.get(pk=case.pk)
    return (
        fresh.state,
        fresh.current_step,
        fresh.version,
        CaseAction.objects.filter(case=case).count(),
        tsel.history("case", case.number).count(),
    )


class TestEndToEnd:
    def test_it_carries_a_dibao_case_to_approval(self, dibao: Case, people: People) -> None:
        case = to_township_review(dibao, people)
        assert case.current_step == "township_review"
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official)
            act(case, "county_approval", people.county)
        assert case.current_step == "result_publicity"
        with travel("2026-03-17 10:00"):
            act(case, "result_publicity", people.cadre_a)
        assert case.state == "approved" and case.current_step == "" and case.closed_at is not None
        steps = list(case.actions.values_list("step_key", "outcome", "target"))
        assert steps == [
            ("apply", "approve", "village_review"),
            ("village_review", "approve", "publicity"),
            ("publicity", "approve", "township_review"),
            ("township_review", "approve", "county_approval"),
            ("county_approval", "approve", "result_publicity"),
            ("result_publicity", "approve", APPROVED),
        ]
        snapshot = published(case.number).snapshot
        assert snapshot["state"] == "approved" and snapshot["current_step"] is None
        assert [h["step"]["key"] for h in snapshot["history"]] == [s for s, _o, _t in steps]
        # One published version per change: opened + six steps.
        assert tsel.history("case", case.number).count() == 7

    def test_it_follows_a_rejection_to_the_end(self, dibao: Case, people: People) -> None:
        case = to_township_review(dibao, people)
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official, "reject", decision="家庭收入超过低保标准")
        assert case.state == "rejected" and last_action(case).target == REJECTED

    def test_it_follows_a_return_for_correction(self, dibao: Case, people: People) -> None:
        case = to_township_review(dibao, people)
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official, "return", decision="补充收入证明")
        assert case.current_step == "village_review" and case.state == "open"
        # The returned step starts again with a fresh deadline.
        assert str(case.step_due_on) == "2026-03-24"
        with travel("2026-03-11 10:00"):
            act(case, "village_review", people.cadre_a2)
        assert case.current_step == "publicity"

    def test_it_lets_the_same_reviewer_decide_the_same_step_again_after_a_return(
        self, dibao: Case, people: People
    ) -> None:
        case = to_township_review(dibao, people)
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official, "return", decision="补充材料")
            act(case, "village_review", people.cadre_a2)
        with travel("2026-03-17 10:00"):
            act(case, "publicity", people.cadre_a)
            act(case, "township_review", people.official)
        assert case.current_step == "county_approval"


class TestRefusals:
    def test_it_refuses_the_wrong_person(self, dibao: Case, people: People) -> None:
        before = unchanged(dibao)
        for outsider in (people.cadre_b, people.supervisor_a, people.official, people.operator):
            with pytest.raises(NotPermitted, match="completed by a village cadre"):
                case_act(
                    case=dibao,
                    step_key="apply",
                    expected_version=1,
                    outcome="approve",
                    decision="x",
                    attachments=[Upload("application_form", "a.png", png_bytes())],
                    by=outsider,
                )
        assert unchanged(dibao) == before

    def test_it_refuses_a_village_cadre_on_a_township_step(self, dibao: Case, people: People) -> None:
        case = to_township_review(dibao, people)
        before = unchanged(case)
        with pytest.raises(NotPermitted, match="township official at township level"):
            act(case, "township_review", people.cadre_a)
        assert unchanged(case) == before

    def test_it_refuses_a_township_official_on_a_county_step(self, dibao: Case, people: People) -> None:
        case = to_township_review(dibao, people)
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official)
            with pytest.raises(NotPermitted, match="at county level"):
                act(case, "county_approval", people.official2)

    def test_it_refuses_a_step_out_of_order(self, dibao: Case, people: People) -> None:
        before = unchanged(dibao)
        with pytest.raises(ApplicationError, match="The case is at step application received, not village"):
            act(dibao, "village_review", people.cadre_a2)
        assert unchanged(dibao) == before

    def test_it_refuses_an_unknown_step(self, dibao: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="not a step of this case's flow"):
            act(dibao, "pay_everyone", people.cadre_a)

    def test_it_refuses_a_double_submit_naming_who_acted(self, dibao: Case, people: People) -> None:
        with travel("2026-03-02 10:00"):
            case_act(
                case=dibao,
                step_key="apply",
                expected_version=1,
                outcome="approve",
                decision="同意",
                attachments=[Upload("application_form", "a.png", png_bytes())],
                by=people.cadre_a,
            )
            before = unchanged(dibao)
            with pytest.raises(ApplicationError, match=r"already completed by 王建国 at 2026-03-02 10:00"):
                case_act(
                    case=dibao,
                    step_key="apply",
                    expected_version=1,
                    outcome="approve",
                    decision="同意",
                    attachments=[Upload("application_form", "a.png", png_bytes())],
                    by=people.cadre_a,
                )
        assert unchanged(dibao) == before

    def test_it_lets_one_of_two_simultaneous_officials_through(
        self, dibao: Case, people: People, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from sunlit.cases import services

        # The second official read the case before the first one's change committed: her
        # checks all pass on what she read, and the guarded UPDATE is what stops her.
        stale = Case.objects.select_related("item", "village").get(pk=dibao.pk)
        with travel("2026-03-02 10:00"):
            act(dibao, "apply", people.cadre_a)
        cadre_a2 = people.cadre_a2
        monkeypatch.setattr(services, "_fresh", lambda case: stale)
        before = unchanged(dibao)
        with travel("2026-03-02 10:01"), pytest.raises(ApplicationError, match="already completed by 王建国"):
            case_act(
                case=dibao,
                step_key="apply",
                expected_version=1,
                outcome="approve",
                decision="同意",
                attachments=[Upload("application_form", "a.png", png_bytes())],
                by=cadre_a2,
            )
        assert unchanged(dibao) == before
        assert not Attachment.objects.filter(uploaded_by=cadre_a2).exists()

    def test_it_refuses_a_stale_form_after_the_case_moved_on(self, dibao: Case, people: People) -> None:
        with travel("2026-03-02 10:00"):
            act(dibao, "apply", people.cadre_a)
            act(dibao, "village_review", people.cadre_a2)
        with pytest.raises(ApplicationError, match="changed since you opened it"):
            act(dibao, "apply", people.cadre_a, version=1)

    def test_it_refuses_to_act_after_the_case_closed(self, dibao: Case, people: People) -> None:
        with travel("2026-03-02 10:00"):
            act(dibao, "apply", people.cadre_a, "reject", decision="材料不全")
        before = unchanged(dibao)
        with pytest.raises(ApplicationError, match="This case is closed"):
            act(dibao, "village_review", people.cadre_a2)
        assert unchanged(dibao) == before

    def test_it_refuses_an_outcome_the_step_does_not_offer(self, dibao: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="cannot end with return"):
            act(dibao, "apply", people.cadre_a, "return")

    def test_it_wants_the_decision_and_the_named_attachments(self, dibao: Case, people: People) -> None:
        before = unchanged(dibao)
        with pytest.raises(InvalidInput, match="Write the decision") as e:
            act(dibao, "apply", people.cadre_a, decision="", attachments=[])
        assert "Attach: application form" in e.value.message
        assert unchanged(dibao) == before

    def test_it_wants_a_reason_for_a_rejection(self, dibao: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="the reason"):
            act(dibao, "apply", people.cadre_a, "reject", decision="  ")

    def test_it_refuses_an_attachment_kind_the_step_does_not_take(self, dibao: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="no attachment of kind 'selfie'"):
            act(dibao, "apply", people.cadre_a, attachments=[Upload("selfie", "s.png", png_bytes())])

    def test_it_refuses_a_disguised_attachment_and_keeps_nothing(self, dibao: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="is not a JPEG, PNG or WebP image or a PDF"):
            act(
                dibao,
                "apply",
                people.cadre_a,
                attachments=[Upload("application_form", "form.jpg", b"<html>not a scan</html>")],
            )
        assert not Attachment.objects.exists() and not CaseAction.objects.exists()


class TestSeparationOfDuties:
    def test_it_refuses_one_person_deciding_two_approval_steps(self, dibao: Case, people: People) -> None:
        from sunlit.accounts.models import Membership, Role
        from sunlit.conftest import COUNTY

        # The township official also holds a county membership: he could do both steps.
        Membership.objects.create(
            user=people.official, role=Role.TOWNSHIP_OFFICIAL, region_id=COUNTY, starts_on="2024-01-01"
        )
        case = to_township_review(dibao, people)
        with travel("2026-03-10 10:00"):
            act(case, "township_review", people.official)
            before = unchanged(case)
            with pytest.raises(NotPermitted, match="You already decided step township review"):
                act(case, "county_approval", people.official)
            assert unchanged(case) == before
            act(case, "county_approval", people.county)
        assert case.current_step == "result_publicity"

    def test_it_counts_the_village_cadres_approval_too(self, people: People, items: dict[str, Any]) -> None:
        # M01: the villagers' meeting and the supervision review are approval steps, but a
        # supervisor cannot hold the meeting: the cadre's approval does not block the supervisor.
        # (The meeting is recorded by a cadre other than the one who proposed: it decides on
        # the proposal.)
        with travel("2026-03-02 09:00"):
            case = case_open(
                item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", amount_fen=100, by=people.cadre_a
            )
            for step in ("propose", "committees", "party_members"):
                act(case, step, people.cadre_a)
            act(case, "villagers", people.cadre_a2)
        with travel("2026-03-05 09:00"):
            act(case, "disclose", people.cadre_a)
            act(case, "supervise", people.supervisor_a)
        assert case.state == "approved"


class TestMeetings:
    @pytest.fixture
    def major(self, people: People, items: dict[str, Any]) -> Case:
        with travel("2026-03-02 09:00"):
            case = case_open(
                item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", amount_fen=100, by=people.cadre_a
            )
            act(case, "propose", people.cadre_a)
            act(case, "committees", people.cadre_a, meeting=MeetingCounts(7, 5, 5, 0, 0))
            act(case, "party_members", people.cadre_a, meeting=MeetingCounts(30, 20, 16, 4, 0))
        return case

    def test_it_records_a_meeting_without_quorum_and_stays(self, major: Case, people: People) -> None:
        due = major.step_due_on
        with travel("2026-03-03 09:00"):
            act(major, "villagers", people.cadre_a2, meeting=MeetingCounts(400, 200, 200, 0, 0))
        assert (major.state, major.current_step, major.step_due_on) == ("open", "villagers", due)
        failed = last_action(major)
        assert (failed.outcome, failed.meeting_result, failed.target, failed.approval) == (
            "",
            "no_quorum",
            "villagers",
            False,
        )
        snapshot = published(major.number).snapshot
        assert snapshot["history"][-1]["meeting"] == {
            "body": "villagers",
            "expected": 400,
            "present": 200,
            "households_expected": None,
            "households_present": None,
            "for": 200,
            "against": 0,
            "abstain": 0,
            "result": "no_quorum",
        }
        # Held again with a quorum, it decides.
        with travel("2026-03-04 09:00"):
            act(major, "villagers", people.cadre_a2, meeting=MeetingCounts(400, 201, 150, 51, 0))
        assert major.current_step == "disclose"

    def test_it_fails_the_motion_without_a_majority(self, major: Case, people: People) -> None:
        with travel("2026-03-03 09:00"):
            act(major, "villagers", people.cadre_a2, meeting=MeetingCounts(400, 202, 101, 101, 0))
        assert major.state == "rejected"
        assert last_action(major).meeting_result == "no_majority"

    def test_it_returns_when_the_party_members_do_not_agree(self, people: People, items: dict[str, Any]) -> None:
        with travel("2026-03-02 09:00"):
            case = case_open(
                item=items["M01"], village_code=VILLAGE_A, subject="出租鱼塘", amount_fen=100, by=people.cadre_a
            )
            act(case, "propose", people.cadre_a)
            act(case, "committees", people.cadre_a, meeting=MeetingCounts(7, 4, 4, 0, 0))
            act(case, "party_members", people.cadre_a, meeting=MeetingCounts(30, 20, 15, 5, 0))
        # The step allows reject: a failed motion there rejects.
        assert case.state == "rejected"

    def test_it_refuses_impossible_counts(self, major: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="more than the 400 expected"):
            act(major, "villagers", people.cadre_a2, meeting=MeetingCounts(400, 401, 300, 0, 0))

    def test_it_decides_by_the_vote_not_by_a_chosen_outcome(self, major: Case, people: People) -> None:
        with pytest.raises(InvalidInput, match="decides by its vote"):
            act(major, "villagers", people.cadre_a2, "reject", meeting=MeetingCounts(400, 300, 300, 0, 0))

    def test_it_is_quorate_by_households(self, major: Case, people: People) -> None:
        act(
            major,
            "villagers",
            people.cadre_a2,
            meeting=MeetingCounts(400, 150, 100, 20, 0, households_expected=120, households_present=80),
        )
        assert major.current_step == "disclose"

    @pytest.mark.parametrize(
        ("present", "votes_for", "result"), [(29, 29, "no_quorum"), (30, 15, "no_majority"), (30, 16, "passed")]
    )
    def test_it_applies_the_representatives_rule(
        self, people: People, items: dict[str, Any], present: int, votes_for: int, result: str
    ) -> None:
        case = case_open(item=items["M02"], village_code=VILLAGE_A, subject="修路筹资", by=people.cadre_a)
        # Opened by one cadre, the meeting's decision recorded by another.
        act(case, "representatives", people.cadre_a2, meeting=MeetingCounts(45, present, votes_for, 0, 0))
        assert last_action(case).meeting_result == result
        assert case.state == {"no_quorum": "open", "no_majority": "rejected", "passed": "approved"}[result]


class TestAttachments:
    def test_it_stores_cleaned_attachments_with_the_action(self, dibao: Case, people: People) -> None:
        from django.core.files.storage import default_storage

        from sunlit.lib.tests.test_uploads import jpeg_with_gps

        act(
            dibao,
            "apply",
            people.cadre_a,
            attachments=[
                Upload("application_form", "申请书.jpg", jpeg_with_gps()),
                Upload("other", "notice.pdf", b"%PDF-1.4\n%%EOF\n"),
            ],
        )
        stored = list(Attachment.objects.order_by("id"))
        assert [(a.kind, a.content_type) for a in stored] == [
            ("application_form", "image/jpeg"),
            ("other", "application/pdf"),
        ]
        assert stored[0].action == dibao.actions.get() and stored[0].original_name == "申请书.jpg"
        name = stored[0].file.name or ""
        with default_storage.open(name) as f:
            assert not Image.open(io.BytesIO(f.read())).getexif()
        assert name.startswith(f"cases/431382/{VILLAGE_A}/{dibao.number}/")
