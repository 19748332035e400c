"""The demo books: published through publish(), consistent with the working tables,
deterministic, safe to run twice."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast
from sunlit.finance import periods, publication, selectors
from sunlit.finance.demo import demo_finance
from sunlit.finance.models import Month, MonthStatus, PublishedMonth, Voucher

pytestmark = pytest.mark.django_db
VILLAGES = [VILLAGE_A, VILLAGE_B, VILLAGE_C]


@pytest.fixture
def demo(cast: Cast, settings: Any) -> Any:
    settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS = 0
    return demo_finance(village_codes=VILLAGES, scale="small", seed=1)


def test_it_publishes_a_year_of_books_per_village(demo: Any) -> None:
    assert demo.villages == 3
    assert demo.months_published + demo.months_pending == 36
    assert PublishedMonth.objects.count() == demo.months_published
    assert demo.entries > 36 * 10
    assert demo.receipts > 0


def test_it_publishes_what_the_working_tables_hold(demo: Any) -> None:
    for month in Month.objects.filter(village_id=VILLAGE_A, status=MonthStatus.PUBLISHED).order_by("period"):
        assert month.publication is not None
        assert publication.month_snapshot(month) == month.publication.snapshot, month.period


def test_it_signs_months_off_over_the_year_some_late(demo: Any) -> None:
    months = list(PublishedMonth.objects.order_by("village_code", "period"))
    assert all(m.signed_off_on > periods.last_day(m.period) for m in months)
    assert any(m.late for m in months) and not all(m.late for m in months)


def test_it_keeps_every_chain_reading_forward_in_time(demo: Any) -> None:
    from sunlit.transparency.models import Entry

    for chain in VILLAGES:
        times = list(Entry.objects.filter(chain_id=chain).order_by("seq").values_list("published_at", flat=True))
        assert times == sorted(times)


def test_it_skips_villages_that_have_books(demo: Any) -> None:
    count = Voucher.objects.count()
    again = demo_finance(village_codes=VILLAGES, scale="small", seed=1)
    assert again.villages == 0 and Voucher.objects.count() == count


def test_it_is_searchable(demo: Any) -> None:
    assert selectors.search_entries(township_code=TOWNSHIP_A, query="电费").count > 0
