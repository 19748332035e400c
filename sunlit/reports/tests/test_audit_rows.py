"""The audit log never tells someone who may not handle a report that it exists (issue #14):
rows about a report, its evidence and its messages are shown only to its handlers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from sunlit.accounts.selectors import audit_in_scope
from sunlit.accounts.services import membership_grant
from sunlit.conftest import VILLAGE_A
from sunlit.reports import services
from sunlit.reports.models import Report
from sunlit.reports.tests.conftest import People, file_report, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _report_rows(user: Any) -> list[tuple[str, str]]:
    return [
        (e.action, e.object_type)
        for e in audit_in_scope(user)
        if e.object_type.startswith("reports.") or e.action.startswith("report.")
    ]


def _excluded_by_reporter(people: People) -> Report:
    return file_report(exclude=[people.inspector2.pk], files=[("road.jpg", jpeg_with_gps())]).report


def _named(people: People) -> Report:
    report = file_report(files=[("road.jpg", jpeg_with_gps())]).report
    services.report_name_person(report=report, person=people.inspector2, by=people.cast.inspector)
    return report


def _recused(people: People) -> Report:
    report = file_report(files=[("road.jpg", jpeg_with_gps())]).report
    services.report_recuse(report=report, reason="My cousin is the village accountant.", by=people.inspector2)
    return report


def _member_of_the_village(people: People) -> Report:
    membership_grant(
        user=people.inspector2, role="supervisor", region_code=VILLAGE_A, starts_on=date(2024, 1, 1), by=None
    )
    return file_report(files=[("road.jpg", jpeg_with_gps())]).report


CONFLICTS: dict[str, Callable[[People], Report]] = {
    "excluded by the reporter": _excluded_by_reporter,
    "named in the report": _named,
    "recused": _recused,
    "member of the village": _member_of_the_village,
}


@pytest.mark.parametrize("conflict", list(CONFLICTS))
def test_it_shows_an_inspector_with_a_conflict_no_row_about_the_report(people: People, conflict: str) -> None:
    report = CONFLICTS[conflict](people)
    handler = people.cast.inspector
    services.report_view(report=report, by=handler)
    services.report_accept(report=report, by=handler)
    services.report_file_sealed(file=report.files.get(), reason="checking the photo", by=handler)
    services.report_reporter_message(report=report, body="One more thing.")

    assert _report_rows(people.inspector2) == []
    # The rest of the township's log is still his to read.
    assert audit_in_scope(people.inspector2).filter(action="membership.grant").exists()


def test_it_shows_the_handler_every_row_about_the_report(people: People) -> None:
    report = _excluded_by_reporter(people)
    handler = people.cast.inspector
    services.report_view(report=report, by=handler)
    services.report_file_sealed(file=report.files.get(), reason="checking the photo", by=handler)
    rows = _report_rows(handler)
    assert ("report.file", "reports.report") in rows
    assert ("view", "reports.report") in rows and ("view", "reports.file") in rows
    assert ("report.file", "reports.report") in _report_rows(people.city_inspector)  # the office above


def test_it_shows_no_report_row_to_an_administrator_who_handles_none(people: People) -> None:
    file_report()
    assert _report_rows(people.cast.admin) == []
    assert audit_in_scope(people.cast.admin).exists()


def test_its_audit_page_shows_an_excluded_inspector_nothing_of_the_report(people: People, as_user: Any) -> None:
    report = _excluded_by_reporter(people)
    for who, sees in ((people.inspector2, False), (people.cast.inspector, True)):
        page = as_user(who).get("/office/audit/")
        assert page.status_code == 200
        body = page.content.decode()
        assert ("report.file" in body) is sees and (f"reports.report {report.pk}" in body) is sees
