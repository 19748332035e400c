"""What villagers see: published months, entries with receipts, cases and proof, search,
downloads safe to open, timeliness; on phones and kiosks; from cache; in few queries."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from PIL import Image

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, VILLAGE_B, Cast
from sunlit.finance import services
from sunlit.finance.models import Voucher
from sunlit.finance.tests.conftest import book, make_case, pay, receive, through_workflow

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 20)).save(out, format="PNG")
    return out.getvalue()


def close_and_sign(cast: Cast, period: int, when: str) -> None:
    with time_machine.travel(datetime.fromisoformat(when).replace(tzinfo=SHANGHAI), tick=False):
        services.month_close(village=cast.village_a, period=period, by=cast.official)
        services.month_signoff(village=cast.village_a, period=period, opinion="账目清楚", by=cast.supervisor_a)


@pytest.fixture
def books(cast: Cast, director_a: Any, settings: Any) -> dict[str, Any]:
    """Village A: March 2025 published on time (with a receipt and a case), April late,
    and in May a reversal of a March voucher; village B: a road-hardening entry."""
    settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS = 0
    case = make_case(cast)
    book(cast, director_a, date(2025, 3, 2), receive(5_000_000), summary="收到村级组织运转经费")
    road = services.voucher_record(
        village=cast.village_a,
        date=date(2025, 3, 9),
        summary="村道硬化工程款",
        entries=pay(800_000, expense="154", counterparty="涟源市路桥公司", summary="村道硬化工程款"),
        case_number=case.number,
        by=cast.official,
    )
    services.receipt_attach(voucher=road, data=png(), filename="发票.png", by=cast.official)
    through_workflow(road, cast, director_a)
    wrong = book(
        cast,
        director_a,
        date(2025, 3, 20),
        pay(30_000, summary='=HYPERLINK("http://evil")', counterparty="@evil"),
        summary='=HYPERLINK("http://evil")',
    )
    close_and_sign(cast, 202503, "2025-04-10 10:00")
    book(cast, director_a, date(2025, 4, 3), pay(12_345))
    close_and_sign(cast, 202504, "2025-05-20 10:00")  # due by 05-15: late
    reversal = services.voucher_reverse(voucher=wrong, date=date(2025, 5, 6), reason="重复报销", by=cast.official)
    through_workflow(reversal, cast, director_a)
    close_and_sign(cast, 202505, "2025-06-05 10:00")
    # Village B's books are recorded but never published: search must not find them.
    services.voucher_record(
        village=cast.village_b,
        date=date(2025, 3, 4),
        summary="水泥路面硬化",
        entries=pay(4_000, summary="水泥路面硬化"),
        by=cast.official,
    )
    return {"case": case, "road": road, "wrong": wrong, "reversal": reversal}


def get(client: Client, name: str, *args: Any, **params: Any) -> Any:
    return client.get(reverse(name, args=args), params)


class TestVillage:
    def test_it_lists_published_months_with_totals_and_lateness(self, client: Client, books: Any) -> None:
        body = get(client, "finance:village", VILLAGE_A).content.decode()
        assert body.index("2025-05") < body.index("2025-04") < body.index("2025-03")
        assert "50,000.00" in body  # March income
        assert "late: 20 days after month end" in body  # April, signed off 05-20

    def test_it_reads_in_two_queries(self, client: Client, books: Any, django_assert_num_queries: Any) -> None:
        with django_assert_num_queries(2):  # village, months (no page cache here: no version asked)
            assert get(client, "finance:village", VILLAGE_A).status_code == 200

    def test_it_links_from_the_village_page(self, client: Client, books: Any) -> None:
        assert reverse("finance:village", args=[VILLAGE_A]) in get(client, "portal:village", VILLAGE_A).content.decode()
        kiosk = get(client, "portal:kiosk_village", VILLAGE_A).content.decode()
        assert reverse("finance:kiosk_village", args=[VILLAGE_A]) in kiosk

    def test_it_answers_404_for_a_township_code(self, client: Client, books: Any) -> None:
        assert get(client, "finance:village", TOWNSHIP_A).status_code == 404


class TestMonth:
    def test_it_shows_every_entry_with_receipts_case_and_proof(self, client: Client, books: Any) -> None:
        response = get(client, "finance:month", VILLAGE_A, "2025-03")
        body = response.content.decode()
        assert "村道硬化工程款" in body and "涟源市路桥公司" in body
        assert "8,000.00" in body
        sha = books["road"].receipts.get().sha256
        assert reverse("finance:receipt", args=[sha]) in body
        assert reverse("finance:receipt_thumb", args=[sha]) in body
        assert reverse("cases:public_case", args=[books["case"].number]) in body
        assert reverse("powers:item", args=["M01"]) in body
        from sunlit.finance.models import Month

        month = Month.objects.get(village_id=VILLAGE_A, period=202503)
        assert reverse("transparency:entry", args=[month.publication_id]) in body

    def test_it_offers_to_question_each_entry_with_the_contacts(self, client: Client, books: Any) -> None:
        body = get(client, "finance:month", VILLAGE_A, "2025-03").content.decode()
        assert body.count('class="question"') == 3
        assert 'href="tel:0738-4000001"' in body  # village A's service centre
        assert "Ask about 2025-03 No. 2" in body

    def test_it_shows_a_correction_beside_the_voucher_it_corrects(self, client: Client, books: Any) -> None:
        march = get(client, "finance:month", VILLAGE_A, "2025-03").content.decode()
        assert "Reversed: by No. 5 of 2025-05" in march
        may = get(client, "finance:month", VILLAGE_A, "2025-05").content.decode()
        assert "corrects No. 3 of 2025-03" in may

    def test_it_reads_the_published_snapshot_not_the_working_tables(self, client: Client, books: Any) -> None:
        Voucher.objects.filter(pk=books["road"].pk).update(summary="改过的摘要")
        body = get(client, "finance:month", VILLAGE_A, "2025-03").content.decode()
        assert "改过的摘要" not in body and "村道硬化工程款" in body

    def test_it_reads_in_three_queries_however_many_entries(
        self, client: Client, books: Any, django_assert_num_queries: Any
    ) -> None:
        with django_assert_num_queries(3):  # village; month with its publication; corrections
            assert get(client, "finance:month", VILLAGE_A, "2025-03").status_code == 200

    def test_it_serves_from_cache_without_the_database(
        self, client: Client, books: Any, settings: Any, django_assert_num_queries: Any
    ) -> None:
        settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS = 60
        with django_assert_num_queries(4):  # the version, then the page's three
            first = get(client, "finance:month", VILLAGE_A, "2025-03")
        with django_assert_num_queries(0):
            again = get(client, "finance:month", VILLAGE_A, "2025-03")
        assert again.content == first.content
        assert again["ETag"] == first["ETag"]
        assert "max-age=60" in again["Cache-Control"]

    def test_it_answers_304_to_a_matching_etag(self, client: Client, books: Any) -> None:
        etag = get(client, "finance:month", VILLAGE_A, "2025-03")["ETag"]
        again = client.get(reverse("finance:month", args=[VILLAGE_A, "2025-03"]), HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304

    def test_it_changes_its_etag_when_a_correction_is_published(self, client: Client, books: Any) -> None:
        from sunlit.finance.selectors import month_version

        assert str(month_version(VILLAGE_A, 202503)).split(".")[1] != "0"
        assert str(month_version(VILLAGE_A, 202504)).split(".")[1] == "0"

    def test_it_draws_the_kiosk_layout_with_kiosk_links_only(self, client: Client, books: Any) -> None:
        body = get(client, "finance:kiosk_month", VILLAGE_A, "2025-03").content.decode()
        assert "kiosk-bar" in body
        sha = books["road"].receipts.get().sha256
        assert reverse("finance:kiosk_receipt", args=[sha]) in body
        assert reverse("cases:kiosk_public_case", args=[books["case"].number]) in body
        assert "/transparency/" not in body

    def test_it_answers_404_for_an_unpublished_or_malformed_month(self, client: Client, books: Any) -> None:
        assert get(client, "finance:month", VILLAGE_A, "2025-06").status_code == 404
        assert get(client, "finance:month", VILLAGE_A, "2025-13").status_code == 404
        assert get(client, "finance:kiosk_month", VILLAGE_B, "2025-03").status_code == 404


class TestJson:
    def test_it_gives_the_first_50_entries_with_the_proof(self, client: Client, books: Any) -> None:
        data = json.loads(get(client, "finance:month_json", VILLAGE_A, "2025-03").content)
        assert data["count"] == 6 and len(data["entries"]) == 6 and data["next"] is None
        assert data["entries"][2]["summary"] == "村道硬化工程款"
        assert data["entries"][2]["amount"] == 800_000
        assert data["publication"]["snapshot_sha256"]
        assert data["corrections"][0]["by"]["period"] == "2025-05"


class TestDownloads:
    def test_it_neutralises_formulas_in_csv(self, client: Client, books: Any) -> None:
        response = get(client, "finance:month_csv", VILLAGE_A, "2025-03")
        text = response.content.decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(text)))
        summaries = [r[3] for r in rows[1:]]
        assert '\'=HYPERLINK("http://evil")' in summaries
        assert "'@evil" in [r[8] for r in rows[1:]]
        assert "8000.00" in [r[6] for r in rows[1:]]
        assert response["Content-Disposition"].startswith("attachment;")

    def test_it_neutralises_formulas_in_xlsx(self, client: Client, books: Any) -> None:
        content = get(client, "finance:month_xlsx", VILLAGE_A, "2025-03").content
        sheet = load_workbook(io.BytesIO(content)).active
        cells = [c.value for row in sheet.iter_rows() for c in row]
        assert '\'=HYPERLINK("http://evil")' in cells
        assert not any(isinstance(v, str) and v.startswith("=") for v in cells)
        assert any(c.data_type == "n" and c.value == 8000 for row in sheet.iter_rows() for c in row)

    def test_it_serves_the_import_templates(self, client: Client) -> None:
        assert "科目编码" in get(client, "finance:import_template", "csv").content.decode("utf-8-sig")
        assert get(client, "finance:import_template", "xlsx").status_code == 200


class TestAccounts:
    def test_it_lists_the_years_accounts(self, client: Client, books: Any) -> None:
        body = get(client, "finance:accounts", VILLAGE_A, "2025").content.decode()
        assert "在建工程" in body and "8,000.00" in body

    def test_it_lists_an_accounts_entries_and_months(
        self, client: Client, books: Any, django_assert_num_queries: Any
    ) -> None:
        with django_assert_num_queries(3):  # village, entries, balances
            body = get(client, "finance:account", VILLAGE_A, "2025", "154").content.decode()
        assert "涟源市路桥公司" in body


class TestSearch:
    def test_it_finds_a_chinese_substring_across_the_township(self, client: Client, books: Any) -> None:
        body = get(client, "finance:township_search", TOWNSHIP_A, q="硬化").content.decode()
        assert "村道硬化工程款" in body
        assert "2 entries contain" in body  # both lines of the road voucher; village B's is unpublished

    def test_it_finds_one_character_and_longer_queries(self, client: Client, books: Any) -> None:
        from sunlit.finance.selectors import search_entries

        assert search_entries(township_code=TOWNSHIP_A, query="硬").count == 2
        assert search_entries(township_code=TOWNSHIP_A, query="道硬化工").count == 2
        assert search_entries(township_code=TOWNSHIP_A, query="路桥").count == 2  # counterparty
        assert search_entries(township_code=TOWNSHIP_A, query="硬化村").count == 0
        assert (
            search_entries(township_code=TOWNSHIP_A, query="ｈｙｐｅｒ").count == 4
        )  # full-width, case; with its reversal

    def test_it_finds_the_same_through_either_plan(self, books: Any, monkeypatch: Any) -> None:
        from sunlit.finance import selectors

        merged = selectors.search_entries(township_code=TOWNSHIP_A, query="硬", per_page=1, page=2)
        monkeypatch.setattr(selectors, "MERGE_TEXTS", 0)
        sorted_ = selectors.search_entries(township_code=TOWNSHIP_A, query="硬", per_page=1, page=2)
        assert [e.id for e in merged.entries] == [e.id for e in sorted_.entries] and merged.count == sorted_.count

    def test_it_searches_one_village(self, client: Client, books: Any) -> None:
        assert "村道硬化工程款" in get(client, "finance:village_search", VILLAGE_A, q="硬化").content.decode()
        assert "村道硬化工程款" not in get(client, "finance:village_search", VILLAGE_B, q="硬化").content.decode()

    def test_it_reads_in_six_queries(self, client: Client, books: Any, django_assert_num_queries: Any) -> None:
        # township, matching texts, page of ids, count, entries, village names
        with django_assert_num_queries(6):
            get(client, "finance:township_search", TOWNSHIP_A, q="硬化")

    def test_it_answers_json(self, client: Client, books: Any) -> None:
        data = json.loads(get(client, "finance:township_search_json", TOWNSHIP_A, q="硬化").content)
        assert data["count"] == 2 and data["entries"][0]["village"] == VILLAGE_A


class TestTimeliness:
    def test_it_lists_late_months_and_the_months_peers_published(
        self, client: Client, cast: Cast, books: Any, tmp_path: Any
    ) -> None:
        # Village B publishes March to June on time (imported by the agent); village A
        # stopped after May.
        from sunlit.finance import imports
        from sunlit.finance.models import Month, Voucher

        Voucher.objects.filter(village=cast.village_b).delete()  # the fixture's unpublished one
        Month.objects.filter(village=cast.village_b).delete()
        lines = ["村代码,日期,凭证号,摘要,科目编码,借方金额,贷方金额"]
        for month in (3, 4, 5, 6):
            lines += [
                f"{VILLAGE_B},2025-0{month}-08,{month},电费,541,1.00,",
                f"{VILLAGE_B},2025-0{month}-08,{month},电费,102,,1.00",
            ]
        path = tmp_path / "b.csv"
        path.write_text("\n".join(lines), encoding="utf-8")
        imports.import_file(batch=imports.batch_start(filename="b.csv", by=None), path=path, by=None)
        supervisor_b = _supervisor_b()
        for month in (3, 4, 5, 6):
            period = 202500 + month
            with time_machine.travel(datetime(2025, month + 1, 9, tzinfo=SHANGHAI), tick=False):
                services.vouchers_review_month(village=cast.village_b, period=period, by=supervisor_b)
                services.month_close(village=cast.village_b, period=period, by=cast.official)
                services.month_signoff(village=cast.village_b, period=period, by=supervisor_b)
        with time_machine.travel(datetime(2025, 8, 20, tzinfo=SHANGHAI), tick=False):
            body = get(client, "finance:timeliness", TOWNSHIP_A).content.decode()
        assert "Published late, newest first" in body and "2025-04" in body  # A's April was late
        missing = body[body.index("Not published although due") : body.index("Published late")]
        assert "<td>2025-06</td><td>石门村</td>" in missing  # B published June, A did not
        assert "<td>2025-07</td>" not in missing  # nobody published July: counted, not listed
        assert "after 2025-06: 1 more month(s) are due" in body


class TestReceipts:
    def test_it_serves_a_published_receipt_and_its_thumbnail(self, client: Client, books: Any) -> None:
        sha = books["road"].receipts.get().sha256
        page = get(client, "finance:kiosk_receipt", sha)
        assert page.status_code == 200 and "kiosk-bar" in page.content.decode()
        response = get(client, "finance:receipt_file", sha)
        assert response["Content-Type"] == "image/png" and "immutable" in response["Cache-Control"]
        assert get(client, "finance:receipt_thumb", sha)["Content-Type"] == "image/jpeg"

    def test_it_keeps_an_unpublished_receipt_private(self, client: Client, cast: Cast, books: Any) -> None:
        voucher = services.voucher_record(
            village=cast.village_a, date=date(2025, 6, 2), summary="x", entries=pay(100), by=cast.official
        )
        receipt = services.receipt_attach(voucher=voucher, data=_other_png(), filename="b.png", by=cast.official)
        assert get(client, "finance:receipt_file", receipt.sha256).status_code == 404
        assert get(client, "finance:receipt", receipt.sha256).status_code == 404


def _other_png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (41, 30), (10, 180, 20)).save(out, format="PNG")
    return out.getvalue()


def _supervisor_b() -> Any:
    from sunlit.accounts.models import Role
    from sunlit.conftest import make_user

    return make_user("supervisor_b", "钱芳", Role.SUPERVISOR, VILLAGE_B, title="监委会主任")


@pytest.mark.parametrize("year", ["２０２５", "2²25", "²"])
def test_it_answers_404_for_a_year_of_digits_that_are_not_ascii(client: Client, books: Any, year: str) -> None:
    # "²".isdigit() is True and int("²") raised: a 500 on a public address.
    assert client.get(f"/v/{VILLAGE_A}/finance/accounts/{year}/").status_code == 404
    assert client.get(f"/v/{VILLAGE_A}/finance/accounts/{year}/541/").status_code == 404
