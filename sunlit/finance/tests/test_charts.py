"""Charts of accounts as data: the 2004 chart ships complete, the 2023 chart is loaded by an
administrator, and a village keeps one chart per fiscal year."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import yaml

from sunlit.conftest import Cast
from sunlit.finance import services
from sunlit.finance.models import Account, Chart
from sunlit.finance.tests.conftest import CHART_2023, pay
from sunlit.lib.errors import InvalidInput, NotPermitted

pytestmark = pytest.mark.django_db

DOMAIN_2004 = {  # domain.md §5, in the regulation's order
    "101": "现金",
    "102": "银行存款",
    "111": "短期投资",
    "112": "应收款",
    "113": "内部往来",
    "121": "库存物资",
    "131": "牲畜(禽)资产",
    "132": "林木资产",
    "141": "长期投资",
    "151": "固定资产",
    "152": "累计折旧",
    "153": "固定资产清理",
    "154": "在建工程",
    "201": "短期借款",
    "202": "应付款",
    "211": "应付工资",
    "212": "应付福利费",
    "221": "长期借款及应付款",
    "231": "一事一议资金",
    "301": "资本",
    "311": "公积公益金",
    "321": "本年收益",
    "322": "收益分配",
    "401": "生产(劳务)成本",
    "501": "经营收入",
    "502": "经营支出",
    "511": "发包及上交收入",
    "521": "农业税附加返还收入",
    "522": "补助收入",
    "531": "其他收入",
    "541": "管理费用",
    "551": "其他支出",
    "561": "投资收益",
}


def test_it_ships_the_2004_chart_complete(db: Any) -> None:
    accounts = {a.code: a for a in Account.objects.filter(chart_id="2004")}
    assert {code: accounts[code].name for code in DOMAIN_2004} == DOMAIN_2004
    assert {a.code for a in accounts.values() if a.optional} == {"161", "171", "241"}
    assert accounts["152"].side == "C" and accounts["101"].cash == "hand" and accounts["102"].cash == "bank"


def test_it_loads_the_2023_chart_for_an_administrator(cast: Cast) -> None:
    chart = services.chart_load(source=CHART_2023, by=cast.admin)
    assert chart.accounts.count() == 42 and chart.succeeds_id == "2004"
    assert Account.objects.get(chart=chart, code="153").name == "在建工程"


def test_it_refuses_loading_a_chart_to_a_township_official(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.chart_load(source=CHART_2023, by=cast.official)
    assert not Chart.objects.filter(code="2023").exists()


def test_it_maps_every_2004_account_with_a_balance_into_the_2023_chart(db: Any) -> None:
    data = yaml.safe_load(CHART_2023.read_text(encoding="utf-8"))
    taken = {old for a in data["accounts"] for old in a.get("from", [])}
    assert set(DOMAIN_2004) | {"161", "171", "241"} <= taken


def test_it_refuses_a_chart_file_with_problems(cast: Cast) -> None:
    data = yaml.safe_load(CHART_2023.read_text(encoding="utf-8"))
    data["accounts"][1]["code"] = "101"
    data["accounts"][2]["side"] = "X"
    with pytest.raises(InvalidInput) as info:
        services.chart_load(source=data, by=None)
    assert "appears twice" in info.value.message and "D or C" in info.value.message


def test_it_keeps_one_chart_per_village_and_year(cast: Cast) -> None:
    services.chart_load(source=CHART_2023, by=None)
    assert services.chart_for(village_code=cast.village_a.code, year=2023).code == "2004"
    assert services.chart_for(village_code=cast.village_a.code, year=2024).code == "2023"
    services.fiscal_year_set(village=cast.village_a, year=2026, chart_code="2004", by=cast.official)
    assert services.chart_for(village_code=cast.village_a.code, year=2026).code == "2004"
    services.voucher_record(
        village=cast.village_a, date=date(2024, 3, 5), summary="x", entries=pay(1, expense="513"), by=cast.official
    )
    with pytest.raises(InvalidInput, match="already has vouchers"):
        services.fiscal_year_set(village=cast.village_a, year=2024, chart_code="2004", by=cast.official)


def test_it_refuses_setting_the_chart_of_another_township(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.fiscal_year_set(village=cast.village_c, year=2026, chart_code="2004", by=cast.official)


# --- the back office: charts page, a village's chart per year -----------------------------


def test_it_lets_an_administrator_load_the_shipped_2023_chart_from_the_back_office(cast: Cast, as_user: Any) -> None:
    client = as_user(cast.admin)
    page = client.get("/office/finance/charts/")
    assert page.status_code == 200 and "chart-2023.yaml" in page.content.decode()
    done = client.post("/office/finance/charts/", {"shipped": "chart-2023.yaml"}, follow=True)
    assert Chart.objects.filter(code="2023").exists()
    assert [m.level_tag for m in done.context["messages"]] == ["success"]
    detail = client.get("/office/finance/charts/2023/")
    assert detail.status_code == 200 and "在建工程" in detail.content.decode()


def test_it_loads_an_uploaded_chart_file_and_says_what_is_wrong_with_a_bad_one(cast: Cast, as_user: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = as_user(cast.admin)
    bad = SimpleUploadedFile(
        "x.yaml",
        b"code: X9\nname: test\neffective_from: 2030-01-01\naccounts:\n"
        b"  - {code: '1a', name: bad, category: asset, side: D}\n",
    )
    page = client.post("/office/finance/charts/", {"file": bad}, follow=True)
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert "(1a)" in page.content.decode()  # names the account that is wrong
    assert not Chart.objects.filter(code="X9").exists()
    good = SimpleUploadedFile(
        "x.yaml",
        b"code: X9\nname: test\neffective_from: 2030-01-01\naccounts:\n"
        b"  - {code: '1001', name: cash, category: asset, side: D, cash: hand}\n",
    )
    client.post("/office/finance/charts/", {"file": good})
    assert Account.objects.filter(chart_id="X9", code="1001").exists()


def test_it_shows_charts_but_refuses_loading_to_a_township_official_and_hides_the_page_from_strangers(
    cast: Cast, as_user: Any, client: Any
) -> None:
    official = as_user(cast.official)
    page = official.get("/office/finance/charts/")
    assert page.status_code == 200 and page.context["form"] is None
    assert 'name="shipped"' not in page.content.decode()
    assert official.post("/office/finance/charts/", {"shipped": "chart-2023.yaml"}).status_code == 403
    assert not Chart.objects.filter(code="2023").exists()
    client.logout()
    assert client.get("/office/finance/charts/").status_code == 302  # to the login page


def test_it_lets_the_township_choose_a_villages_chart_for_a_year_without_vouchers(cast: Cast, as_user: Any) -> None:
    services.chart_load(source=CHART_2023, by=cast.admin)
    code = cast.village_a.code
    official = as_user(cast.official)
    books = official.get(f"/office/finance/v/{code}/")
    assert (
        books.context["can_choose_chart"] and f'action="/office/finance/v/{code}/chart-year/"' in books.content.decode()
    )
    official.post(f"/office/finance/v/{code}/chart-year/", {"year": "2023", "chart": "2023"})
    assert services.chart_for(village_code=code, year=2023, create=False).code == "2023"
    years = {y.year: y for y in as_user(cast.official).get(f"/office/finance/v/{code}/").context["chart_years"]}
    assert years[2023].chosen and years[2023].chart_code == "2023"


def test_it_refuses_a_cadre_choosing_the_chart_and_a_year_that_has_vouchers(cast: Cast, as_user: Any) -> None:
    services.chart_load(source=CHART_2023, by=cast.admin)
    code = cast.village_a.code
    assert (
        as_user(cast.cadre_a)
        .post(f"/office/finance/v/{code}/chart-year/", {"year": "2023", "chart": "2023"})
        .status_code
        == 403
    )
    assert (
        as_user(cast.cadre_b)
        .post(f"/office/finance/v/{code}/chart-year/", {"year": "2023", "chart": "2023"})
        .status_code
        == 404
    )
    assert services.chart_for(village_code=code, year=2023, create=False).code == "2004"
    services.voucher_record(
        village=cast.village_a, date=date(2023, 3, 1), summary="支付电费", entries=pay(1000), by=cast.cadre_a
    )
    # Posted from the books page, as a browser does (Referer): the refusal comes back there.
    books = f"http://testserver/office/finance/v/{code}/"
    page = as_user(cast.official).post(
        f"/office/finance/v/{code}/chart-year/", {"year": "2023", "chart": "2023"}, follow=True, HTTP_REFERER=books
    )
    assert page.redirect_chain == [(books, 303)]
    assert [m.level_tag for m in page.context["messages"]] == ["error"]
    assert services.chart_for(village_code=code, year=2023, create=False).code == "2004"


def test_it_sets_a_villages_chart_from_the_command_line(cast: Cast) -> None:
    from django.core.management import call_command

    services.chart_load(source=CHART_2023, by=cast.admin)
    call_command("finance", "chart", "set", cast.village_a.code, "2023", "2023")
    assert services.chart_for(village_code=cast.village_a.code, year=2023, create=False).code == "2023"
