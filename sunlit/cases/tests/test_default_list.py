"""Every item of the shipped list, walked end to end by the right people: the approve
path with every return for correction taken on the way, and every reject.

A meeting step's return is not taken by choice (a meeting decides by its vote; its
failed motion follows the reject), so meeting steps are covered by their reject."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sunlit.accounts.models import Role
from sunlit.cases.flows import item_of
from sunlit.cases.models import Case
from sunlit.cases.services import case_open
from sunlit.cases.tests.conftest import People, at
from sunlit.cases.tests.store import store_items
from sunlit.cases.tests.walker import complete, return_edges, walk_to_approval
from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, VILLAGE_C, make_user
from sunlit.powers.flow import REJECTED
from sunlit.powers.loader import parse
from sunlit.powers.services import default_source
from sunlit.transparency import selectors as tsel

pytestmark = pytest.mark.django_db

# Parsed once: the YAML takes longer to read than a whole walk. Stored per test the way
# powers_load stores it (flows and meeting rules as the version's JSON).
SHIPPED = parse(default_source(), townships=set())
CODES = [i.code for i in SHIPPED.items]


@pytest.fixture
def shipped(people: People) -> dict[str, Any]:
    return store_items(SHIPPED.items, SHIPPED.meetings)


def test_the_shipped_list_loads_and_matches_the_parsed_items(people: People) -> None:
    from sunlit.powers.services import powers_load

    version = powers_load(source=default_source(), by=None)
    assert [(i.code, i.as_item().flow) for i in version.items.order_by("position")] == [
        (i.code, i.flow) for i in SHIPPED.items
    ]
    assert version.meeting_rules() == SHIPPED.meetings


@pytest.fixture
def pool(people: People) -> list[Any]:
    """Enough people for the approval steps of any item (BM-04 has three at township level;
    RC-03 three cadres: the requester, the approver and the seal keeper)."""
    return [
        people.cadre_a,
        people.cadre_a2,
        make_user("cadre_a3", "王德明", Role.CADRE, VILLAGE_A),
        people.supervisor_a,
        make_user("supervisor_a2", "赵德明", Role.SUPERVISOR, VILLAGE_A),
        people.official,
        people.official2,
        make_user("official3", "谢军", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_A),
        people.county,
        make_user("county2", "彭丽", Role.TOWNSHIP_OFFICIAL, COUNTY),
        people.cadre_c,
    ]


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(at("2026-03-02 09:00"), tick=False) as t:
        yield t


def open_for(item: Any, people: People) -> Case:
    flow_item = item_of(item)
    village = VILLAGE_C if flow_item.township and not VILLAGE_A.startswith(flow_item.township[:9]) else VILLAGE_A
    opener = (
        people.official
        if flow_item.level == "township"
        else (people.cadre_c if village == VILLAGE_C else people.cadre_a)
    )
    return case_open(
        item=item,
        village_code=village,
        subject=f"{flow_item.name_zh}（测试）",
        by=opener,
        amount_fen=500_000 if flow_item.needs_amount else None,
        applicant_name="王小明" if flow_item.needs_applicant else "",
    )


def test_the_shipped_list_has_the_expected_items(shipped: dict[str, Any]) -> None:
    assert sorted(shipped) == sorted(CODES) and len(CODES) == 28


@pytest.mark.parametrize("code", CODES)
def test_it_walks_the_item_to_approval_taking_every_return(
    code: str, shipped: dict[str, Any], people: People, pool: list[Any], traveller: Any
) -> None:
    case = open_for(shipped[code], people)
    path = walk_to_approval(case, pool, traveller)
    case.refresh_from_db()
    assert case.state == "approved"
    taken = {(step, target) for step, outcome, target in path if outcome == "return"}
    assert taken == return_edges(case)
    # Every flow step was completed at least once, in an order the flow allows.
    assert {s.key for s in item_of(case.item).flow.steps} <= {step for step, _o, _t in path}
    snapshot = tsel.current("case", case.number)
    assert snapshot is not None and snapshot.snapshot["state"] == "approved"


@pytest.mark.parametrize("code", CODES)
def test_it_follows_every_reject_of_the_item(
    code: str, shipped: dict[str, Any], people: People, pool: list[Any], traveller: Any
) -> None:
    flow = item_of(shipped[code]).flow
    rejecting = [s.key for s in flow.steps if "reject" in s.outcomes]
    for stop in rejecting:
        case = open_for(shipped[code], people)
        while case.current_step != stop:
            case = complete(case, "approve", pool, traveller)
        step = flow.step(stop)
        if step.meeting:
            # A meeting rejects by voting the motion down.
            from sunlit.cases import services
            from sunlit.cases.engine import MeetingCounts
            from sunlit.cases.tests.walker import actor_for

            services.case_act(
                case=case,
                step_key=stop,
                expected_version=case.version,
                outcome="approve",
                decision="否决",
                minutes="记录",
                meeting=MeetingCounts(expected=30, present=30, votes_for=10, votes_against=20, votes_abstain=0),
                by=actor_for(case, step, pool),
            )
            case.refresh_from_db()
        else:
            case = complete(case, "reject", pool, traveller)
        assert case.state == "rejected", f"{code} {stop}"
        last = case.actions.order_by("seq").last()
        assert last is not None and (last.step_key, last.outcome, last.target) == (stop, "reject", REJECTED)
