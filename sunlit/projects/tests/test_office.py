"""The back-office desk: every endpoint for those who may, 404 for everyone else (a
cadre of village B never sees village A's unpublished data; a villager never gets in)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.lib import rooms
from sunlit.projects.models import Project
from sunlit.projects.tests.conftest import PDF, new_project, png

pytestmark = pytest.mark.django_db


def test_it_lists_the_desk_on_the_office_home() -> None:
    assert ("projects:office", "Village projects", "projects.view") in [
        (d.url_name, str(d.label), d.action) for d in rooms.registry().desks
    ]


def test_it_keeps_villagers_out(cast: Cast, client: Client) -> None:
    project = new_project(cast)
    for url in (
        reverse("projects:office"),
        reverse("projects:desk", args=[VILLAGE_A]),
        reverse("projects:detail", args=[project.pk]),
        reverse("projects:imports"),
        reverse("projects:new", args=[VILLAGE_A]),
    ):
        response = client.get(url)
        assert response.status_code == 302 and "login" in response["Location"], url


def test_it_shows_a_village_desk_only_in_jurisdiction(cast: Cast, as_user: Any) -> None:
    project = new_project(cast, name="未公开的村A项目")
    for user in (cast.cadre_a, cast.supervisor_a, cast.official, cast.inspector):
        client = as_user(user)
        assert "未公开的村A项目" in client.get(reverse("projects:desk", args=[VILLAGE_A])).content.decode()
        assert client.get(reverse("projects:detail", args=[project.pk])).status_code == 200
    other = as_user(cast.cadre_b)
    assert other.get(reverse("projects:desk", args=[VILLAGE_A])).status_code == 404
    assert other.get(reverse("projects:detail", args=[project.pk])).status_code == 404
    assert other.get(reverse("projects:new", args=[VILLAGE_A])).status_code == 404
    assert "未公开的村A项目" not in other.get(reverse("projects:office")).content.decode()
    assert as_user(cast.operator).get(reverse("projects:office")).status_code == 404


def test_it_registers_a_project_from_the_desk(cast: Cast, as_user: Any) -> None:
    form = {
        "number": "D-1",
        "name": "村部维修",
        "category": "building",
        "budget": "1,000.00",
        "funding_collective": "1000",
        "planned_start": "2025-04-01",
    }
    assert as_user(cast.cadre_b).post(reverse("projects:new", args=[VILLAGE_A]), form).status_code == 404
    assert as_user(cast.supervisor_a).post(reverse("projects:new", args=[VILLAGE_A]), form).status_code == 404
    response = as_user(cast.cadre_a).post(reverse("projects:new", args=[VILLAGE_A]), form)
    project = Project.objects.get(number="D-1")
    assert response.status_code == 302 and project.budget == 100_000


def _post(client: Client, project: Project, data: dict[str, Any]) -> Any:
    return client.post(reverse("projects:detail", args=[project.pk]), data, follow=True)


def test_it_records_each_step_from_the_desk(cast: Cast, as_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    project = new_project(cast)
    cadre = as_user(cast.cadre_a)
    body = _post(cadre, project, {"action": "payment", "paid_on": "2025-04-01", "amount": "100"}).content.decode()
    assert "has no contract" in body
    _post(
        cadre,
        project,
        {
            "action": "tender",
            "method": "direct",
            "direct_reason": "抢险",
            "bidder_1": "甲公司",
            "quote_1": "190000",
            "winner": "甲公司",
        },
    )
    _post(
        cadre,
        project,
        {
            "action": "contract",
            "contractor": "甲公司",
            "contractor_kind": "org",
            "credit_code": "91110000802100433B",
            "value": "190000",
            "signed_on": "2025-03-15",
        },
    )
    body = _post(
        cadre,
        project,
        {
            "action": "acceptance",
            "accepted_on": "2025-06-01",
            "inspectors": "王建国",
            "report": SimpleUploadedFile("r.pdf", PDF),
        },
    ).content.decode()
    assert "has no milestone yet" in body
    _post(
        cadre,
        project,
        {
            "action": "milestone",
            "date": "2025-04-01",
            "title": "开工",
            "progress": "100",
            "photos": [SimpleUploadedFile("a.png", png())],
        },
    )
    _post(cadre, project, {"action": "payment", "paid_on": "2025-04-02", "amount": "200000"})
    _post(
        as_user(cast.supervisor_a),
        project,
        {
            "action": "acceptance",
            "accepted_on": "2025-06-01",
            "inspectors": "赵秀英、王建国",
            "report": SimpleUploadedFile("r.pdf", PDF),
        },
    )
    assert _post(as_user(cast.supervisor_a), project, {"action": "publish"}).status_code == 404
    _post(cadre, project, {"action": "publish"})
    project = Project.objects.get(pk=project.pk)
    assert project.status == "accepted" and project.publication_id is not None
    assert project.acceptance.report is not None and project.acceptance.accepted_on == date(2025, 6, 1)
    assert project.payments.get().over_contract
    assert _post(as_user(cast.cadre_b), project, {"action": "publish"}).status_code == 404
