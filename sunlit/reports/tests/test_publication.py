"""The statistics page and the Open311 feed read what was published, never the live
Report table: a change shows only once the sweep has published it, and what is published
holds no text, no person, no village and no record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A
from sunlit.reports import publication, selectors, services
from sunlit.reports.models import PublishedFigure, PublishedStatus, Report
from sunlit.reports.tests.conftest import People, file_report
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db


def feed(client: Client) -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = client.get("/open311/v2/requests.json").json()
    return data


def figures(client: Client) -> str:
    return str(client.get("/reports/statistics/").content.decode())


def public_rows() -> list[Any]:
    return [
        sorted(PublishedStatus.objects.values_list(*(f.attname for f in PublishedStatus._meta.concrete_fields[1:]))),
        sorted(PublishedFigure.objects.values_list(*(f.attname for f in PublishedFigure._meta.concrete_fields[1:]))),
    ]


class TestOnlyWhatIsPublished:
    def test_a_status_change_shows_only_once_published(self, client: Client, people: People) -> None:
        report = file_report().report
        assert feed(client) == [] and "No reports yet." in figures(client)
        assert client.get(f"/open311/v2/requests/{report.public_id}.json").status_code == 404
        publication.reports_publish()
        assert [r["status_notes"] for r in feed(client)] == ["Received"]
        services.report_accept(report=report, by=people.cast.inspector)
        # Accepted in the office, not yet published: the public still reads "received".
        assert [r["status_notes"] for r in feed(client)] == ["Received"]
        assert client.get(f"/open311/v2/requests/{report.public_id}.json").json()[0]["status"] == "open"
        assert selectors.statistics()["totals"]["accepted"] == 0
        services.reports_sweep()
        assert [r["status_notes"] for r in feed(client)] == ["Accepted"]
        assert selectors.statistics()["totals"]["accepted"] == 1

    def test_a_report_changed_in_the_table_behind_the_services_changes_nothing_public(
        self, client: Client, people: People
    ) -> None:
        report = file_report().report
        publication.reports_publish()
        before = (feed(client), figures(client))
        Report.objects.filter(pk=report.pk).update(state="replied", category="conduct")
        assert (feed(client), figures(client)) == before

    def test_a_correction_follows_each_change_with_a_reason(self, people: People) -> None:
        report = file_report().report
        assert publication.reports_publish() == publication.Published(statuses=1, figures=1)
        assert publication.reports_publish() == publication.Published()  # nothing changed
        services.report_accept(report=report, by=people.cast.inspector)
        assert publication.reports_publish() == publication.Published(statuses=1, figures=1)
        history = Entry.objects.filter(kind=publication.STATUS_KIND, ref=report.public_id).order_by("seq")
        assert [e.snapshot["state"] for e in history] == ["received", "accepted"]
        assert history[1].reason == publication.STATUS_REASON and history[1].supersedes_id == history[0].pk
        assert {e.chain_id for e in Entry.objects.filter(kind__startswith="reports.")} == {COUNTY}

    def test_a_transfer_keeps_the_county_chain_and_changes_the_agency(self, client: Client, people: People) -> None:
        report = file_report().report
        publication.reports_publish()
        services.report_transfer(report=report, office_code=COUNTY, reason="conflict", by=people.cast.inspector)
        publication.reports_publish()
        assert feed(client)[0]["agency_responsible"] == "涟源市"


class TestWhatIsPublished:
    def test_nothing_personal_goes_into_the_log(self, people: People) -> None:
        report = file_report(
            name="张三", phone="13800000001", text="SECRET-TEXT", exclude=[people.cast.official.pk]
        ).report
        services.report_accept(report=report, by=people.cast.inspector)
        publication.reports_publish()
        logged = " ".join(e.snapshot_json for e in Entry.objects.filter(kind__startswith="reports."))
        for secret in ("SECRET-TEXT", "张三", "13800000001", VILLAGE_A, "石门村", people.cast.official.full_name):
            assert secret not in logged, secret
        status = Entry.objects.get(kind=publication.STATUS_KIND).snapshot
        assert set(status) == {
            "schema",
            "title",
            "id",
            "county",
            "category",
            "state",
            "received_on",
            "updated_on",
            "expected_on",
            "office",
        }
        counts = Entry.objects.get(kind=publication.FIGURES_KIND).snapshot
        assert [t["key"] for t in counts["townships"]] == [TOWNSHIP_A]

    def test_the_feed_keeps_its_format(self, client: Client, people: People) -> None:
        file_report()
        publication.reports_publish()
        assert set(feed(client)[0]) == {
            "service_request_id",
            "status",
            "status_notes",
            "service_code",
            "service_name",
            "requested_datetime",
            "updated_datetime",
            "expected_datetime",
            "agency_responsible",
        }

    def test_a_days_reports_are_listed_in_the_order_of_their_random_ids(self, client: Client, people: People) -> None:
        for _n in range(3):
            file_report()
        publication.reports_publish()
        ids = [r["service_request_id"] for r in feed(client)]
        assert ids == sorted(ids)

    def test_the_public_reads_take_one_query(self, people: People, django_assert_num_queries: Any) -> None:
        file_report()
        publication.reports_publish()
        with django_assert_num_queries(1):
            selectors.statistics()
        with django_assert_num_queries(1):
            selectors.open311_requests()


class TestDerive:
    def test_the_public_rows_are_what_rederiving_from_the_log_gives(self, people: People) -> None:
        first = file_report().report
        file_report(kind="township", ref=TOWNSHIP_A, category="conduct")
        publication.reports_publish()
        services.report_accept(report=first, by=people.cast.inspector)
        services.report_investigate(report=first, by=people.cast.inspector)
        services.report_conclude(report=first, finding="partly", summary="s", by=people.cast.inspector)
        services.report_reply(report=first, body="done", by=people.cast.inspector)
        publication.reports_publish()
        built = public_rows()
        assert len(built[0]) == 2 and built[1]
        PublishedStatus.objects.all().delete()
        PublishedFigure.objects.all().delete()
        publication.rebuild()
        assert public_rows() == built
        totals = selectors.statistics()["totals"]
        assert (totals["received"], totals["accepted"], totals["concluded"], totals["replied"]) == (2, 1, 1, 1)
