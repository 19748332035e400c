"""The voucher workflow: record → review → countersign ×2 → post; close; sign off."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from sunlit.conftest import Cast
from sunlit.finance import services
from sunlit.finance.models import (
    Balance,
    MonthStatus,
    PublishedEntry,
    PublishedMonth,
    VoucherStatus,
)
from sunlit.finance.tests.conftest import book, make_case, pay, publish_month, receive, through_workflow
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.transparency.models import Entry as Published

pytestmark = pytest.mark.django_db
MARCH = 202503


class TestWorkflow:
    def test_it_moves_a_voucher_through_review_countersign_and_post(self, cast: Cast, director_a) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="支付电费", entries=pay(12_345), by=cast.official
        )
        assert (voucher.status, voucher.number, voucher.period) == (VoucherStatus.RECORDED, 1, MARCH)
        voucher = through_workflow(voucher, cast, director_a)
        assert voucher.status == VoucherStatus.POSTED
        assert voucher.reviewed_by == cast.supervisor_a
        assert {voucher.first_signed_by, voucher.second_signed_by} == {cast.cadre_a, director_a}

    def test_it_numbers_vouchers_per_village_and_year(self, cast: Cast) -> None:
        a = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        b = services.voucher_record(
            village=cast.village_a, date=date(2025, 4, 5), summary="x", entries=pay(100), by=cast.official
        )
        c = services.voucher_record(
            village=cast.village_b, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        assert (a.number, b.number, c.number) == (1, 2, 1)

    def test_it_refuses_an_unbalanced_voucher(self, cast: Cast) -> None:
        entries = pay(100)
        entries[1] = services.EntryInput(account_code="102", side="C", amount=99)
        with pytest.raises(InvalidInput, match="does not balance"):
            services.voucher_record(
                village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=entries, by=cast.official
            )

    def test_it_refuses_an_account_outside_the_chart(self, cast: Cast) -> None:
        with pytest.raises(InvalidInput, match="not an account"):
            services.voucher_record(
                village=cast.village_a,
                date=date(2025, 3, 5),
                summary="x",
                entries=pay(100, expense="999"),
                by=cast.official,
            )

    def test_it_lets_nobody_review_what_they_recorded(self, cast: Cast, director_a) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.cadre_a
        )
        with pytest.raises(NotPermitted):
            services.voucher_countersign(voucher=voucher, by=cast.cadre_a)
        services.voucher_review(voucher=voucher, approve=True, by=cast.supervisor_a)
        with pytest.raises(NotPermitted):
            services.voucher_countersign(voucher=voucher, by=cast.cadre_a)
        services.voucher_countersign(voucher=voucher, by=director_a)

    def test_it_needs_two_different_countersigners(self, cast: Cast, director_a) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        services.voucher_review(voucher=voucher, approve=True, by=cast.supervisor_a)
        services.voucher_countersign(voucher=voucher, by=cast.cadre_a)
        with pytest.raises(NotPermitted, match="another cadre"):
            services.voucher_countersign(voucher=voucher, by=cast.cadre_a)
        voucher.refresh_from_db()
        assert voucher.status == VoucherStatus.REVIEWED

    def test_it_refuses_to_post_what_skipped_its_procedure(self, cast: Cast) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        with pytest.raises(InvalidInput, match="countersigned"):
            services.voucher_post(voucher=voucher, by=cast.official)

    def test_it_returns_a_voucher_with_a_reason_and_takes_it_back_after_a_change(self, cast: Cast) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        with pytest.raises(InvalidInput, match="why"):
            services.voucher_review(voucher=voucher, approve=False, by=cast.supervisor_a)
        voucher = services.voucher_review(voucher=voucher, approve=False, opinion="缺发票", by=cast.supervisor_a)
        assert voucher.status == VoucherStatus.RETURNED
        voucher = services.voucher_update(
            voucher=voucher, date=date(2025, 3, 6), summary="支付电费（附发票）", entries=pay(100), by=cast.official
        )
        assert voucher.status == VoucherStatus.RECORDED

    def test_it_needs_a_case_for_spending_above_the_limit(self, cast: Cast, settings) -> None:
        settings.SUNLIT_FINANCE_CASE_REQUIRED_ABOVE_YUAN = 5000
        with pytest.raises(InvalidInput, match="case"):
            services.voucher_record(
                village=cast.village_a,
                date=date(2025, 3, 5),
                summary="村道硬化工程款",
                entries=pay(500_001, expense="154"),
                by=cast.official,
            )
        case = make_case(cast)
        voucher = services.voucher_record(
            village=cast.village_a,
            date=date(2025, 3, 5),
            summary="村道硬化工程款",
            entries=pay(500_001, expense="154"),
            case_number=case.number,
            by=cast.official,
        )
        assert voucher.case == case
        # Money coming in needs no case, whatever the amount.
        services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=receive(900_000), by=cast.official
        )

    def test_it_refuses_a_case_that_authorises_nothing(self, cast: Cast) -> None:
        for case, why in [
            (make_case(cast, seq=4, state="open"), "not approved"),
            (make_case(cast, seq=5, village=cast.village_b), "another village"),
        ]:
            with pytest.raises(InvalidInput, match=why):
                services.voucher_record(
                    village=cast.village_a,
                    date=date(2025, 3, 5),
                    summary="x",
                    entries=pay(100),
                    case_number=case.number,
                    by=cast.official,
                )
        with pytest.raises(InvalidInput, match="no case"):
            services.voucher_record(
                village=cast.village_a,
                date=date(2025, 3, 5),
                summary="x",
                entries=pay(100),
                case_number="431382101201-2025-0999",
                by=cast.official,
            )

    def test_it_refuses_a_case_of_an_item_that_may_not_authorise_a_voucher(self, cast: Cast) -> None:
        # Approved and of the same village, but the power list lets its item authorise
        # dibao payments only: a certificate or a benefit decision moves no village money.
        case = make_case(cast, seq=6, code="BM-01", authorises=("welfare.payment:dibao",))
        with pytest.raises(InvalidInput) as e:
            services.voucher_record(
                village=cast.village_a,
                date=date(2025, 3, 5),
                summary="x",
                entries=pay(100),
                case_number=case.number,
                by=cast.official,
            )
        assert "item BM-01" in e.value.message and "finance.voucher" in e.value.message
        assert e.value.field == "case_number"

    def test_it_refuses_a_changed_voucher_citing_a_case_that_authorises_nothing(self, cast: Cast) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(100), by=cast.official
        )
        for case, why in [
            (make_case(cast, seq=7, state="withdrawn"), "not approved"),
            (make_case(cast, seq=8, village=cast.village_b), "another village"),
            (make_case(cast, seq=9, code="BM-14", authorises=()), "item BM-14"),
        ]:
            with pytest.raises(InvalidInput, match=why):
                services.voucher_update(
                    voucher=voucher,
                    date=date(2025, 3, 5),
                    summary="x",
                    entries=pay(100),
                    case_number=case.number,
                    by=cast.official,
                )
        case = make_case(cast, seq=10)
        updated = services.voucher_update(
            voucher=voucher,
            date=date(2025, 3, 5),
            summary="x",
            entries=pay(100),
            case_number=case.number,
            by=cast.official,
        )
        assert updated.case == case

    def test_it_publishes_the_case_with_its_item(self, cast: Cast, director_a) -> None:
        case = make_case(cast)
        voucher = services.voucher_record(
            village=cast.village_a,
            date=date(2025, 3, 5),
            summary="村道硬化工程款",
            entries=pay(900_000, expense="154"),
            case_number=case.number,
            by=cast.official,
        )
        through_workflow(voucher, cast, director_a)
        month = publish_month(cast, MARCH)
        assert month.publication is not None
        snapshot = json.loads(month.publication.snapshot_json)
        assert snapshot["vouchers"][0]["case"] == {
            "number": case.number,
            "item": "M01",
            "item_name": "村级工程项目建设",
        }


class TestJurisdiction:
    def test_it_lets_the_agent_record_for_a_village_of_the_township(self, cast: Cast) -> None:
        services.voucher_record(
            village=cast.village_b, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )

    def test_it_refuses_a_cadre_recording_for_another_village(self, cast: Cast) -> None:
        with pytest.raises(NotPermitted):
            services.voucher_record(
                village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.cadre_b
            )

    def test_it_lets_the_village_committee_review(self, cast: Cast) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        services.voucher_review(voucher=voucher, approve=True, by=cast.supervisor_a)

    @pytest.mark.parametrize("who", ["official", "cadre_a", "inspector", "admin"])
    def test_it_lets_no_one_but_the_committee_review(self, cast: Cast, who: str) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        with pytest.raises(NotPermitted):
            services.voucher_review(voucher=voucher, approve=True, by=getattr(cast, who))

    def test_it_refuses_the_committee_of_another_village(self, cast: Cast) -> None:
        voucher = services.voucher_record(
            village=cast.village_b, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        with pytest.raises(NotPermitted):
            services.voucher_review(voucher=voucher, approve=True, by=cast.supervisor_a)

    def test_it_refuses_sign_off_by_the_agent(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 5), pay(100))
        services.month_close(village=cast.village_a, period=MARCH, by=cast.official)
        with pytest.raises(NotPermitted):
            services.month_signoff(village=cast.village_a, period=MARCH, by=cast.official)
        services.month_signoff(village=cast.village_a, period=MARCH, by=cast.supervisor_a)

    def test_it_refuses_closing_by_the_committee(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 5), pay(100))
        with pytest.raises(NotPermitted):
            services.month_close(village=cast.village_a, period=MARCH, by=cast.supervisor_a)
        services.month_close(village=cast.village_a, period=MARCH, by=cast.official)


class TestMonths:
    def test_it_closes_a_month_with_balances_per_account(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 2), receive(1_000_000), summary="收到运转经费")
        book(cast, director_a, date(2025, 3, 5), pay(12_345))
        month = services.month_close(village=cast.village_a, period=MARCH, by=cast.official)
        assert month.status == MonthStatus.CLOSED
        balances = {
            b.account_code: (b.opening, b.debit, b.credit, b.closing)
            for b in Balance.objects.filter(village_code=cast.village_a.code, period=MARCH)
        }
        assert balances["102"] == (0, 1_000_000, 12_345, 987_655)
        assert balances["541"] == (0, 12_345, 0, 12_345)
        assert balances["522"] == (0, 0, 1_000_000, -1_000_000)

    def test_it_carries_balances_into_the_next_month(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 2), receive(1_000_000))
        publish_month(cast, MARCH)
        book(cast, director_a, date(2025, 5, 5), pay(100))
        services.month_close(village=cast.village_a, period=202505, by=cast.official)
        may = Balance.objects.get(village_code=cast.village_a.code, period=202505, account_code="102")
        assert (may.opening, may.closing) == (1_000_000, 999_900)

    def test_it_carries_balances_from_the_2004_chart_into_the_2023_chart(self, cast: Cast, director_a) -> None:
        from sunlit.finance.tests.conftest import CHART_2023

        services.chart_load(source=CHART_2023, by=None)
        book(cast, director_a, date(2023, 12, 2), pay(500, expense="154"))  # 在建工程 in 2004
        publish_month(cast, 202312)
        book(cast, director_a, date(2024, 1, 5), pay(100, expense="513"))  # 管理费用 in 2023
        services.month_close(village=cast.village_a, period=202401, by=cast.official)
        opening = dict(
            Balance.objects.filter(village_code=cast.village_a.code, period=202401).values_list(
                "account_code", "opening"
            )
        )
        assert opening["153"] == 500  # 在建工程 is 153 in the 2023 chart
        assert opening["102"] == -500

    def test_it_refuses_to_close_with_unposted_vouchers(self, cast: Cast) -> None:
        services.voucher_record(
            village=cast.village_a, date=date(2025, 3, 5), summary="x", entries=pay(1), by=cast.official
        )
        with pytest.raises(InvalidInput, match="not posted"):
            services.month_close(village=cast.village_a, period=MARCH, by=cast.official)

    def test_it_closes_and_publishes_months_in_order(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 5), pay(100))
        book(cast, director_a, date(2025, 4, 5), pay(100))
        with pytest.raises(InvalidInput, match="in order"):
            services.month_close(village=cast.village_a, period=202504, by=cast.official)
        services.month_close(village=cast.village_a, period=MARCH, by=cast.official)
        services.month_close(village=cast.village_a, period=202504, by=cast.official)
        with pytest.raises(InvalidInput, match="in order"):
            services.month_signoff(village=cast.village_a, period=202504, by=cast.supervisor_a)

    def test_it_publishes_the_month_as_one_batch(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 2), receive(1_000_000))
        book(cast, director_a, date(2025, 3, 5), pay(12_345))
        month = publish_month(cast, MARCH)
        assert month.status == MonthStatus.PUBLISHED
        published = Published.objects.get(kind="finance.month")
        assert published.pk == month.publication_id
        assert published.chain_id == cast.village_a.code
        assert published.ref == f"{cast.village_a.code}-2025-03"
        snapshot = json.loads(published.snapshot_json)
        assert [v["number"] for v in snapshot["vouchers"]] == [1, 2]
        assert snapshot["totals"]["income"] == 1_000_000
        assert snapshot["totals"]["expense"] == 12_345
        assert snapshot["vouchers"][1]["direction"] == "expense"
        assert PublishedEntry.objects.filter(village_code=cast.village_a.code, period=MARCH).count() == 4
        assert PublishedMonth.objects.get(village_code=cast.village_a.code).income == 1_000_000

    def test_it_refuses_sign_off_while_a_voucher_awaits_review(self, cast: Cast, director_a) -> None:
        from sunlit.finance.models import Voucher

        voucher = book(cast, director_a, date(2025, 3, 5), pay(100))
        Voucher.objects.filter(pk=voucher.pk).update(reviewed_at=None)  # as an import leaves it
        services.month_close(village=cast.village_a, period=MARCH, by=cast.official)
        with pytest.raises(InvalidInput, match="review"):
            services.month_signoff(village=cast.village_a, period=MARCH, by=cast.supervisor_a)

    def test_it_reopens_a_closed_month_when_the_committee_returns_a_voucher(self, cast: Cast, director_a) -> None:
        from sunlit.finance.models import Month, Voucher

        voucher = book(cast, director_a, date(2025, 3, 5), pay(100))
        Voucher.objects.filter(pk=voucher.pk).update(reviewed_at=None, reviewed_by=None)
        services.month_close(village=cast.village_a, period=MARCH, by=cast.official)
        services.voucher_review(voucher=voucher, approve=False, opinion="金额不符", by=cast.supervisor_a)
        assert Month.objects.get(village=cast.village_a, period=MARCH).status == MonthStatus.OPEN
        assert not Balance.objects.filter(village_code=cast.village_a.code, period=MARCH).exists()

    def test_it_refuses_new_vouchers_in_a_published_month(self, cast: Cast, director_a) -> None:
        book(cast, director_a, date(2025, 3, 5), pay(100))
        publish_month(cast, MARCH)
        with pytest.raises(InvalidInput, match="closed"):
            services.voucher_record(
                village=cast.village_a, date=date(2025, 3, 9), summary="x", entries=pay(1), by=cast.official
            )


class TestCorrections:
    def test_it_reverses_a_published_voucher_with_every_entry_on_the_other_side(
        self, cast: Cast, director_a: Any
    ) -> None:
        original = book(cast, director_a, date(2025, 3, 5), pay(12_345))
        publish_month(cast, MARCH)
        reversal = services.voucher_reverse(
            voucher=original, date=date(2025, 4, 2), reason="重复报销", by=cast.official
        )
        assert (reversal.kind, reversal.corrects, reversal.status) == ("reversal", original, VoucherStatus.RECORDED)
        assert [(e.account_code, e.side, e.amount) for e in reversal.entries.order_by("line")] == [
            ("541", "C", 12_345),
            ("102", "D", 12_345),
        ]
        assert "重复报销" in reversal.summary

    def test_it_corrects_only_published_vouchers(self, cast: Cast, director_a: Any) -> None:
        original = book(cast, director_a, date(2025, 3, 5), pay(100))
        with pytest.raises(InvalidInput, match="Only a published voucher"):
            services.voucher_reverse(voucher=original, date=date(2025, 4, 2), reason="x", by=cast.official)

    def test_it_refuses_a_reversal_without_a_reason(self, cast: Cast, director_a: Any) -> None:
        original = book(cast, director_a, date(2025, 3, 5), pay(100))
        publish_month(cast, MARCH)
        with pytest.raises(InvalidInput, match="why"):
            services.voucher_reverse(voucher=original, date=date(2025, 4, 2), reason=" ", by=cast.official)

    def test_it_keeps_a_published_voucher_as_it_was(self, cast: Cast, director_a: Any) -> None:
        original = book(cast, director_a, date(2025, 3, 5), pay(100))
        publish_month(cast, MARCH)
        with pytest.raises(InvalidInput):
            services.voucher_update(
                voucher=original, date=date(2025, 3, 5), summary="改", entries=pay(99), by=cast.official
            )
        with pytest.raises(InvalidInput, match="published"):
            services.voucher_review(voucher=original, approve=False, opinion="x", by=cast.supervisor_a)

    def test_it_refuses_a_reversal_by_someone_outside_the_village(self, cast: Cast, director_a: Any) -> None:
        original = book(cast, director_a, date(2025, 3, 5), pay(100))
        publish_month(cast, MARCH)
        with pytest.raises(NotPermitted):
            services.voucher_reverse(voucher=original, date=date(2025, 4, 2), reason="x", by=cast.cadre_b)
