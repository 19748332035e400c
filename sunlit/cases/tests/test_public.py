"""What a villager sees, on a phone or at the kiosk, without logging in: only what was
published, with the applicant masked and no ID digits anywhere."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from sunlit.cases.models import Case
from sunlit.cases.public import normalise_number
from sunlit.cases.services import case_open
from sunlit.cases.tests.conftest import People, act
from sunlit.conftest import VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people: People, items: dict[str, Any]) -> Case:
    case = case_open(
        item=items["S01"],
        village_code=VILLAGE_A,
        subject="低保申请（第三组）",
        applicant_name="王小明",
        applicant_id_last4="4321",
        by=people.cadre_a,
    )
    act(case, "apply", people.cadre_a, decision="内部备注：申请人电话13800000000", minutes="会议细节")
    return case


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize("prefix", ["", "/kiosk"])
class TestPages:
    def test_it_lists_a_villages_cases(self, client: Client, case: Case, prefix: str) -> None:
        response = client.get(f"{prefix}/v/{VILLAGE_A}/cases/")
        assert response.status_code == 200
        body = text_of(response)
        assert case.number in body and "低保申请（第三组）" in body
        assert "village investigation and review" in body  # the current step
        assert f'href="{prefix}/cases/{case.number}/"' in body
        assert "public" in response["Cache-Control"]

    def test_it_shows_a_case_with_its_history(self, client: Client, case: Case, prefix: str) -> None:
        response = client.get(f"{prefix}/cases/{case.number}/")
        assert response.status_code == 200
        body = text_of(response)
        assert "王*" in body and "application received" in body and "approve" in body
        for secret in ("王小明", "4321", "13800000000", "内部备注", "会议细节"):
            assert secret not in body
        assert body.count("<li><div><small><time") == 2  # two published versions
        # "Question this": a complaint about this case, the record attached.
        assert f"{prefix}/reports/new/?kind=case&amp;ref={case.number}" in body

    def test_it_keeps_the_kiosk_inside_the_kiosk(self, client: Client, case: Case, prefix: str) -> None:
        body = text_of(client.get(f"{prefix}/cases/{case.number}/"))
        links = re.findall(r'href="(/[^"]*)"', body)
        inside = [link for link in links if not link.startswith("/static/")]
        if prefix:
            assert all(link.startswith("/kiosk/") for link in inside), inside
            assert "/transparency/" not in body

    def test_it_answers_an_unknown_case_with_the_friendly_404(self, client: Client, case: Case, prefix: str) -> None:
        assert client.get(f"{prefix}/cases/{VILLAGE_A}-2026-9999/").status_code == 404
        assert client.get(f"{prefix}/v/431382101299/cases/").status_code == 404

    def test_it_follows_an_application_by_number(self, client: Client, case: Case, prefix: str) -> None:
        assert client.get(f"{prefix}/cases/follow/").status_code == 200
        typed = case.number.replace("-", " ").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
        response = client.get(f"{prefix}/cases/follow/", {"number": typed})
        assert response.status_code == 302 and response["Location"] == f"{prefix}/cases/{case.number}/"

    def test_it_says_when_no_case_has_the_number(self, client: Client, case: Case, prefix: str) -> None:
        response = client.get(f"{prefix}/cases/follow/", {"number": "431382101201-2026-0099"})
        assert response.status_code == 404
        assert "No published case has the number 431382101201-2026-0099" in text_of(response)
        assert "public" not in response.get("Cache-Control", "")


def test_it_links_the_village_page_to_its_cases(client: Client, case: Case) -> None:
    assert f'href="/v/{VILLAGE_A}/cases/"' in client.get(f"/v/{VILLAGE_A}/").content.decode()
    assert f'href="/kiosk/v/{VILLAGE_A}/cases/"' in client.get(f"/kiosk/v/{VILLAGE_A}/").content.decode()


def test_it_shows_nothing_of_another_village(client: Client, case: Case) -> None:
    assert case.number not in client.get(f"/v/{VILLAGE_B}/cases/").content.decode()


def test_it_reads_only_the_publication_log(client: Client, case: Case) -> None:
    # A change to the working table that was never published does not reach the public.
    Case.objects.filter(pk=case.pk).update(subject="未公开的改动", state="approved")
    body = text_of(client.get(f"/cases/{case.number}/"))
    assert "未公开的改动" not in body and "低保申请（第三组）" in body


def test_it_pages_a_long_list(client: Client, people: People, items: dict[str, Any], settings: Any) -> None:
    from sunlit.cases import public

    for i in range(3):
        case_open(item=items["S01"], village_code=VILLAGE_A, subject=f"申请{i}", applicant_name="王", by=people.cadre_a)
    original = public.PAGE_SIZE
    public.PAGE_SIZE = 2
    try:
        first = text_of(client.get(f"/v/{VILLAGE_A}/cases/"))
        second = text_of(client.get(f"/v/{VILLAGE_A}/cases/?page=2"))
    finally:
        public.PAGE_SIZE = original
    assert "申请2" in first and "申请1" in first and "申请0" not in first and "?page=2" in first
    assert "申请0" in second


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("431382101201-2026-0007", "431382101201-2026-0007"),
        (" 431382101201 2026 0007 ", "431382101201-2026-0007"),
        ("43138210120120260007", "431382101201-2026-0007"),
        ("４３１３８２１０１２０１－２０２６－０００７", "431382101201-2026-0007"),
        ("431382101201—2026—0007", "431382101201-2026-0007"),
        ("not a number", "not a number"),
    ],
)
def test_it_forgives_how_a_number_is_typed(typed: str, number: str) -> None:
    assert normalise_number(typed) == number


def test_it_masks_the_applicants_name_written_into_the_subject(people: People, items: dict[str, Any]) -> None:
    from sunlit.transparency import selectors as published

    item = next(i for i in items.values() if i.needs_applicant)
    case = case_open(
        item=item,
        village_code=VILLAGE_A,
        subject="王桂英家庭申请城乡低保",
        applicant_name="王桂英",
        applicant_id_last4="3021",
        by=people.cadre_a,
    )
    entry = published.current(kind="case", ref=case.number)
    assert entry is not None
    assert entry.snapshot["subject"] == "王*家庭申请城乡低保"
    assert "王桂英" not in entry.snapshot_json and "3021" not in entry.snapshot_json
