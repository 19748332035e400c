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
    "101": "现金", "102": "银行存款", "111": "短期投资", "112": "应收款", "113": "内部往来", "121": "库存物资",
    "131": "牲畜(禽)资产", "132": "林木资产", "141": "长期投资", "151": "固定资产", "152": "累计折旧",
    "153": "固定资产清理", "154": "在建工程", "201": "短期借款", "202": "应付款", "211": "应付工资",
    "212": "应付福利费", "221": "长期借款及应付款", "231": "一事一议资金", "301": "资本", "311": "公积公益金",
    "321": "本年收益", "322": "收益分配", "401": "生产(劳务)成本", "501": "经营收入", "502": "经营支出",
    "511": "发包及上交收入", "521": "农业税附加返还收入", "522": "补助收入", "531": "其他收入", "541": "管理费用",
    "551": "其他支出", "561": "投资收益",
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
    services.voucher_record(village=cast.village_a, date=date(2024, 3, 5), summary="x", entries=pay(1, expense="513"),
                            by=cast.official)
    with pytest.raises(InvalidInput, match="already has vouchers"):
        services.fiscal_year_set(village=cast.village_a, year=2024, chart_code="2004", by=cast.official)


def test_it_refuses_setting_the_chart_of_another_township(cast: Cast) -> None:
    with pytest.raises(NotPermitted):
        services.fiscal_year_set(village=cast.village_c, year=2026, chart_code="2004", by=cast.official)
