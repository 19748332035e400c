"""The list Sunlit ships: Lianyuan's 10 major decisions, 3 daily-management items and
15 convenience services, every flow sound and every flowchart drawable."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from sunlit.accounts.models import Role
from sunlit.powers import flow as f
from sunlit.powers import loader, selectors
from sunlit.powers.models import PowerItem, PowerListVersion, PublishedItem, PublishedVersion
from sunlit.powers.services import default_source

pytestmark = pytest.mark.django_db

SOURCED_SERVICES = {"BM-01", "BM-02", "BM-03", "BM-04", "BM-05", "BM-06", "BM-07", "BM-08"}


@pytest.fixture(scope="module")
def parsed() -> loader.PowerList:
    return loader.parse(default_source())


def published(version: PowerListVersion) -> PublishedVersion:
    found = selectors.published_version(version.number)
    assert found is not None
    return found


def must(version: PowerListVersion, code: str) -> PublishedItem:
    found = selectors.item(published(version), code)
    assert found is not None
    return found


def reachable_ends(flow: f.Flow) -> dict[str, set[str]]:
    """For every step, the terminals it can reach."""
    ends: dict[str, set[str]] = {s.key: set() for s in flow.steps}
    changed = True
    while changed:
        changed = False
        for s in flow.steps:
            before = len(ends[s.key])
            for target in s.outcomes.values():
                ends[s.key] |= {target} if target in f.TERMINALS else ends[target]
            changed |= len(ends[s.key]) != before
    return ends


class TestDefaultList:
    def test_it_loads_with_10_major_3_daily_15_service_items(self, default_list: PowerListVersion) -> None:
        counts = Counter(default_list.items.values_list("category", flat=True))
        assert counts == {"major": 10, "daily": 3, "service": 15}
        codes = list(default_list.items.order_by("position").values_list("code", flat=True))
        assert codes == (
            [f"ZD-{n:02d}" for n in range(1, 11)]
            + [f"RC-{n:02d}" for n in range(1, 4)]
            + [f"BM-{n:02d}" for n in range(1, 16)]
        )
        assert default_list.is_current and default_list.number == 1

    def test_it_marks_the_services_the_sources_do_not_name_as_local(self, parsed: loader.PowerList) -> None:
        local = {i.code for i in parsed.items if i.local}
        assert local == {f"BM-{n:02d}" for n in range(9, 16)}
        assert not local & SOURCED_SERVICES

    def test_it_names_the_items_of_domain_section_3(self, parsed: loader.PowerList) -> None:
        names = " ".join(i.name_zh for i in parsed.items)
        for word in (
            "村级工程项目建设",
            "集体资产资源处置",
            "物资和服务采购",
            "征收款发放",
            "举债",
            "误工补贴",
            "收益使用",
            "一事一议",
            "土地承包",
            "宅基地使用方案",
            "村务公开",
            "财务公开",
            "印章",
            "低保",
            "小额信贷",
            "再生育",
            "宅基地审批",
            "户口",
            "建档立卡",
            "搬迁",
            "危房改造",
        ):
            assert word in names, word

    def test_every_item_has_its_fields(self, parsed: loader.PowerList) -> None:
        for i in parsed.items:
            assert i.name_zh and i.name_en and i.basis and i.exerciser and i.supervisor, i.code
            assert i.conditions and i.materials and i.fee == "不收费", i.code
            assert 2 <= len(i.risks) <= 4, i.code
            assert all(r.point and r.measure for r in i.risks), i.code
            assert i.extra["exerciser_en"] and i.extra["supervisor_en"], i.code
            # The time limit is the sum of the steps' limits: nothing hidden between steps.
            assert i.time_limit_days == sum(s.days for s in i.flow.steps), i.code
            assert re.search(r"《.+》", i.basis), i.code

    def test_every_major_decision_runs_siyi_liang_gongkai_and_ends_with_the_result_disclosure(
        self, parsed: loader.PowerList
    ) -> None:
        for i in parsed.items:
            keys = [s.key for s in i.flow.steps]
            if i.category == "major":
                assert keys[:5] == ["sy.propose", "sy.deliberate", "sy.review", "sy.resolve", "sy.announce"], i.code
                assert keys[-1] == "sy.result", i.code
                assert i.flow.step("sy.result").publicity_days >= 7
                # Every way to the end passes the result disclosure.
                assert [s.key for s in i.flow.steps if f.APPROVED in s.outcomes.values()] == ["sy.result"], i.code
            else:
                assert not any(k.startswith("sy.") for k in keys), i.code

    def test_the_meeting_steps_name_their_bodies(self, parsed: loader.PowerList) -> None:
        zd01 = next(i for i in parsed.items if i.code == "ZD-01").flow
        assert [zd01.step(k).meeting for k in ("sy.deliberate", "sy.review", "sy.resolve")] == [
            "committees",
            "party_members",
            "representatives",
        ]
        assert "attendance" in zd01.step("sy.review").records and "votes" in zd01.step("sy.review").records
        by_code = {i.code: i.flow for i in parsed.items}
        assert by_code["ZD-08"].step("sy.resolve").meeting == "villagers"
        assert by_code["ZD-09"].step("sy.resolve").meeting == "representatives_two_thirds"

    def test_every_flow_compiles_and_every_step_reaches_an_end(self, parsed: loader.PowerList) -> None:
        for i in parsed.items:
            keys = [s.key for s in i.flow.steps]
            assert len(keys) == len(set(keys)), i.code
            ends = reachable_ends(i.flow)
            assert f.APPROVED in ends[keys[0]], i.code
            for s in i.flow.steps:
                assert ends[s.key], (i.code, s.key)
                assert s.role in Role.values and s.level in f.LEVELS, (i.code, s.key)
                assert s.meeting is None or s.meeting in parsed.meetings, (i.code, s.key)
                if s.role in ("cadre", "supervisor"):
                    assert s.level == "village", (i.code, s.key)
                for outcome, target in s.outcomes.items():
                    assert target in f.TERMINALS or target in keys, (i.code, s.key, target)
                    if outcome == f.OUTCOME_RETURN:
                        assert keys.index(target) < keys.index(s.key), (i.code, s.key)

    def test_the_dibao_flow_follows_the_rules(self, parsed: loader.PowerList) -> None:
        dibao = next(i for i in parsed.items if i.code == "BM-01").flow
        assert [(s.level, s.days, s.publicity_days) for s in dibao.steps] == [
            ("village", 3, 0),
            ("village", 10, 0),
            ("village", 7, 7),
            ("township", 15, 0),
            ("county", 10, 0),
            ("village", 7, 7),
        ]
        assert dibao.step("county_approval").role == "township_official"
        assert dibao.step("county_approval").approval

    def test_the_meeting_rules_follow_the_law(self, parsed: loader.PowerList) -> None:
        villagers = parsed.meetings["villagers"]
        # More than half of 100 adults, or two thirds of 30 households.
        assert not villagers.quorum_met(expected=100, present=50)
        assert villagers.quorum_met(expected=100, present=51)
        assert villagers.quorum_met(expected=100, present=40, households_expected=30, households_present=20)
        assert not villagers.quorum_met(expected=100, present=40, households_expected=30, households_present=19)
        assert villagers.passed(26, expected=100, present=51) and not villagers.passed(25, expected=100, present=50)
        reps = parsed.meetings["representatives"]
        assert reps.quorum_met(expected=30, present=20) and not reps.quorum_met(expected=30, present=19)
        party = parsed.meetings["party_members"]
        assert party.quorum_met(expected=30, present=20) and not party.passed(15, expected=30, present=30)
        assert parsed.meetings["representatives_two_thirds"].passed(20, expected=30, present=20)

    def test_the_stored_items_give_back_the_parsed_items(
        self, default_list: PowerListVersion, parsed: loader.PowerList
    ) -> None:
        stored = {i.code: i.as_item() for i in PowerItem.objects.filter(version=default_list)}
        for i in parsed.items:
            assert stored[i.code] == i, i.code
        assert default_list.meeting_rules() == parsed.meetings


class TestFlowcharts:
    def test_every_item_has_a_flowchart(self, default_list: PowerListVersion) -> None:
        for i in selectors.items(published(default_list), all_townships=True):
            text = selectors.flowchart_mermaid(i)
            steps = i.get_flow().steps
            assert text.startswith("flowchart TD\n"), i.code
            for n, s in enumerate(steps, start=1):
                assert f"s{n}" in text and selectors._label(f"{n}. {s.name_en}") in text, (i.code, s.key)
            assert 'done(["Approved / done"])' in text
            # Every edge points at a declared node.
            nodes = set(re.findall(r"^\s+(\w+)[\[\(]", text, re.M))
            for source, target in re.findall(r"^\s+(\w+) -\.?->\|[^|]*\| (\w+)$", text, re.M):
                assert source in nodes and target in nodes, (i.code, source, target)

    def test_publicity_steps_look_different_and_returns_are_dashed(self, default_list: PowerListVersion) -> None:
        text = selectors.flowchart_mermaid(must(default_list, "BM-01"))
        assert 's3[/"3. Posted in the village' in text
        assert "class s3,s6 publicity" in text
        assert 's3 -.->|"return"| s2' in text
        assert 's2 -->|"reject"| refused' in text

    def test_the_sub_flow_is_drawn_as_one_box(self, default_list: PowerListVersion) -> None:
        text = selectors.flowchart_mermaid(must(default_list, "ZD-01"))
        assert 'subgraph g1["four deliberations, two disclosures"]' in text

    def test_it_labels_edges_in_the_current_language(self, default_list: PowerListVersion) -> None:
        from django.utils import translation

        with translation.override("zh-hans"):
            text = selectors.flowchart_mermaid(must(default_list, "BM-01"))
        assert '-->|"通过"|' in text and '-.->|"退回"|' in text and "1. 受理申请" in text

    def test_it_keeps_names_from_breaking_out_of_their_nodes(self) -> None:
        step = f.Step(
            key="a",
            name_zh='x"]; click a href "javascript:alert(1)" <b>',
            name_en="",
            role="cadre",
            level="village",
            days=1,
            outcomes={"approve": f.APPROVED},
        )
        item = f.Item(
            code="X-1",
            name_zh="x",
            name_en="x",
            category="service",
            basis="",
            exerciser="",
            supervisor="",
            conditions=(),
            materials=(),
            time_limit_days=1,
            fee="",
            risks=(),
            flow=f.Flow(steps=(step,)),
        )
        from django.utils import translation

        with translation.override("zh-hans"):
            text = selectors.flowchart_mermaid(item)
        line = next(x for x in text.splitlines() if x.strip().startswith("s1"))
        assert '"' not in line[len('  s1["') : -2]
        assert "<b>" not in text and "#34;" in text and "#60;b#62;" in text
