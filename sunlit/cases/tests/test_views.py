"""The back office's case pages: who may see and do what, and what each page costs."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sunlit.cases.models import Case, Objection
from sunlit.cases.services import Upload, case_objection_record, case_open
from sunlit.cases.tests.conftest import People, act, png_bytes
from sunlit.conftest import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db

ACTORS = ["villager", "cadre_a", "cadre_b", "supervisor_a", "official", "inspector", "operator", "admin"]
LOGIN = 302


@pytest.fixture
def world(people: People, items: dict[str, Any]) -> dict[str, Any]:
    """Case A1 waits at its first step (a cadre's) with an attachment on record; case A2's
    notice is up; case A3 is paused by an objection."""
    first = case_open(
        item=items["S01"],
        village_code=VILLAGE_A,
        subject="王小明申请低保",
        applicant_name="王小明",
        applicant_id_last4="5678",
        by=people.cadre_a,
    )
    posted = case_open(
        item=items["S01"], village_code=VILLAGE_A, subject="李四申请低保", applicant_name="李四", by=people.cadre_a
    )
    act(posted, "apply", people.cadre_a, attachments=[Upload("application_form", "a.png", png_bytes())])
    act(posted, "village_review", people.cadre_a2)
    paused = case_open(
        item=items["S01"], village_code=VILLAGE_A, subject="赵五申请低保", applicant_name="赵五", by=people.cadre_a
    )
    act(paused, "apply", people.cadre_a)
    act(paused, "village_review", people.cadre_a2)
    objection = case_objection_record(case=paused, text="有人反映", by=people.supervisor_a)
    attachment = posted.attachments.get()
    return {
        "first": first.number,
        "posted": posted.number,
        "paused": paused.number,
        "objection": objection.pk,
        "attachment": attachment.pk,
    }


def row(name: str, method: str, path: str, data: Any, **expected: int) -> tuple[str, str, str, Any, dict[str, int]]:
    return (name, method, path, data, {"villager": LOGIN, **expected})


def act_data() -> dict[str, Any]:
    return {
        "step_key": "apply",
        "version": "1",
        "outcome": "approve",
        "decision": "受理",
        "file_application_form": SimpleUploadedFile("form.png", png_bytes(), "image/png"),
    }


MATRIX = [
    row(
        "case list",
        "get",
        "/office/cases/",
        {},
        cadre_a=200,
        cadre_b=200,
        supervisor_a=200,
        official=200,
        inspector=200,
        operator=404,
        admin=200,
    ),
    row(
        "overdue list",
        "get",
        "/office/cases/overdue/",
        {},
        cadre_a=200,
        cadre_b=200,
        supervisor_a=200,
        official=200,
        inspector=200,
        operator=404,
        admin=200,
    ),
    row(
        "open form",
        "get",
        "/office/cases/open/",
        {},
        cadre_a=200,
        cadre_b=200,
        supervisor_a=404,
        official=200,
        inspector=404,
        operator=404,
        admin=404,
    ),
    row(
        "open a case in village A",
        "post",
        "/office/cases/open/",
        {"village": VILLAGE_A, "item": "{S01}", "subject": "新申请", "applicant_name": "孙七"},
        cadre_a=302,
        cadre_b=404,
        supervisor_a=404,
        official=302,
        inspector=404,
        operator=404,
        admin=404,
    ),
    row(
        "case detail",
        "get",
        "/office/cases/{first}/",
        {},
        cadre_a=200,
        cadre_b=404,
        supervisor_a=200,
        official=200,
        inspector=200,
        operator=404,
        admin=200,
    ),
    row(
        "complete the cadre's step",
        "post",
        "/office/cases/{first}/act/",
        act_data,
        cadre_a=302,
        cadre_b=404,
        supervisor_a=403,
        official=403,
        inspector=403,
        operator=404,
        admin=403,
    ),
    row(
        "record an opinion",
        "post",
        "/office/cases/{first}/opinion/",
        {"step_key": "apply", "text": "同意受理"},
        cadre_a=403,
        cadre_b=404,
        supervisor_a=302,
        official=403,
        inspector=403,
        operator=404,
        admin=403,
    ),
    row(
        "record an objection",
        "post",
        "/office/cases/{posted}/objection/",
        {"text": "有异议"},
        cadre_a=302,
        cadre_b=404,
        supervisor_a=302,
        official=302,
        inspector=403,
        operator=404,
        admin=403,
    ),
    row(
        "resolve an objection",
        "post",
        "/office/cases/{paused}/objections/{objection}/resolve/",
        {"o{objection}-upheld": "0", "o{objection}-resolution": "不属实"},
        cadre_a=403,
        cadre_b=404,
        supervisor_a=403,
        official=302,
        inspector=403,
        operator=404,
        admin=403,
    ),
    row(
        "withdraw",
        "post",
        "/office/cases/{first}/withdraw/",
        {"reason": "申请人撤回"},
        cadre_a=302,
        cadre_b=404,
        supervisor_a=403,
        official=302,
        inspector=403,
        operator=404,
        admin=403,
    ),
    row(
        "an attachment",
        "get",
        "/office/cases/{posted}/attachments/{attachment}/",
        {},
        cadre_a=200,
        cadre_b=404,
        supervisor_a=200,
        official=200,
        inspector=200,
        operator=404,
        admin=200,
    ),
    row(
        "the calendar",
        "get",
        "/office/workdays/",
        {},
        cadre_a=404,
        cadre_b=404,
        supervisor_a=404,
        official=404,
        inspector=404,
        operator=404,
        admin=200,
    ),
]


def fill(value: Any, names: dict[str, Any]) -> Any:
    if callable(value):
        value = value()
    if isinstance(value, str):
        return value.format(**names)
    if isinstance(value, dict):
        return {fill(k, names): fill(v, names) for k, v in value.items()}
    return value


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("entry", MATRIX, ids=[r[0] for r in MATRIX])
def test_it_gives_each_role_exactly_its_access(
    people: People, items: dict[str, Any], world: dict[str, Any], as_user: Any, actor: str, entry: tuple
) -> None:
    name, method, path, data, expected = entry
    names = {**world, "S01": items["S01"].pk}
    client = Client() if actor == "villager" else as_user(getattr(people, actor))
    response = getattr(client, method)(fill(path, names), fill(data, names))
    assert response.status_code == expected[actor], f"{actor} on {name}: {response.status_code}"


def test_it_lists_only_the_cases_of_the_cadres_village(
    people: People, items: dict[str, Any], world: dict[str, Any], as_user: Any
) -> None:
    other = case_open(
        item=items["S01"], village_code=VILLAGE_B, subject="白竹村的申请", applicant_name="钱八", by=people.cadre_b
    )
    body = as_user(people.cadre_a).get("/office/cases/").content.decode()
    assert world["first"] in body and other.number not in body
    body = as_user(people.official).get("/office/cases/").content.decode()
    assert world["first"] in body and other.number in body


def test_it_filters_the_list(people: People, world: dict[str, Any], as_user: Any) -> None:
    client = as_user(people.official)
    body = client.get("/office/cases/?state=paused").content.decode()
    assert world["paused"] in body and world["first"] not in body
    body = client.get("/office/cases/?item=NOPE").content.decode()
    assert world["first"] not in body
    # Sessions expire while time travels: move the due dates instead.
    Case.objects.update(step_due_on="2020-01-01")
    body = client.get("/office/cases/?overdue=on").content.decode()
    assert world["first"] in body and world["paused"] not in body


def test_it_refuses_a_region_filter_outside_the_jurisdiction(
    people: People, world: dict[str, Any], as_user: Any
) -> None:
    assert as_user(people.cadre_b).get(f"/office/cases/?region={VILLAGE_A}").status_code == 404


@pytest.mark.parametrize("count", [1, 12])
def test_it_lists_cases_in_a_fixed_number_of_queries(
    people: People, items: dict[str, Any], as_user: Any, django_assert_num_queries: Any, count: int
) -> None:
    for i in range(count):
        case_open(
            item=items["S01"], village_code=VILLAGE_A, subject=f"申请{i}", applicant_name="王", by=people.official
        )
    client = as_user(people.official)
    client.get("/office/cases/")  # warm the session
    # session, user, OTP device, memberships, count, one page of cases (with item and village),
    # and the sliding session's save (savepoint, update, release)
    with django_assert_num_queries(9):
        response = client.get("/office/cases/")
    assert response.status_code == 200


@pytest.mark.parametrize("count", [1, 8])
def test_it_shows_the_overdue_summary_in_a_fixed_number_of_queries(
    people: People, items: dict[str, Any], as_user: Any, django_assert_num_queries: Any, count: int
) -> None:
    for i in range(count):
        case_open(
            item=items["S01"],
            village_code=VILLAGE_A if i % 2 else VILLAGE_B,
            subject=f"申请{i}",
            applicant_name="王",
            by=people.official,
        )
    Case.objects.update(step_due_on="2020-01-01")
    client = as_user(people.official)
    client.get("/office/cases/overdue/")
    # session, user, OTP device, memberships, counts per village, region names, session save (3)
    with django_assert_num_queries(9):
        response = client.get("/office/cases/overdue/")
    assert response.status_code == 200


class TestActing:
    def test_it_completes_a_step_through_the_form(self, people: People, world: dict[str, Any], as_user: Any) -> None:
        client = as_user(people.cadre_a)
        response = client.post(f"/office/cases/{world['first']}/act/", act_data())
        assert response.status_code == 302
        case = Case.objects.get(number=world["first"])
        assert case.current_step == "village_review" and case.attachments.get().kind == "application_form"

    def test_it_tells_the_second_submitter_who_won(self, people: People, world: dict[str, Any], as_user: Any) -> None:
        client = as_user(people.cadre_a)
        client.post(f"/office/cases/{world['first']}/act/", act_data())
        response = client.post(f"/office/cases/{world['first']}/act/", act_data())
        assert response.status_code == 409
        assert "already completed by 王建国" in response.content.decode()
        assert Case.objects.get(number=world["first"]).actions.count() == 1

    def test_it_keeps_the_typed_text_when_a_record_is_missing(
        self, people: People, world: dict[str, Any], as_user: Any
    ) -> None:
        data = act_data()
        data.pop("file_application_form")
        data["decision"] = "材料齐全，予以受理"
        response = as_user(people.cadre_a).post(f"/office/cases/{world['first']}/act/", data)
        assert response.status_code == 400
        body = response.content.decode()
        assert "Attach: application form" in body and "材料齐全，予以受理" in body

    def test_it_refuses_a_disguised_file_with_a_message(
        self, people: People, world: dict[str, Any], as_user: Any
    ) -> None:
        data = act_data()
        data["file_application_form"] = SimpleUploadedFile("form.jpg", b"<script>x</script>", "image/jpeg")
        response = as_user(people.cadre_a).post(f"/office/cases/{world['first']}/act/", data)
        assert response.status_code == 400
        assert "is not a JPEG, PNG or WebP image" in response.content.decode()

    def test_it_shows_the_form_only_to_who_can_act(self, people: People, world: dict[str, Any], as_user: Any) -> None:
        path = f"/office/cases/{world['first']}/"
        assert "Complete this step" in as_user(people.cadre_a).get(path).content.decode()
        assert "Complete this step" not in as_user(people.supervisor_a).get(path).content.decode()
        assert "Record the opinion" in as_user(people.supervisor_a).get(path).content.decode()

    def test_it_records_a_meeting_through_the_form(self, people: People, items: dict[str, Any], as_user: Any) -> None:
        case = case_open(item=items["M02"], village_code=VILLAGE_A, subject="修路筹资", by=people.cadre_a)
        client = as_user(people.cadre_a)
        assert "Votes for" in client.get(f"/office/cases/{case.number}/").content.decode()
        response = client.post(
            f"/office/cases/{case.number}/act/",
            {
                "step_key": "representatives",
                "version": "1",
                "expected": "45",
                "present": "29",
                "votes_for": "29",
                "votes_against": "0",
                "votes_abstain": "0",
                "decision": "",
                "minutes": "",
            },
        )
        assert response.status_code == 302
        assert case.actions.get().meeting_result == "no_quorum"

    def test_it_resolves_an_objection_through_the_form(
        self, people: People, world: dict[str, Any], as_user: Any
    ) -> None:
        pk = world["objection"]
        response = as_user(people.official).post(
            f"/office/cases/{world['paused']}/objections/{pk}/resolve/",
            {f"o{pk}-upheld": "1", f"o{pk}-resolution": "属实"},
        )
        assert response.status_code == 302
        assert Objection.objects.get(pk=pk).upheld is True
        assert Case.objects.get(number=world["paused"]).current_step == "village_review"

    def test_it_does_not_serve_another_cases_attachment(
        self, people: People, world: dict[str, Any], as_user: Any
    ) -> None:
        path = f"/office/cases/{world['first']}/attachments/{world['attachment']}/"
        assert as_user(people.cadre_a).get(path).status_code == 404

    def test_it_serves_an_attachment_and_records_who_looked(
        self, people: People, world: dict[str, Any], as_user: Any
    ) -> None:
        from sunlit.audit.models import AuditEvent

        response = as_user(people.inspector).get(f"/office/cases/{world['posted']}/attachments/{world['attachment']}/")
        assert response["Content-Type"] == "image/png" and response["Cache-Control"] == "private, no-store"
        assert AuditEvent.objects.filter(action="view", actor=people.inspector).exists()


class TestOpening:
    def test_it_offers_the_items_that_apply_to_the_village(
        self, people: People, items: dict[str, Any], as_user: Any
    ) -> None:
        body = as_user(people.cadre_a).get("/office/cases/open/").content.decode()
        assert "S01" in body and "X01" not in body  # X01 is township B's own item

    def test_it_refuses_a_village_outside_the_jurisdiction(
        self, people: People, items: dict[str, Any], as_user: Any
    ) -> None:
        assert as_user(people.cadre_a).get(f"/office/cases/open/?village={VILLAGE_B}").status_code == 404

    def test_it_opens_and_redirects_to_the_case(self, people: People, items: dict[str, Any], as_user: Any) -> None:
        response = as_user(people.cadre_a).post(
            "/office/cases/open/",
            {"village": VILLAGE_A, "item": str(items["M01"].pk), "subject": "出租鱼塘", "amount_yuan": "12000.50"},
        )
        case = Case.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/office/cases/{case.number}/"
        assert case.amount_fen == 1_200_050

    def test_it_says_what_is_missing(self, people: People, items: dict[str, Any], as_user: Any) -> None:
        response = as_user(people.cadre_a).post(
            "/office/cases/open/", {"village": VILLAGE_A, "item": str(items["M01"].pk), "subject": "出租鱼塘"}
        )
        assert response.status_code == 400 and "needs the amount" in response.content.decode()
        assert not Case.objects.exists()
