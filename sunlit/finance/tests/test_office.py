"""The back office: upload with progress, the month desk (approve, close, sign off), the
voucher page's actions; every page refused to people outside the village's jurisdiction."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.finance import services
from sunlit.finance.models import ImportBatch, ImportStatus, Month, MonthStatus, Voucher, VoucherStatus
from sunlit.finance.tests.conftest import pay
from sunlit.finance.tests.test_import import GOOD, HEADER_ZH
from sunlit.finance.tests.test_public import png

pytestmark = pytest.mark.django_db


def csv_upload(lines: list[str], name: str = "march.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, ("\n".join([HEADER_ZH, *lines]) + "\n").encode("gb18030"), "text/csv")


class TestUpload:
    def test_it_imports_an_upload_in_the_background_and_shows_the_outcome(self, cast: Cast, as_user: Any) -> None:
        client = as_user(cast.official)
        response = client.post(reverse("finance:imports"), {"file": csv_upload(GOOD)})
        batch = ImportBatch.objects.get()
        assert response.status_code == 302 and response["Location"] == reverse("finance:import", args=[batch.pk])
        assert batch.status == ImportStatus.DONE and batch.vouchers_created == 2
        page = client.get(response["Location"]).content.decode()
        assert "2 voucher(s) and 4 entries imported" in page
        fragment = client.get(reverse("finance:import_progress", args=[batch.pk]))
        assert 'value="100"' in fragment.content.decode() and fragment["Cache-Control"] == "no-store"

    def test_it_lists_every_problem_of_a_refused_upload(self, cast: Cast, as_user: Any) -> None:
        client = as_user(cast.official)
        bad = [GOOD[0].replace("2025-03-02", "2025-02-30"), *GOOD[1:3]]
        response = client.post(reverse("finance:imports"), {"file": csv_upload(bad)}, follow=True)
        body = response.content.decode()
        assert "nothing was imported" in body
        assert "<td>2</td><td>日期</td>" in body
        assert Voucher.objects.count() == 0

    def test_it_refuses_a_file_that_is_not_xlsx_or_csv(self, cast: Cast, as_user: Any) -> None:
        response = as_user(cast.official).post(
            reverse("finance:imports"), {"file": SimpleUploadedFile("books.pdf", b"%PDF-1.4")}
        )
        assert "Upload an .xlsx or .csv file" in response.content.decode()

    def test_it_shows_the_upload_page_only_to_those_who_import(self, cast: Cast, as_user: Any) -> None:
        assert as_user(cast.official).get(reverse("finance:imports")).status_code == 200
        assert as_user(cast.supervisor_a).get(reverse("finance:imports")).status_code == 404

    def test_it_hides_someone_elses_import(self, cast: Cast, as_user: Any) -> None:
        as_user(cast.official).post(reverse("finance:imports"), {"file": csv_upload(GOOD)})
        batch = ImportBatch.objects.get()
        assert as_user(cast.official).get(reverse("finance:import", args=[batch.pk])).status_code == 200
        assert as_user(cast.cadre_b).get(reverse("finance:import", args=[batch.pk])).status_code == 404


class TestMonthDesk:
    def test_it_lets_the_committee_approve_and_sign_off_after_the_agent_closes(self, cast: Cast, as_user: Any) -> None:
        agent, committee = as_user(cast.official), as_user(cast.supervisor_a)
        agent.post(reverse("finance:imports"), {"file": csv_upload(GOOD)})
        url = reverse("finance:month_desk", args=[VILLAGE_A, "2025-03"])
        assert "Approve all" in committee.get(url).content.decode()
        committee.post(url, {"action": "review_all", "opinion": "同意"})
        assert not Voucher.objects.filter(reviewed_at__isnull=True).exists()
        agent.post(url, {"action": "close"})
        assert Month.objects.get(period=202503).status == MonthStatus.CLOSED
        response = committee.post(url, {"action": "signoff", "opinion": "账目清楚"}, follow=True)
        assert "Signed off and published." in response.content.decode()
        assert Month.objects.get(period=202503).status == MonthStatus.PUBLISHED

    def test_it_shows_a_refusal_as_a_message(self, cast: Cast, as_user: Any) -> None:
        agent = as_user(cast.official)
        agent.post(reverse("finance:imports"), {"file": csv_upload(GOOD)})
        url = reverse("finance:month_desk", args=[VILLAGE_A, "2025-03"])
        agent.post(url, {"action": "close"})
        response = agent.post(url, {"action": "signoff"}, follow=True)
        assert "You have no role that allows this" in response.content.decode()
        assert Month.objects.get(period=202503).status == MonthStatus.CLOSED

    def test_it_hides_another_villages_books(self, cast: Cast, as_user: Any) -> None:
        url = reverse("finance:month_desk", args=[VILLAGE_A, "2025-03"])
        assert as_user(cast.cadre_a).get(url).status_code == 200
        assert as_user(cast.cadre_b).get(url).status_code == 404
        assert as_user(cast.cadre_b).get(reverse("finance:books", args=[VILLAGE_A])).status_code == 404


class TestVoucherPage:
    def test_it_walks_a_voucher_through_the_workflow(self, cast: Cast, director_a: Any, as_user: Any) -> None:
        new = reverse("finance:voucher_new", args=[VILLAGE_A])
        response = as_user(cast.official).post(
            new,
            {
                "date": "2025-03-05",
                "summary": "支付电费",
                "payment_method": "",
                "account_1": "541",
                "side_1": "D",
                "amount_1": "123.45",
                "counterparty_1": "国网",
                "account_2": "102",
                "side_2": "C",
                "amount_2": "123.45",
            },
        )
        voucher = Voucher.objects.get()
        url = reverse("finance:voucher", args=[voucher.pk])
        assert response["Location"] == url
        as_user(cast.official).post(url, {"action": "receipt", "file": SimpleUploadedFile("r.png", png())})
        assert voucher.receipts.count() == 1
        as_user(cast.supervisor_a).post(url, {"action": "approve", "opinion": "同意"})
        as_user(cast.cadre_a).post(url, {"action": "countersign"})
        as_user(cast.cadre_a).post(url, {"action": "countersign"})  # refused: the same cadre twice
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.REVIEWED
        as_user(director_a).post(url, {"action": "countersign"})
        as_user(cast.official).post(url, {"action": "post"})
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.POSTED
        receipt = voucher.receipts.get()
        assert (
            as_user(cast.supervisor_a)
            .get(reverse("finance:voucher_receipt", args=[voucher.pk, receipt.pk]))
            .status_code
            == 200
        )
        assert (
            as_user(cast.cadre_b).get(reverse("finance:voucher_receipt", args=[voucher.pk, receipt.pk])).status_code
            == 404
        )

    def test_it_refuses_recording_to_someone_without_the_role(self, cast: Cast, as_user: Any) -> None:
        assert as_user(cast.supervisor_a).get(reverse("finance:voucher_new", args=[VILLAGE_A])).status_code == 404
        assert as_user(cast.official).get(reverse("finance:voucher_new", args=[VILLAGE_A])).status_code == 200

    def test_it_shows_a_balance_error_on_the_form(self, cast: Cast, as_user: Any) -> None:
        response = as_user(cast.official).post(
            reverse("finance:voucher_new", args=[VILLAGE_A]),
            {
                "date": "2025-03-05",
                "summary": "x",
                "account_1": "541",
                "side_1": "D",
                "amount_1": "1",
                "account_2": "102",
                "side_2": "C",
                "amount_2": "2",
            },
        )
        assert "does not balance" in response.content.decode()

    def test_it_hides_a_voucher_from_another_village(self, cast: Cast, as_user: Any) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        assert as_user(cast.cadre_b).get(reverse("finance:voucher", args=[voucher.pk])).status_code == 404
        assert as_user(cast.supervisor_a).get(reverse("finance:voucher", args=[voucher.pk])).status_code == 200


class TestIndex:
    def test_it_lists_the_villages_of_the_jurisdiction_with_their_work(
        self, cast: Cast, as_user: Any, django_assert_max_num_queries: Any
    ) -> None:
        services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        client = as_user(cast.official)
        with django_assert_max_num_queries(12):
            body = client.get(reverse("finance:office")).content.decode()
        assert "石门村" in body and "白竹村" in body and "枫林村" not in body

    def test_it_lists_late_months(self, cast: Cast, as_user: Any) -> None:
        services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        body = as_user(cast.official).get(reverse("finance:late")).content.decode()
        assert "2025-03" in body


class TestEdit:
    def test_it_lets_the_handler_change_a_returned_voucher(self, cast: Cast, as_user: Any) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="电费", entries=pay(100), by=cast.official
        )
        services.voucher_review(voucher=voucher, approve=False, opinion="金额不对", by=cast.supervisor_a)
        url = reverse("finance:voucher_edit", args=[voucher.pk])
        page = as_user(cast.official).get(url).content.decode()
        assert "金额不对" in page and 'value="1.00"' in page
        response = as_user(cast.official).post(
            url,
            {
                "date": "2025-03-05",
                "summary": "电费（更正金额）",
                "account_1": "541",
                "side_1": "D",
                "amount_1": "1.20",
                "account_2": "102",
                "side_2": "C",
                "amount_2": "1.20",
            },
        )
        assert response.status_code == 302
        voucher.refresh_from_db()
        assert (voucher.status, voucher.summary) == (VoucherStatus.RECORDED, "电费（更正金额）")
        assert sorted(voucher.entries.values_list("amount", flat=True)) == [120, 120]

    def test_it_refuses_changes_by_the_committee_or_after_review(self, cast: Cast, as_user: Any) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        url = reverse("finance:voucher_edit", args=[voucher.pk])
        assert as_user(cast.supervisor_a).get(url).status_code == 404
        services.voucher_review(voucher=voucher, approve=True, by=cast.supervisor_a)
        assert as_user(cast.official).get(url).status_code == 404
