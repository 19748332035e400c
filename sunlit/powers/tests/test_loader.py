"""A bad list file is refused whole: every problem named with its line, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.audit.models import AuditEvent
from sunlit.conftest import TOWNSHIP_A
from sunlit.lib.errors import InvalidInput
from sunlit.powers import loader
from sunlit.powers.models import PowerItem, PowerListVersion
from sunlit.powers.services import powers_load
from sunlit.powers.tests.conftest import MINI, line_of, mutate
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db

ITEM_B = "  - code: BM-01\n"

# (what to change, into what, where the problem is reported, what the message says)
BAD: list[tuple[str, str, str, str, str]] = [
    (
        "unknown_role",
        "role: township_official, level: county",
        "role: mayor, level: county",
        "role: mayor",
        "item BM-01, step county: unknown role 'mayor' (expected one of: cadre, supervisor, township_official",
    ),
    (
        "unknown_level",
        "role: township_official, level: county",
        "role: township_official, level: province",
        "level: province",
        "unknown level 'province'",
    ),
    (
        "unknown_category",
        "category: service",
        "category: services",
        "category: services",
        "item BM-01: unknown category 'services' (expected one of: major, daily, service)",
    ),
    (
        "unknown_meeting",
        "meeting: representatives",
        "meeting: assembly",
        "meeting: assembly",
        "sub-flow siyi, step resolve: unknown meeting 'assembly' (declared: representatives)",
    ),
    (
        "unknown_record_kind",
        "approval: true, outcomes: {return: apply}",
        "approval: true, records: [minutes, signature], outcomes: {return: apply}",
        "records: [minutes, signature]",
        "unknown record kind 'signature'",
    ),
    (
        "unknown_attachment_kind",
        "attachments: [photo]",
        "attachments: [photo, video]",
        "attachments: [photo, video]",
        "unknown attachment kind 'video'",
    ),
    (
        "no_way_out",
        "{key: apply, name_zh: 申请, name_en: Applied, role: cadre, level: village, days: 3, outcomes: {reject: ~}}",
        "{key: apply, name_zh: 申请, name_en: Applied, role: cadre, level: village, days: 3, outcomes: {reject: ~, approve: ~}}",
        "{key: apply,",
        "step apply has no way out",
    ),
    (
        "missing_subflow",
        "      - include: siyi\n",
        "      - include: siyi_liang\n",
        "include: siyi_liang",
        "unknown sub-flow 'siyi_liang' (declared: siyi)",
    ),
    (
        "duplicate_code",
        ITEM_B,
        "  - code: ZD-01\n",
        "  - code: ZD-01\n    name_zh: 低保",
        "item ZD-01: duplicate item code (first at line 26)",
    ),
    (
        "duplicate_step_key",
        "{key: county,",
        "{key: notice,",
        "{key: notice, name_zh: 县级审批",
        "duplicate step key 'notice' (first at line",
    ),
    (
        "string_for_number",
        "time_limit_days: 20",
        "time_limit_days: 二十",
        "time_limit_days: 二十",
        "time_limit_days must be a whole number, not text",
    ),
    (
        "flag_for_number",
        "days: 3, outcomes",
        "days: true, outcomes",
        "days: true",
        "days must be a whole number, not true/false",
    ),
    (
        "text_for_flag",
        "needs_applicant: true",
        "needs_applicant: 是",
        "needs_applicant: 是",
        "needs_applicant must be true or false, not text",
    ),
    (
        "mapping_for_list",
        "conditions: [家庭困难]",
        "conditions: {a: 家庭困难}",
        "conditions: {a: 家庭困难}",
        "conditions must be a list of texts, not a mapping",
    ),
    (
        "return_to_a_later_step",
        "days: 3, outcomes: {reject: ~}}",
        "days: 3, outcomes: {reject: ~, return: county}}",
        "{key: apply,",
        "step apply: return must go back to an earlier step; county comes later",
    ),
    (
        "unknown_target",
        "outcomes: {return: sy.resolve}",
        "outcomes: {return: sy.decide}",
        "outcomes: {return: sy.decide}",
        "step review: return leads to unknown step 'sy.decide'",
    ),
    (
        "unknown_township",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    township: '431382109000'\n",
        "township: '431382109000'",
        "township 431382109000 is not stored: import the regions first",
    ),
    (
        "not_a_township",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    township: '431382101201'\n",
        "township: '431382101201'",
        "'431382101201' is not a township code",
    ),
    (
        "yaml_syntax",
        "    materials: [申请书]\n",
        "    materials: [申请书\n",
        "    time_limit_days: 20\n    risks:\n      - {point: 人情保",
        "YAML syntax error",
    ),
    (
        "duplicate_mapping_key",
        "    name_en: Dibao\n",
        "    name_en: Dibao\n    name_en: Dibao2\n",
        "name_en: Dibao2",
        "name_en appears twice in the same mapping",
    ),
    ("unknown_field", "time_limit_days: 20", "time_limit: 20", "time_limit: 20", "unknown field 'time_limit'"),
    (
        "major_without_subflow",
        "      - include: siyi\n",
        "",
        "    flow:\n      - key: review",
        "a major item must include the sub-flow siyi",
    ),
    (
        "publicity_longer_than_the_step",
        "days: 7, publicity_days: 7, attachments",
        "days: 5, publicity_days: 7, attachments",
        "{key: notice,",
        "is shorter than its publicity period (7 days)",
    ),
    (
        "cadre_above_the_village",
        "role: township_official, level: county",
        "role: cadre, level: county",
        "{key: county,",
        "a cadre acts only at village level, not county",
    ),
    (
        "unknown_kind_of_record",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    authorises: [finance.expense]\n",
        "authorises: [finance.expense]",
        "item BM-01: authorises: unknown kind of record 'finance.expense' "
        "(known: finance.voucher, projects.project, welfare.payment:<programme>)",
    ),
    (
        "kind_of_record_without_its_qualifier",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    authorises: [welfare.payment]\n",
        "authorises: [welfare.payment]",
        "item BM-01: authorises: 'welfare.payment': welfare.payment names its programme after a colon "
        "(welfare.payment:<programme>)",
    ),
    (
        "kind_of_record_with_a_qualifier_it_does_not_take",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    authorises: ['finance.voucher:dibao']\n",
        "authorises: ['finance.voucher:dibao']",
        "item BM-01: authorises: finance.voucher takes nothing after a colon ('finance.voucher:dibao')",
    ),
    (
        "kind_of_record_twice",
        "    needs_applicant: true\n",
        "    needs_applicant: true\n    authorises: [finance.voucher, finance.voucher]\n",
        "authorises: [finance.voucher, finance.voucher]",
        "item BM-01: authorises names a kind of record twice",
    ),
    (
        "kind_of_record_as_a_default",
        "  fee: 不收费\n",
        "  fee: 不收费\n  authorises: [finance.voucher]\n",
        "  authorises: [finance.voucher]",
        "'authorises' cannot be given a default",
    ),
    (
        "quorum_of_present",
        "- {at_least: 2/3, of: expected}",
        "- {at_least: 2/3, of: present}",
        "of: present}",
        "a quorum is counted against those expected",
    ),
    (
        "fraction_as_decimal",
        "passes: {more_than: 1/2, of: present}",
        "passes: {more_than: 0.5, of: present}",
        "passes: {more_than: 0.5",
        "more_than must be a fraction such as 1/2 or 2/3, not 0.5",
    ),
]


@pytest.mark.parametrize(("old", "new", "at", "message"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_it_refuses_the_file_naming_the_problem_and_its_line(
    regions: Any, old: str, new: str, at: str, message: str
) -> None:
    source = mutate(old, new)
    with pytest.raises(InvalidInput) as e:
        powers_load(source=source, label="bad", by=None)
    line = line_of(at, source)
    assert any(p.startswith(f"line {line}: ") and message in p for p in e.value.message.splitlines()), (
        f"expected line {line}: …{message}… in:\n{e.value.message}"
    )
    assert not PowerListVersion.objects.exists()
    assert not PowerItem.objects.exists()
    assert not Entry.objects.filter(kind="powers.version").exists()
    assert not AuditEvent.objects.filter(action="powers.load").exists()


def test_it_accepts_the_small_list_it_mutates(regions: Any) -> None:
    version = powers_load(source=MINI, label="", by=None)
    assert list(version.items.values_list("code", flat=True)) == ["ZD-01", "BM-01"]
    assert version.label == "测试清单"


def test_it_names_every_problem_at_once_in_line_order() -> None:
    source = mutate("role: township_official, level: county", "role: mayor, level: county")
    source = mutate("category: service", "category: services", source)
    source = mutate("time_limit_days: 22", "time_limit_days: 很久", source)
    with pytest.raises(InvalidInput) as e:
        loader.parse(source)
    problems = e.value.message.splitlines()
    assert len(problems) == 3
    lines = [int(p.split(":")[0].removeprefix("line ")) for p in problems]
    assert lines == sorted(lines)
    assert lines == [
        line_of("time_limit_days: 很久", source),
        line_of("category: services", source),
        line_of("role: mayor", source),
    ]


def test_a_township_item_needs_its_township_stored(regions: Any) -> None:
    source = mutate("    needs_applicant: true\n", f"    needs_applicant: true\n    township: '{TOWNSHIP_A}'\n")
    version = powers_load(source=source, label="", by=None)
    assert version.items.get(code="BM-01").township_id == TOWNSHIP_A


def test_a_loop_with_no_exit_is_named_at_each_step_caught_in_it(regions: Any) -> None:
    source = mutate(
        "publicity_days: 7, attachments: [photo]}", "publicity_days: 7, attachments: [photo], outcomes: {reject: ~}}"
    )
    source = mutate(
        "days: 10, approval: true, outcomes: {return: apply}",
        "days: 10, approval: true, outcomes: {approve: notice, reject: ~, return: apply}",
        source,
    )
    with pytest.raises(InvalidInput) as e:
        powers_load(source=source, label="", by=None)
    problems = e.value.message.splitlines()
    for key in ("apply", "notice", "county"):
        line = line_of(f"{{key: {key},", source)
        assert (
            f"line {line}: item BM-01: step {key} can never reach an end (@approved or @rejected): "
            "it is caught in a loop with no exit"
        ) in problems
    assert not PowerListVersion.objects.exists()


def test_a_return_may_not_point_at_an_end() -> None:
    source = mutate("outcomes: {return: sy.resolve}", "outcomes: {return: '@rejected'}")
    with pytest.raises(InvalidInput, match="return must go back to an earlier step, not @rejected"):
        loader.parse(source)


def test_an_unreachable_step_is_a_problem() -> None:
    source = mutate("days: 3, outcomes: {reject: ~}}", "days: 3, outcomes: {approve: county, reject: ~}}")
    with pytest.raises(InvalidInput, match="step notice can never be reached from the first step"):
        loader.parse(source)


def test_replacing_an_item_that_stays_is_a_problem() -> None:
    source = mutate("    needs_applicant: true\n", "    needs_applicant: true\n    replaces: [ZD-01]\n")
    with pytest.raises(InvalidInput, match="replaces ZD-01, but ZD-01 is still in the list"):
        loader.parse(source)


def test_overrides_change_an_included_step_for_one_item() -> None:
    source = mutate(
        "      - include: siyi\n",
        "      - include: siyi\n        overrides:\n          resolve: {meeting: representatives, days: 9}\n",
    )
    item = loader.parse(source).items[0]
    resolve = item.flow.step("sy.resolve")
    assert resolve.days == 9 and resolve.meeting == "representatives"
    assert {"attendance", "votes"} <= set(resolve.records)
    bad = mutate("      - include: siyi\n", "      - include: siyi\n        overrides:\n          decide: {days: 9}\n")
    with pytest.raises(InvalidInput, match="overrides: sub-flow siyi has no step 'decide'"):
        loader.parse(bad)


def test_the_final_steps_of_a_sub_flow_close_every_approved_path() -> None:
    steps = loader.parse(MINI).items[0].flow.steps
    assert [s.key for s in steps] == ["sy.propose", "sy.resolve", "review", "sy.result"]
    assert steps[1].outcomes == {"approve": "review", "reject": "@rejected", "return": "sy.propose"}
    assert steps[2].outcomes["approve"] == "sy.result"
    assert steps[3].outcomes == {"approve": "@approved"}
    assert steps[0].subflow == "siyi" and steps[2].subflow is None


def test_an_empty_or_scalar_file_is_refused() -> None:
    with pytest.raises(InvalidInput, match="line 1: the file must be a mapping"):
        loader.parse("just words\n")


def test_it_stores_what_each_item_authorises_and_publishes_it(regions: Any) -> None:
    source = mutate(
        "    category: major\n", "    category: major\n    authorises: [finance.voucher, projects.project]\n"
    )
    source = mutate(
        "    needs_applicant: true\n", "    needs_applicant: true\n    authorises: [welfare.payment:dibao]\n", source
    )
    version = powers_load(source=source, label="", by=None)
    zd, bm = version.items.get(code="ZD-01"), version.items.get(code="BM-01")
    assert zd.authorises == ["finance.voucher", "projects.project"]
    assert bm.authorises == ["welfare.payment:dibao"]
    assert bm.may_authorise("welfare.payment:dibao") and not bm.may_authorise("welfare.payment:tekun")
    assert zd.as_item().extra["authorises"] == ["finance.voucher", "projects.project"]
    snapshot = Entry.objects.get(kind="powers.version").snapshot
    assert [i["authorises"] for i in snapshot["items"]] == [zd.authorises, bm.authorises]


def test_an_item_that_says_nothing_authorises_nothing() -> None:
    assert [i.extra["authorises"] for i in loader.parse(MINI).items] == [[], []]


def test_it_names_each_unknown_kind_of_record_in_chinese(regions: Any) -> None:
    from django.utils import translation

    source = mutate("    needs_applicant: true\n", "    needs_applicant: true\n    authorises: [finance.expense]\n")
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as e:
        loader.parse(source)
    assert "finance.expense" in e.value.message and "未知的记录种类" in e.value.message


def test_it_gives_versions_loaded_before_the_field_what_the_code_then_allowed(regions: Any) -> None:
    import importlib

    from django.apps import apps

    migration = importlib.import_module("sunlit.powers.migrations.0002_item_authorises")
    version = powers_load(source=MINI, label="", by=None)
    migration.backfill(apps, None)
    kinds = dict(version.items.values_list("code", "authorises"))
    # Any approved case authorised a voucher; ZD-01 a project; BM-01 the programme naming it.
    assert kinds == {
        "ZD-01": ["finance.voucher", "projects.project"],
        "BM-01": ["finance.voucher", "welfare.payment:dibao"],
    }
