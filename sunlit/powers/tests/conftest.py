"""Small power lists for the tests: a text one whose lines the bad-input tests point
at, and a builder for revised lists."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml
from django.utils import translation

from sunlit.powers.models import PowerListVersion
from sunlit.powers.services import default_source, powers_load

MINI = """\
format: 1
label: 测试清单
meetings:
  representatives:
    name_zh: 村民代表会议
    name_en: representatives' meeting
    quorum:
      - {at_least: 2/3, of: expected}
    passes: {more_than: 1/2, of: present}
attachment_kinds:
  photo: {name_zh: 照片, name_en: photo}
subflows:
  siyi:
    name_zh: 四议两公开
    name_en: four deliberations, two disclosures
    prefix: sy
    required_for: [major]
    steps:
      - {key: propose, name_zh: 提议, name_en: Proposed, role: cadre, level: village, days: 5}
      - {key: resolve, name_zh: 决议, name_en: Resolved, role: cadre, level: village, days: 5, meeting: representatives, outcomes: {return: propose}}
    final:
      - {key: result, name_zh: 结果公开, name_en: Result posted, role: cadre, level: village, days: 7, publicity_days: 7, outcomes: {reject: ~}}
item_defaults:
  fee: 不收费
items:
  - code: ZD-01
    name_zh: 工程项目
    name_en: Projects
    category: major
    basis: 《中华人民共和国村民委员会组织法》
    exerciser: 村民委员会
    supervisor: 村务监督委员会
    conditions: [列入计划]
    materials: [实施方案]
    time_limit_days: 22
    risks:
      - {point: 拆分项目, measure: 累计预警}
    flow:
      - include: siyi
      - key: review
        name_zh: 乡镇审核
        name_en: Township review
        role: township_official
        level: township
        days: 5
        approval: true
        outcomes: {return: sy.resolve}
  - code: BM-01
    name_zh: 低保
    name_en: Dibao
    category: service
    needs_applicant: true
    basis: 《社会救助暂行办法》
    exerciser: 村民委员会
    supervisor: 村务监督委员会
    conditions: [家庭困难]
    materials: [申请书]
    time_limit_days: 20
    risks:
      - {point: 人情保, measure: 公示}
    flow:
      - {key: apply, name_zh: 申请, name_en: Applied, role: cadre, level: village, days: 3, outcomes: {reject: ~}}
      - {key: notice, name_zh: 公示, name_en: Posted, role: cadre, level: village, days: 7, publicity_days: 7, attachments: [photo]}
      - {key: county, name_zh: 县级审批, name_en: County approves, role: township_official, level: county, days: 10, approval: true, outcomes: {return: apply}}
"""


def mutate(old: str, new: str, source: str = MINI) -> str:
    assert source.count(old) == 1, f"{old!r} occurs {source.count(old)} times"
    return source.replace(old, new)


def line_of(needle: str, source: str) -> int:
    """The 1-based line where `needle` first occurs."""
    index = source.index(needle)
    return source.count("\n", 0, index) + 1


def step(
    key: str, name: str, role: str = "cadre", level: str = "village", days: int = 5, **more: Any
) -> dict[str, Any]:
    return {"key": key, "name_zh": name, "name_en": key.title(), "role": role, "level": level, "days": days, **more}


def service(code: str, name_zh: str, name_en: str, **more: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "category": "service",
        "basis": "《社会救助暂行办法》",
        "exerciser": "村民委员会",
        "supervisor": "村务监督委员会",
        "conditions": ["符合条件"],
        "materials": ["申请书"],
        "time_limit_days": 17,
        "risks": [{"point": "优亲厚友", "measure": "公示"}],
        "flow": [
            step("apply", "申请", days=3, outcomes={"reject": None}),
            step("notice", "公示", days=7, publicity_days=7),
            step("review", "乡镇审核", role="township_official", level="township", days=7, approval=True),
        ],
    }
    item.update(more)
    return item


def as_yaml(items: list[dict[str, Any]], label: str = "测试清单") -> str:
    data = yaml.safe_load(MINI)
    data["label"] = label
    data["items"] = copy.deepcopy(items)
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))


@pytest.fixture(autouse=True)
def english_by_default() -> Any:
    # Messages are asserted in English; the zh-hans tests switch explicitly.
    with translation.override("en"):
        yield


@pytest.fixture
def default_list(regions: Any) -> PowerListVersion:
    # With the regions: the list is published on the county's chain, where the pages read it.
    return powers_load(source=default_source(), label="", by=None)
