"""The role matrix: who sees a report, over every endpoint of the office.

The reported village's cadres and supervision committee, anyone named, anyone the
reporter excluded and anyone who recused get exactly what a report that does not exist
gets: 404 on every page, and no trace in any list. Officials without the inspector role
(the township official, the operator, the administrator) see no report at all.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from sunlit.accounts.models import Role, User
from sunlit.accounts.services import membership_grant
from sunlit.conftest import VILLAGE_A
from sunlit.reports import services
from sunlit.reports.models import Report
from sunlit.reports.tests.conftest import People, file_report, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(people: People) -> Report:
    report = file_report(files=[("p.jpg", jpeg_with_gps())], exclude=[]).report
    return report


def _endpoints(report: Report) -> list[tuple[str, str, dict[str, str]]]:
    base = f"/office/reports/{report.public_id}/"
    file_id = report.files.get().pk
    return [
        ("get", base, {}),
        ("post", base, {"action": "note", "body": "x"}),
        ("post", base, {"action": "accept"}),
        ("get", f"{base}files/{file_id}/", {}),
        ("post", f"{base}files/{file_id}/sealed/", {"reason": "court"}),
        ("get", f"{base}views/", {}),
    ]


def _sees_nothing(client: Client, report: Report) -> None:
    listing = client.get("/office/reports/")
    assert listing.status_code in (200, 404)
    assert report.public_id not in listing.content.decode()
    for method, url, data in _endpoints(report):
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (method, url, response.status_code)
    assert Report.objects.get(pk=report.pk).state == "received"
    assert not report.messages.exists()


def _sees_it(client: Client, report: Report) -> None:
    assert report.public_id in client.get("/office/reports/").content.decode()
    assert client.get(f"/office/reports/{report.public_id}/").status_code == 200


@pytest.mark.parametrize("actor", ["cadre_a", "supervisor_a", "cadre_b", "official", "operator", "admin"])
def test_it_shows_nothing_to_anyone_but_inspectors(as_user: Any, people: People, case: Report, actor: str) -> None:
    _sees_nothing(as_user(people.cast.actors()[actor]), case)


def test_it_shows_the_report_to_the_townships_inspectors(as_user: Any, people: People, case: Report) -> None:
    _sees_it(as_user(people.inspector2), case)


def test_it_shows_the_report_to_the_city_above(as_user: Any, people: People, case: Report) -> None:
    _sees_it(as_user(people.city_inspector), case)


def test_it_hides_it_from_another_townships_inspector(as_user: Any, people: People, case: Report) -> None:
    from sunlit.conftest import TOWNSHIP_B, make_user

    _sees_nothing(as_user(make_user("inspector_b", "杨帆", Role.INSPECTOR, TOWNSHIP_B)), case)


def test_it_hides_it_from_an_inspector_who_also_holds_a_membership_in_the_village(
    as_user: Any, people: People, case: Report
) -> None:
    membership_grant(
        user=people.inspector2,
        role=Role.SUPERVISOR,
        region_code=VILLAGE_A,
        starts_on=date(2024, 1, 1),
        ends_on=None,
        title="",
        by=None,
    )
    people.inspector2 = User.objects.get(pk=people.inspector2.pk)
    _sees_nothing(as_user(people.inspector2), case)


def test_it_hides_it_from_the_official_the_reporter_excluded(as_user: Any, people: People) -> None:
    report = file_report(files=[("p.jpg", jpeg_with_gps())], exclude=[people.cast.inspector.pk]).report
    _sees_nothing(as_user(people.cast.inspector), report)
    _sees_it(as_user(people.inspector2), report)


def test_it_hides_it_from_a_person_named_in_it(as_user: Any, people: People, case: Report) -> None:
    services.report_name_person(report=case, person=people.inspector2, by=people.cast.inspector)
    _sees_nothing(as_user(people.inspector2), case)
    _sees_it(as_user(people.cast.inspector), case)


def test_it_hides_it_from_an_inspector_who_recused(as_user: Any, people: People, case: Report) -> None:
    client = as_user(people.inspector2)
    response = client.post(f"/office/reports/{case.public_id}/", {"action": "recuse", "reason": "my cousin"})
    assert response.status_code == 302 and response["Location"] == "/office/reports/"
    _sees_nothing(client, case)


def test_it_hides_a_report_about_township_officials_from_the_townships_inspectors(as_user: Any, people: People) -> None:
    report = file_report(
        kind="township", ref=people.cast.township_a.code, category="conduct", files=[("p.jpg", jpeg_with_gps())]
    ).report
    _sees_nothing(as_user(people.cast.inspector), report)
    _sees_nothing(as_user(people.cast.official), report)
    _sees_it(as_user(people.city_inspector), report)


def test_it_shows_the_view_log_to_the_head_only(as_user: Any, people: People, case: Report) -> None:
    as_user(people.inspector2).get(f"/office/reports/{case.public_id}/")
    head = as_user(people.cast.inspector).get(f"/office/reports/{case.public_id}/views/")
    assert head.status_code == 200 and "黄敏" in head.content.decode()
    assert as_user(people.inspector2).get(f"/office/reports/{case.public_id}/views/").status_code == 404


def test_it_keeps_the_report_out_of_the_villages_region_page(as_user: Any, people: People, case: Report) -> None:
    for actor in (people.cast.cadre_a, people.cast.supervisor_a):
        body = as_user(actor).get(f"/office/regions/{VILLAGE_A}/").content.decode()
        assert case.public_id not in body and "report." not in body


def test_it_lets_the_handler_act_and_logs_each_view(as_user: Any, people: People, case: Report) -> None:
    client = as_user(people.cast.inspector)
    assert client.post(f"/office/reports/{case.public_id}/", {"action": "accept"}).status_code == 302
    client.get(f"/office/reports/{case.public_id}/")
    sealed = client.post(f"/office/reports/{case.public_id}/files/{case.files.get().pk}/sealed/", {"reason": "hearing"})
    assert sealed.status_code == 200 and sealed.content == bytes(case.files.get().sealed)
    assert Report.objects.get(pk=case.pk).state == "accepted"
    from sunlit.audit.models import AuditEvent

    assert AuditEvent.objects.filter(action="view", actor=people.cast.inspector).count() == 2
