"""The import layout as a file to fill in (docs/formats/welfare-import.md)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from sunlit.lib import exports

HEADERS = [
    "村代码",
    "户号",
    "一卡通后四位",
    "姓名",
    "与户主关系",
    "身份证号",
    "状态",
    "状态日期",
    "项目",
    "期间",
    "金额",
    "发放日期",
    "发放方式",
    "审批事项编号",
]
# A public file: the example rows carry no ID number, only where it goes.
_ID = "（18位身份证号）"
ROWS = [
    ["431382101201", "0001", "1234", "张三", "户主", _ID, "正常", "", "", "", "", "", "", ""],
    ["431382101201", "0001", "", "李四", "配偶", _ID, "死亡", "2025-02-10", "", "", "", "", "", ""],
    ["431382101201", "0001", "", "", "", "", "", "", "低保", "2025-03", "650.00", "2025-03-10", "一卡通", ""],
    [
        "431382101201",
        "0001",
        "",
        "张三",
        "户主",
        _ID,
        "正常",
        "",
        "残疾人两项补贴",
        "2025-Q1",
        "270.00",
        "2025-03-20",
        "一卡通",
        "431382101201-2025-0003",
    ],
]


@require_GET
def import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    response = exports.response(fmt, HEADERS, ROWS, filename="welfare-import-template", title="户籍与发放")
    patch_cache_control(response, public=True, max_age=3600)
    return response
