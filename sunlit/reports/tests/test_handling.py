from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sunlit.accounts import jurisdiction
from sunlit.audit.models import AuditEvent
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.reports import selectors, services
from sunlit.reports.models import Author, Finding, Report, State
from sunlit.reports.tests.conftest import People, file_report, jpeg_with_gps

pytestmark = pytest.mark.django_db


def _through(report: Report, by: Any) -> Report:
    services.report_accept(report=report, by=by)
    services.report_investigate(report=report, by=by)
    services.report_conclude(report=report, finding=Finding.PARTLY, summary="Two receipts were missing.", by=by)
    return services.report_reply(report=report, body="We found part of it true.", by=by)


class TestLifecycle:
    def test_it_walks_from_received_to_rated(self, people: People, report: Report) -> None:
        report = _through(report, people.cast.inspector)
        assert (report.state, report.finding, report.reply_working_days) == (State.REPLIED, "partly", 0)
        services.report_rate(report=report, rating=4, comment="quick")
        report.refresh_from_db()
        assert report.state == State.RATED and report.rating == 4

    def test_it_refuses_a_step_out_of_order(self, people: People, report: Report) -> None:
        with pytest.raises(InvalidInput, match="cannot be replied to"):
            services.report_reply(report=report, body="x", by=people.cast.inspector)

    def test_it_refuses_with_a_reason_shown_to_the_reporter(self, people: People, report: Report) -> None:
        services.report_refuse(report=report, reason="Not a matter for discipline.", by=people.inspector2)
        events = [(e.kind, e.detail) for e in selectors.reporter_events(report)]
        assert ("not_accepted", "Not a matter for discipline.") in events

    def test_it_hides_internal_notes_from_the_reporter(self, people: People, report: Report) -> None:
        services.report_note(report=report, body="secret lead: ask the accountant", by=people.cast.inspector)
        services.report_message(report=report, body="Which month?", by=people.cast.inspector)
        shown = [m.body for m in selectors.reporter_messages(report)]
        assert shown == ["Which month?"]
        _through(report, people.cast.inspector)
        assert "Two receipts were missing." not in [m.body for m in selectors.reporter_messages(report)]

    def test_it_marks_replies_read_when_the_reporter_opens_the_page(self, people: People, report: Report) -> None:
        report = _through(report, people.cast.inspector)
        services.report_seen_by_reporter(report=report)
        report.refresh_from_db()
        assert report.reply_read_at is not None
        assert not report.messages.filter(author=Author.HANDLER, read_at__isnull=True).exists()

    def test_it_refuses_an_official_outside_the_office(self, people: People, report: Report) -> None:
        for outsider in (people.cast.official, people.cast.cadre_a, people.cast.admin, people.cast.operator):
            with pytest.raises(NotPermitted):
                services.report_accept(report=report, by=outsider)

    def test_it_transfers_with_a_reason(self, people: People, report: Report) -> None:
        services.report_transfer(
            report=report, office_code=people.cast.township_b.code, reason="wrong township", by=people.cast.inspector
        )
        report.refresh_from_db()
        assert report.office_code == people.cast.township_b.code
        assert not jurisdiction.may_see_report(people.cast.inspector, report)
        assert jurisdiction.may_see_report(people.city_inspector, report)

    def test_it_refuses_a_transfer_without_reason(self, people: People, report: Report) -> None:
        with pytest.raises(InvalidInput, match="Reason"):
            services.report_transfer(
                report=report, office_code=people.cast.township_b.code, reason="", by=people.cast.inspector
            )

    def test_it_opens_the_sealed_original_only_with_a_logged_reason(self, people: People) -> None:
        original = jpeg_with_gps()
        report = file_report(files=[("p.jpg", original)]).report
        file = report.files.get()
        with pytest.raises(InvalidInput, match="Reason"):
            services.report_file_sealed(file=file, reason=" ", by=people.cast.inspector)
        with pytest.raises(NotPermitted):
            services.report_file_sealed(file=file, reason="court", by=people.cast.official)
        assert services.report_file_sealed(file=file, reason="for the hearing", by=people.cast.inspector) == original
        event = AuditEvent.objects.get(action="view", object_type="reports.file")
        assert event.detail == {"reason": "for the hearing"} and event.actor == people.cast.inspector

    def test_it_marks_the_questioned_record_under_review(self, people: People) -> None:
        report = file_report(kind="village").report
        with pytest.raises(InvalidInput):
            services.report_mark_review(report=report, on=True, by=people.cast.inspector)


class TestDeadlines:
    def test_it_reminds_before_and_escalates_after_the_accept_deadline(
        self, people: People, time_machine: Any, caplog: Any, django_capture_on_commit_callbacks: Any
    ) -> None:
        time_machine.move_to("2026-03-02 10:00 +08:00")  # a Monday
        report = file_report().report
        assert report.accept_due_on == date(2026, 3, 9)
        # The first sweep also publishes the report's status and the county's figures.
        assert services.reports_sweep(today=date(2026, 3, 5)) == {"reminded": 0, "escalated": 0, "published": 2}
        assert services.reports_sweep(today=date(2026, 3, 6)) == {"reminded": 1, "escalated": 0, "published": 0}
        assert services.reports_sweep(today=date(2026, 3, 6)) == {"reminded": 0, "escalated": 0, "published": 0}
        assert services.reports_sweep(today=date(2026, 3, 9)) == {"reminded": 0, "escalated": 0, "published": 0}
        caplog.clear()
        # Notifications leave once the sweep's transaction commits.
        with caplog.at_level("INFO", logger="sunlit.notify"), django_capture_on_commit_callbacks(execute=True):
            assert services.reports_sweep(today=date(2026, 3, 10)) == {"reminded": 0, "escalated": 1, "published": 0}
        report.refresh_from_db()
        assert report.escalated_for == "accept" and report.escalated_to == people.cast.county.code
        # The city's inspector is told; the township's own are not told again.
        assert "马力" in caplog.text and "陈静" not in caplog.text
        assert services.reports_sweep(today=date(2026, 3, 11)) == {"reminded": 0, "escalated": 0, "published": 0}

    def test_it_counts_the_reply_deadline_from_acceptance(
        self, people: People, report: Report, time_machine: Any
    ) -> None:
        time_machine.move_to("2026-04-30 10:00 +08:00")
        services.report_accept(report=report, by=people.cast.inspector)
        report.refresh_from_db()
        # Ten working days after 30 April 2026 skip the May Day holiday (1–5 May) and
        # count Saturday 9 May, an adjusted working day (调休).
        assert report.reply_due_on == date(2026, 5, 18)

    def test_it_registers_the_sweep_as_a_periodic_job(self) -> None:
        from sunlit.jobs import registry

        assert registry.get("reports_sweep").task is not None


class TestHeadOfOffice:
    def test_it_makes_the_titled_inspector_the_head(self, people: People, report: Report) -> None:
        assert jurisdiction.may_head_reports(people.cast.inspector, report.office_code)
        assert not jurisdiction.may_head_reports(people.inspector2, report.office_code)

    def test_it_logs_every_official_view(self, people: People, report: Report) -> None:
        services.report_view(report=report, by=people.inspector2)
        assert [e.actor for e in selectors.view_log(report).filter(action="view")] == [people.inspector2]
