"""Revising the list: a new version, what changed, and the old version still readable."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from sunlit.audit.models import AuditEvent
from sunlit.conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast
from sunlit.lib.errors import NotPermitted
from sunlit.powers import selectors
from sunlit.powers.models import PowerListVersion, PublishedVersion
from sunlit.powers.services import default_source, powers_load
from sunlit.powers.tests.conftest import as_yaml, service, step
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db

V1 = [
    service("BM-01", "低保", "Dibao"),
    service("BM-02", "临时救助", "Temporary assistance"),
    service("BM-03", "医疗救助", "Medical assistance"),
    service("BM-04", "证明出具", "Certificates"),
    service("BM-05", "残疾人补贴", "Disability subsidies"),
    service("BM-06", "计生奖扶", "Family-planning rewards"),
    service("TS-01", "茶园管护", "Tea garden care", township=TOWNSHIP_A),
]


def revised() -> list[dict[str, Any]]:
    items = copy.deepcopy(V1)
    by_code = {i["code"]: i for i in items}
    # Renamed: same code, new name.
    by_code["BM-04"]["name_zh"] = "村级证明出具"
    by_code["BM-04"]["name_en"] = "Certificates issued by the village"
    # Flow changed: a longer publicity period.
    by_code["BM-01"]["flow"][1] = step("notice", "公示", days=10, publicity_days=10)
    by_code["BM-01"]["time_limit_days"] = 20
    # Another field changed.
    by_code["BM-06"]["supervisor"] = "村务监督委员会、乡镇纪委"
    # Merged: temporary and medical assistance become one item.
    merged = service("BM-07", "临时救助和医疗救助", "Temporary and medical assistance", replaces=["BM-02", "BM-03"])
    # Removed: disability subsidies; added: a new service.
    items = [i for i in items if i["code"] not in ("BM-02", "BM-03", "BM-05")]
    items.insert(1, merged)
    items.append(service("BM-08", "土地流转", "Land transfer"))
    return items


def published(version: PowerListVersion) -> PublishedVersion:
    found = selectors.published_version(version.number)
    assert found is not None
    return found


@pytest.fixture
def two_versions(regions: Any) -> tuple[PowerListVersion, PowerListVersion]:
    v1 = powers_load(source=as_yaml(V1, "第一版"), label="", by=None)
    v2 = powers_load(source=as_yaml(revised(), "第二版"), label="2025 年修订", by=None)
    return v1, v2


class TestLoad:
    def test_it_loads_a_revision_as_the_next_version(self, two_versions: Any) -> None:
        v1, v2 = two_versions
        v1.refresh_from_db()
        assert (v1.number, v2.number) == (1, 2)
        assert not v1.is_current and v2.is_current
        assert selectors.current_version() == v2
        current = selectors.published_current()
        assert current is not None and current.number == v2.number
        assert v2.label == "2025 年修订" and v1.label == "第一版"

    def test_the_old_version_stays_readable(self, two_versions: Any) -> None:
        v1, _v2 = two_versions
        old = selectors.item(published(v1), "BM-03")
        assert old is not None and old.name_zh == "医疗救助"
        assert old.get_flow().step("notice").publicity_days == 7
        dibao = selectors.item(published(v1), "BM-01")
        assert dibao is not None and dibao.get_flow().step("notice").publicity_days == 7
        assert v1.items.count() == 7

    def test_loading_the_same_file_again_changes_nothing(self, regions: Any) -> None:
        source = as_yaml(V1)
        first = powers_load(source=source, label="", by=None)
        events = AuditEvent.objects.count()
        again = powers_load(source=source, label="other label", by=None)
        assert again.pk == first.pk
        assert PowerListVersion.objects.count() == 1
        assert AuditEvent.objects.count() == events

    def test_going_back_to_an_old_file_is_a_new_version(self, two_versions: Any) -> None:
        back = powers_load(source=as_yaml(V1, "第一版"), label="", by=None)
        assert back.number == 3 and back.is_current
        assert back.sha256 == PowerListVersion.objects.get(number=1).sha256

    def test_it_publishes_each_version_on_the_county_chain(self, two_versions: Any) -> None:
        _v1, v2 = two_versions
        entries = Entry.objects.filter(kind="powers.version").order_by("seq")
        assert [e.ref for e in entries] == ["431382000000/v1", "431382000000/v2"]
        last = entries.last()
        assert last is not None
        snapshot = last.snapshot
        assert snapshot["sha256"] == v2.sha256 and snapshot["number"] == 2
        assert snapshot["counts"] == {"major": 0, "daily": 0, "service": 6}
        tea = next(i for i in snapshot["items"] if i["code"] == "TS-01")
        assert {k: tea[k] for k in ("name_zh", "name_en", "category", "township", "local")} == {
            "name_zh": "茶园管护",
            "name_en": "Tea garden care",
            "category": "service",
            "township": TOWNSHIP_A,
            "local": False,
        }
        # The whole item as the pages show it: its flow and risk points too.
        assert tea["flow"]["steps"][1]["publicity_days"] == 7 and tea["risks"][0]["point"] == "优亲厚友"

    def test_it_audits_the_load(self, cast: Cast) -> None:
        version = powers_load(source=default_source(), label="", by=cast.admin)
        event = AuditEvent.objects.get(action="powers.load")
        assert event.actor == cast.admin and event.object_id == str(version.pk)
        assert event.detail["items"] == 28 and event.detail["sha256"] == version.sha256
        assert version.loaded_by == cast.admin

    def test_an_administrator_may_load_and_nobody_else(self, cast: Cast) -> None:
        for user in (cast.cadre_a, cast.supervisor_a, cast.official, cast.inspector, cast.operator):
            with pytest.raises(NotPermitted):
                powers_load(source=default_source(), label="", by=user)
        assert not PowerListVersion.objects.exists()
        assert powers_load(source=default_source(), label="", by=cast.admin).number == 1


class TestDiff:
    def test_it_names_each_change(self, two_versions: Any) -> None:
        v1, v2 = two_versions
        diff = selectors.version_diff(published(v1), published(v2))
        assert [i.code for i in diff.added] == ["BM-08"]
        assert [i.code for i in diff.removed] == ["BM-05"]
        assert [(c.old.name_zh, c.new.name_zh) for c in diff.renamed] == [("证明出具", "村级证明出具")]
        assert [(m.new.code, [o.code for o in m.old]) for m in diff.merged] == [("BM-07", ["BM-02", "BM-03"])]
        assert not diff.recoded
        assert [c.new.code for c in diff.flow_changed] == ["BM-01"]
        changed = {c.new.code: c.fields for c in diff.fields_changed}
        assert changed == {"BM-01": ["time limit"], "BM-06": ["supervised by"]}
        assert not diff.empty

    def test_a_single_replacement_is_a_renumbering(self, regions: Any) -> None:
        v1 = powers_load(source=as_yaml(V1), label="", by=None)
        items = copy.deepcopy(V1)
        items[1] = dict(items[1], code="BM-12", replaces=["BM-02"])
        v2 = powers_load(source=as_yaml(items), label="", by=None)
        diff = selectors.version_diff(published(v1), published(v2))
        assert [(m.new.code, [o.code for o in m.old]) for m in diff.recoded] == [("BM-12", ["BM-02"])]
        assert not diff.added and not diff.removed and not diff.merged

    def test_it_finds_nothing_between_a_version_and_its_revert(self, two_versions: Any) -> None:
        v1, _v2 = two_versions
        v3 = powers_load(source=as_yaml(V1, "第一版"), label="", by=None)
        assert selectors.version_diff(published(v1), published(v3)).empty

    def test_it_takes_two_queries(self, two_versions: Any, django_assert_num_queries: Any) -> None:
        a, b = (published(v) for v in two_versions)
        with django_assert_num_queries(2):
            selectors.version_diff(a, b)


class TestTownshipItems:
    def test_they_apply_only_in_their_township(self, two_versions: Any) -> None:
        assert "TS-01" in [i.code for i in selectors.items_for_village(VILLAGE_A)]
        assert "TS-01" in [i.code for i in selectors.items_for_village(VILLAGE_B)]
        assert "TS-01" not in [i.code for i in selectors.items_for_village(VILLAGE_C)]
        _v1, v2 = two_versions
        assert "TS-01" not in [i.code for i in selectors.items(published(v2))]
        assert "TS-01" in [i.code for i in selectors.items(published(v2), township=TOWNSHIP_A)]
        assert "TS-01" not in [i.code for i in selectors.items(published(v2), township=TOWNSHIP_B)]
        assert [t.code for t in selectors.townships_with_own_items(published(v2))] == [TOWNSHIP_A]

    def test_a_non_village_code_has_no_items(self, two_versions: Any) -> None:
        assert selectors.items_for_village(TOWNSHIP_A) == []
        assert selectors.items_for_village("nonsense") == []

    def test_a_villages_list_is_one_query_after_the_version(
        self, two_versions: Any, django_assert_num_queries: Any
    ) -> None:
        with django_assert_num_queries(2):
            found = selectors.items_for_village(VILLAGE_A)
            assert [i.township.name for i in found if i.township] == ["六亩塘镇"]
