from __future__ import annotations

import hashlib
from typing import Any

import pytest

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Role, User
from sunlit.audit.models import AuditEvent
from sunlit.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_C, make_user
from sunlit.lib.errors import InvalidInput
from sunlit.regions.services import region_create
from sunlit.reports import receipts, selectors, services, sms
from sunlit.reports.models import File, Report, ReportConflict, State
from sunlit.reports.tests.conftest import DEVICE, People, file_report, jpeg_with_gps

pytestmark = pytest.mark.django_db
PREFECTURE = "431300000000"


class TestFiling:
    def test_it_routes_a_village_report_to_its_townships_office(self, people: People) -> None:
        report = file_report().report
        assert (report.subject_code, report.office_code, report.state) == (VILLAGE_A, TOWNSHIP_A, State.RECEIVED)

    def test_it_routes_a_report_about_township_officials_to_the_city(self, people: People) -> None:
        report = file_report(kind="township", ref=TOWNSHIP_A, category="conduct").report
        assert report.office_code == people.cast.county.code

    def test_it_refuses_an_unknown_record_reference(self, people: People) -> None:
        for kind, ref in [
            ("case", "431382101201-2026-9999"),
            ("finance.voucher", f"{VILLAGE_A}-2026-7"),
            ("village", TOWNSHIP_A),
            ("nonsense", "x"),
            ("village", "<script>"),
        ]:
            with pytest.raises(InvalidInput, match="No public record"):
                file_report(kind=kind, ref=ref)
        assert not Report.objects.exists()

    def test_it_accepts_a_published_voucher_as_the_record(self, people: People) -> None:
        from datetime import date

        from sunlit.finance.models import PublishedEntry

        PublishedEntry.objects.create(
            county_code="431382000000",
            township_code=TOWNSHIP_A,
            village_code=VILLAGE_A,
            period=202603,
            publication_id=1,
            year=2026,
            number=7,
            line=1,
            date=date(2026, 3, 2),
            account_code="541",
            account_name="管理费用",
            side="D",
            amount=100,
            summary="x",
            counterparty="y",
            payment_method="cash",
            direction="out",
            kind="expense",
            case_number="",
            receipts=0,
        )
        report = file_report(kind="finance.voucher", ref=f"{VILLAGE_A}-2026-7").report
        assert report.record_label == "Voucher 2026 No. 7" and report.office_code == TOWNSHIP_A

    def test_it_gives_a_16_digit_receipt_stored_only_as_a_slow_hash(self, people: People) -> None:
        filed = file_report()
        assert len(filed.receipt) == 16 and filed.receipt.isdigit()
        row = Report.objects.filter(pk=filed.report.pk).values().get()
        assert filed.receipt not in str(row)
        assert row["receipt_hash"] == receipts.receipt_hash(filed.receipt)
        assert services.report_lookup(receipt=filed.receipt) == filed.report

    def test_it_depends_on_the_installation_secret(self, people: People, settings: Any) -> None:
        filed = file_report()
        settings.SUNLIT_REPORTS_SECRET = "another-installation"
        assert services.report_lookup(receipt=filed.receipt) is None

    def test_it_never_files_a_retry_twice(self, people: People) -> None:
        key = receipts.form_key(DEVICE)
        first = file_report(key=key, files=[("road.jpg", jpeg_with_gps())])
        again = file_report(key=key, files=[("road.jpg", jpeg_with_gps())])
        reloaded = file_report(key=key)  # a reloaded page sends the words, not the photos
        assert again.report == first.report and again.receipt == first.receipt and not again.created
        assert reloaded.receipt == first.receipt and not reloaded.created
        assert Report.objects.count() == 1 and File.objects.count() == 1

    def test_it_refuses_a_replay_with_other_words_and_merges_nothing(self, people: People) -> None:
        key = receipts.form_key(DEVICE)
        first = file_report(key=key)
        for other in (
            {"text": "Something else entirely."},
            {"category": "conduct"},
            {"ref": VILLAGE_C},
            {"name": "张三", "phone": "13800000001"},
            {"exclude": [people.inspector2.pk]},
            {"files": [("road.jpg", jpeg_with_gps())]},  # a photo the report never had
        ):
            with pytest.raises(InvalidInput, match="other words") as refused:
                file_report(key=key, **other)
            assert refused.value.field == "key" and first.receipt not in refused.value.message
        report = Report.objects.get()
        assert report.text == "The road money went missing." and report.category == "finance"
        assert not report.files.exists() and not report.conflicts.exists()

    def test_it_refuses_a_key_minted_for_another_device_or_made_up(self, people: People) -> None:
        stolen = receipts.form_key(DEVICE)
        file_report(key=stolen)
        for key, device in [
            (stolen, "the-attackers-laptop"),
            (stolen, ""),
            (receipts.new_key(), DEVICE),
            ("short", DEVICE),
            (stolen[:24] + "A" * 22, DEVICE),
        ]:
            with pytest.raises(InvalidInput, match="not opened on this device") as refused:
                file_report(key=key, device=device, text="Anything at all.")
            assert refused.value.field == "key"
        assert Report.objects.count() == 1

    def test_it_refuses_a_replay_after_the_window(self, people: People, time_machine: Any) -> None:
        time_machine.move_to("2026-03-02 10:00 +08:00")
        key = receipts.form_key(DEVICE)
        file_report(key=key)
        time_machine.shift(services.REPLAY_WINDOW * 2)
        with pytest.raises(InvalidInput, match="already sent"):
            file_report(key=key)

    def test_it_sets_the_accept_deadline_in_working_days(self, people: People, time_machine: Any) -> None:
        time_machine.move_to("2026-09-30 10:00 +08:00")  # the eve of the National Day week
        report = file_report().report
        # Five working days after 30 Sept 2026 skip 1–7 October (National Day, Mid-Autumn).
        assert str(report.accept_due_on) == "2026-10-13"

    def test_it_keeps_html_as_text(self, people: People) -> None:
        report = file_report(text="<script>alert(1)</script> money").report
        assert report.text == "<script>alert(1)</script> money"

    def test_it_refuses_empty_or_oversized_text(self, people: People) -> None:
        with pytest.raises(InvalidInput, match="required"):
            file_report(text="  ")
        with pytest.raises(InvalidInput, match="longer"):
            file_report(text="x" * 5001)

    def test_it_refuses_a_wrong_type_file_and_stores_nothing(self, people: People) -> None:
        with pytest.raises(InvalidInput, match="not a JPEG"):
            file_report(files=[("evil.jpg", b"<html>not a photo</html>")])
        assert not Report.objects.exists() and not File.objects.exists()

    def test_it_strips_photo_metadata_and_seals_the_original(self, people: People) -> None:
        original = jpeg_with_gps()
        report = file_report(files=[("road.jpg", original)]).report
        stored = report.files.get()
        assert b"PhoneMaker" in original and b"PhoneMaker" not in bytes(stored.clean_copy)
        assert bytes(stored.sealed) == original
        assert stored.sealed_sha256 == hashlib.sha256(original).hexdigest()

    def test_it_leaves_no_reporter_address_in_the_audit_log(self, people: People) -> None:
        from sunlit.audit.context import Origin, current_origin

        token = current_origin.set(Origin(ip="10.0.0.7", user_agent="Phone"))
        try:
            report = file_report().report
        finally:
            current_origin.reset(token)
        event = AuditEvent.objects.get(action="report.file", object_id=str(report.pk))
        assert event.ip is None and event.user_agent == "" and event.region_code == TOWNSHIP_A

    def test_it_records_who_the_reporter_wants_excluded(self, people: People) -> None:
        report = file_report(exclude=[people.inspector2.pk]).report
        assert list(ReportConflict.objects.filter(report=report).values_list("user", "reason")) == [
            (people.inspector2.pk, "excluded")
        ]


class TestNamedReports:
    def test_it_confirms_the_phone_with_a_code_by_sms(
        self, people: People, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            report = file_report(name="张三", phone="138 0000 0001").report
        phone, text = sms.OUTBOX[-1]
        code = next(word for word in text.split() if word.rstrip(".").isdigit()).rstrip(".")
        assert phone == "13800000001" and not report.phone_confirmed
        with pytest.raises(InvalidInput, match="not right"):
            services.report_phone_confirm(report=report, code="000000" if code != "000000" else "111111")
        services.report_phone_confirm(report=report, code=code)
        report.refresh_from_db()
        assert report.phone_confirmed

    def test_it_refuses_a_name_without_a_phone_and_a_bad_phone(self, people: People) -> None:
        with pytest.raises(InvalidInput, match="phone number"):
            file_report(name="张三")
        with pytest.raises(InvalidInput, match="11-digit"):
            file_report(name="张三", phone="12345")

    def test_it_locks_the_code_after_five_attempts(self, people: People) -> None:
        report = file_report(name="张三", phone="13800000001").report
        for _ in range(services.PHONE_CODE_ATTEMPTS):
            with pytest.raises(InvalidInput):
                services.report_phone_confirm(report=report, code="x")
        with pytest.raises(InvalidInput, match="expired"):
            services.report_phone_confirm(report=report, code="x")


def test_it_routes_village_c_to_township_b(people: People) -> None:
    make_user("inspector_b", "杨帆", Role.INSPECTOR, TOWNSHIP_B)
    assert file_report(ref=VILLAGE_C).report.office_code == people.cast.township_b.code


class TestOrphans:
    """A report no inspector of its office may handle goes up, and the reporter is told why."""

    def test_it_sends_a_report_excluding_every_inspector_of_the_township_to_the_city(self, people: People) -> None:
        excluded = [people.cast.inspector.pk, people.inspector2.pk]
        report = file_report(exclude=excluded).report
        assert report.office_code == COUNTY and report.township_code == TOWNSHIP_A
        event = report.events.get(kind="rerouted")
        assert event.public and event.detail == f"{TOWNSHIP_A} → {COUNTY}: conflict"
        assert jurisdiction.may_see_report(people.city_inspector, report)
        assert not any(jurisdiction.may_see_report(User.objects.get(pk=pk), report) for pk in excluded)
        note = selectors.routing_note(report)
        assert "涟源市" in note and "六亩塘镇" in note and "conflict of interest" in note
        assert "陈静" not in note and "黄敏" not in note
        assert AuditEvent.objects.get(action="report.file").region_code == COUNTY

    def test_it_keeps_a_report_with_its_township_while_one_inspector_there_may_handle_it(self, people: People) -> None:
        report = file_report(exclude=[people.cast.inspector.pk]).report
        assert report.office_code == TOWNSHIP_A and not report.events.filter(kind="rerouted").exists()
        assert selectors.routing_note(report) == ""

    def test_it_sends_a_report_up_from_a_township_without_inspectors(self, people: People) -> None:
        report = file_report(ref=VILLAGE_C).report
        assert report.office_code == COUNTY
        assert "石马山镇 has no inspector" in selectors.routing_note(report)

    def test_it_climbs_to_the_prefecture_when_the_city_is_excluded_too(self, people: People) -> None:
        region_create(code=PREFECTURE, name="娄底市", by=None)
        make_user("prefecture_inspector", "罗军", Role.INSPECTOR, PREFECTURE)
        exclude = [people.cast.inspector.pk, people.inspector2.pk, people.city_inspector.pk]
        report = file_report(exclude=exclude).report
        assert report.office_code == PREFECTURE
        assert report.events.get(kind="rerouted").detail == f"{TOWNSHIP_A} → {PREFECTURE}: conflict"

    def test_it_stops_at_the_highest_office_it_has(self, people: People) -> None:
        exclude = [people.cast.inspector.pk, people.inspector2.pk, people.city_inspector.pk]
        report = file_report(exclude=exclude).report  # no prefecture in this installation
        assert report.office_code == COUNTY
