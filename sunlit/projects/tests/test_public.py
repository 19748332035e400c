"""Public pages: published snapshots only, filters, kiosk stays in the kiosk, query counts
pinned, corrections supersede, no contractor ID number anywhere."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, Cast
from sunlit.lib import idnumbers
from sunlit.projects import services
from sunlit.projects.models import Project, PublishedProject
from sunlit.projects.tests.conftest import full_project, new_project, valid_id
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db


def test_it_lists_only_published_projects(cast: Cast, client: Client) -> None:
    full_project(cast)
    new_project(cast, number="DRAFT-1", name="未公开的项目")
    body = client.get(reverse("projects:village", args=[VILLAGE_A])).content.decode()
    assert "石门村组道硬化" in body and "未公开的项目" not in body
    assert reverse("projects:township", args=[TOWNSHIP_A]) in body
    assert client.get(reverse("projects:project", args=["DRAFT-1"])).status_code == 404


def test_it_filters_by_status_year_source_and_category(cast: Cast, client: Client) -> None:
    full_project(cast)
    other = new_project(cast, number="P2024-009", name="村部亮化", category="lighting", poverty=0, year=2024)
    services.project_publish_first(project=other, by=cast.cadre_a)
    url = reverse("projects:township", args=[TOWNSHIP_A])
    assert "村部亮化" not in client.get(url, {"source": "poverty"}).content.decode()
    assert "石门村组道硬化" in client.get(url, {"source": "poverty"}).content.decode()
    assert "石门村组道硬化" not in client.get(url, {"year": "2024"}).content.decode()
    assert "村部亮化" in client.get(url, {"category": "lighting", "status": "planned"}).content.decode()
    assert "石门村组道硬化" not in client.get(url, {"status": "planned"}).content.decode()


def test_it_shows_progress_beside_money_and_the_acceptance_report(cast: Cast, client: Client) -> None:
    project = full_project(cast)
    body = client.get(reverse("projects:project", args=[project.number])).content.decode()
    assert "Acceptance report" in body and 'class="button primary report-button"' in body
    assert 'value="100"' in body  # built
    assert "涟源市路桥建设有限公司" in body and "资质不符" in body and "镇纪委" in body
    assert "增加排水沟" in body and reverse("transparency:entry", args=[project.publication_id]) in body
    report = project.acceptance.report
    assert report is not None
    page = client.get(reverse("projects:document", args=[project.number, report.sha256]))
    assert page.status_code == 200
    file = client.get(reverse("projects:document_file", args=[project.number, report.sha256]))
    assert file.status_code == 200 and file["Content-Type"] == "image/png"


def test_it_lets_only_its_own_pages_frame_a_document(cast: Cast, client: Client) -> None:
    project = full_project(cast)
    report = project.acceptance.report
    assert report is not None
    file = client.get(reverse("projects:document_file", args=[project.number, report.sha256]))
    assert file["X-Frame-Options"] == "SAMEORIGIN" and "frame-ancestors 'self'" in file["Content-Security-Policy"]
    page = client.get(reverse("projects:kiosk_document", args=[project.number, report.sha256]))
    assert page["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page["Content-Security-Policy"]


def test_it_serves_no_document_of_an_unpublished_project(cast: Cast, client: Client) -> None:
    project = full_project(cast, publish=False)
    report = Project.objects.get(pk=project.pk).acceptance.report
    assert report is not None
    assert client.get(reverse("projects:document_file", args=[project.number, report.sha256])).status_code == 404


def test_it_keeps_the_kiosk_inside_the_kiosk(cast: Cast, client: Client) -> None:
    project = full_project(cast)
    body = client.get(reverse("projects:kiosk_project", args=[project.number])).content.decode()
    assert "kiosk-home" in body
    links = re.findall(r'<a [^>]*href="([^"]+)"', body)
    assert links and all(h.startswith(("/kiosk/", "#")) for h in links), links
    report = project.acceptance.report
    assert report is not None
    assert reverse("projects:kiosk_document", args=[project.number, report.sha256]) in body
    listing = client.get(reverse("projects:kiosk_village", args=[VILLAGE_A])).content.decode()
    assert all(h.startswith(("/kiosk/", "?", "#")) for h in re.findall(r'<a [^>]*href="([^"]+)"', listing))


def test_it_pins_the_query_counts(cast: Cast, client: Client, django_assert_num_queries: Any) -> None:
    for i in range(3):
        full_project(cast, number=f"P2025-00{i + 1}")
    with django_assert_num_queries(4):
        client.get(reverse("projects:village", args=[VILLAGE_A]))
    with django_assert_num_queries(4):
        client.get(reverse("projects:township", args=[TOWNSHIP_A]), {"source": "fiscal"})
    with django_assert_num_queries(2):
        client.get(reverse("projects:project", args=["P2025-002"]))


def test_it_supersedes_the_published_version_on_every_change(cast: Cast, client: Client) -> None:
    project = full_project(cast)
    entries = Entry.objects.filter(kind="project", ref=project.number).order_by("id")
    count = entries.count()
    services.payment_record(project=project, amount=100, paid_on=date(2025, 9, 1), by=cast.cadre_a)
    latest = Entry.objects.filter(kind="project", ref=project.number).order_by("-id").first()
    assert latest is not None and Entry.objects.filter(kind="project", ref=project.number).count() == count + 1
    assert latest.supersedes_id == entries[count - 1].pk and "Payment of 1.00 yuan" in latest.reason
    assert PublishedProject.objects.get(number=project.number).publication_id == latest.pk
    # Publishing unchanged data again writes nothing.
    services.project_publish_first(project=project, by=cast.cadre_a)
    assert Entry.objects.filter(kind="project", ref=project.number).count() == count + 1


def test_it_shows_no_contractor_id_number_anywhere(cast: Cast, client: Client) -> None:
    project = full_project(cast, individual=True)
    number = valid_id()
    report = Project.objects.get(pk=project.pk).acceptance.report
    assert report is not None
    urls = [
        reverse("projects:village", args=[VILLAGE_A]),
        reverse("projects:township", args=[TOWNSHIP_A]),
        reverse("projects:project", args=[project.number]),
        reverse("projects:kiosk_project", args=[project.number]),
        reverse("projects:project_ocds", args=[project.number]),
        reverse("projects:township_ocds", args=[TOWNSHIP_A]),
        reverse("projects:document", args=[project.number, report.sha256]),
        reverse("transparency:entry", args=[project.publication_id]),
        reverse("transparency:entry_json", args=[project.publication_id]),
    ]
    for url in urls:
        body = client.get(url).content.decode()
        assert number not in body and not idnumbers.FULL_NUMBER.search(body), url
    assert "张三" in client.get(reverse("projects:project", args=[project.number])).content.decode()


def test_it_offers_question_this_resolving_to_the_village(cast: Cast, client: Client) -> None:
    from sunlit.reports.records import resolve

    project = full_project(cast)
    body = client.get(reverse("projects:project", args=[project.number])).content.decode()
    assert "kind=project" in body
    assert resolve("project", project.number).subject_code == VILLAGE_A


def test_it_gives_the_welfare_room_poverty_projects_by_village(cast: Cast, django_assert_num_queries: Any) -> None:
    from sunlit.projects.selectors import poverty_projects_by_village

    full_project(cast)  # budget 200,000 of which 50,000 poverty; 177,000 paid
    draft = new_project(cast, number="DRAFT-2")
    assert draft.publication_id is None
    with django_assert_num_queries(2):
        rows = poverty_projects_by_village(TOWNSHIP_A)
    assert [r["village_code"] for r in rows] == [VILLAGE_A, "431382101202"]
    assert rows[0] == {
        "village_code": VILLAGE_A,
        "village_name": "石门村",
        "projects": 1,
        "budget_fen": 5_000_000,
        "paid_fen": 17_700_000 * 5_000_000 // 20_000_000,
    }
    assert rows[1]["projects"] == 0
    assert poverty_projects_by_village(VILLAGE_A) == rows[:1]
