"""Separation of duties, a rule of the flow engine (engine.decision_refusal): whoever
opened a case, whoever made its request (its first step), and whoever recorded a step that
a decision judges never takes that decision; nobody takes two decisions of one case;
whoever recorded an objection never resolves it.

Every item of the shipped list and every decision (`approval: true`) step in it is walked,
the parameters drawn from the loaded list itself: a new item or step is covered as it is
added. Whoever the rule bars is first given the step's role too (a cadre who also sits on
the township's staff), so that only the rule stands between him and the decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import time_machine

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.cases import engine
from sunlit.cases.flows import item_of, step_of
from sunlit.cases.models import Case
from sunlit.cases.services import case_open, step_actors
from sunlit.cases.tests.conftest import People, act, at, travel
from sunlit.cases.tests.store import store_items
from sunlit.cases.tests.walker import actor_for, complete
from sunlit.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A, make_user
from sunlit.lib.errors import NotPermitted
from sunlit.powers.flow import Step
from sunlit.powers.loader import parse
from sunlit.powers.services import default_source

pytestmark = pytest.mark.django_db

SHIPPED = parse(default_source(), townships=set())
CODES = [i.code for i in SHIPPED.items]
DECISIONS = [(i.code, s.key) for i in SHIPPED.items for s in i.flow.steps if s.approval]
WHERE = {"village": VILLAGE_A, "township": TOWNSHIP_A, "county": COUNTY}


@pytest.fixture
def shipped(people: People) -> dict[str, Any]:
    return store_items(SHIPPED.items, SHIPPED.meetings)


@pytest.fixture
def traveller() -> Iterator[Any]:
    with time_machine.travel(at("2026-03-02 09:00"), tick=False) as t:
        yield t


@pytest.fixture
def opener(people: People) -> User:
    return people.cadre_a


@pytest.fixture
def requester(people: People) -> User:
    return make_user("cadre_request", "李春华", Role.CADRE, VILLAGE_A, title="村务员")


@pytest.fixture
def pool(people: People) -> list[Any]:
    """Everyone else who may take the steps: a clerk who records what the village prepares,
    and enough colleagues at each level for every decision."""
    return [
        make_user("cadre_clerk", "张文斌", Role.CADRE, VILLAGE_A, title="文书"),
        people.cadre_a2,
        make_user("cadre_a3", "王德明", Role.CADRE, VILLAGE_A),
        people.supervisor_a,
        make_user("supervisor_a2", "赵德明", Role.SUPERVISOR, VILLAGE_A),
        people.official,
        people.official2,
        make_user("official3", "谢军", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_A),
        people.county,
        make_user("county2", "彭丽", Role.TOWNSHIP_OFFICIAL, COUNTY),
    ]


def holding(person: User, step: Step) -> User:
    """`person`, given the step's role where the step wants it (and so able to act on it
    but for the rule)."""
    person = User.objects.get(pk=person.pk)  # memberships are cached on the instance
    if not jurisdiction.holds_role(person, step.role, VILLAGE_A, step.level):
        Membership.objects.create(user=person, role=step.role, region_id=WHERE[step.level], starts_on="2024-01-01")
        person = User.objects.get(pk=person.pk)
    assert jurisdiction.holds_role(person, step.role, VILLAGE_A, step.level)
    return person


def opened(item: Any, opener: User, requester: User) -> Case:
    flow_item = item_of(item)
    case = case_open(
        item=item,
        village_code=VILLAGE_A,
        subject=f"{flow_item.name_zh}（测试）",
        by=opener,
        amount_fen=500_000 if flow_item.needs_amount else None,
        applicant_name="王小明" if flow_item.needs_applicant else "",
    )
    first = flow_item.flow.first
    if not first.approval:
        complete(case, "approve", [requester], _NoTravel())
    return case


class _NoTravel:
    def shift(self, delta: Any) -> None:
        raise AssertionError("a first step is no notice")


def refused(case: Case, step: Step, person: User) -> str:
    case.refresh_from_db()
    version, count = case.version, case.actions.count()
    with pytest.raises(NotPermitted) as e:
        act(case, step.key, person, "reject" if step.meeting is None and "reject" in step.outcomes else "approve")
    case.refresh_from_db()
    assert (case.version, case.actions.count(), case.current_step) == (version, count, step.key), "nothing changed"
    return e.value.message


# --- the case: a cadre approving the seal use he asked for -----------------------


def test_it_refuses_the_cadre_who_asked_to_use_the_seal_its_approval(
    shipped: dict[str, Any], people: People, as_user: Any
) -> None:
    with travel("2026-03-02 09:00"):
        case = case_open(item=shipped["RC-03"], village_code=VILLAGE_A, subject="开具证明用印", by=people.cadre_a)
        act(case, "request", people.cadre_a)
    assert case.current_step == "approve"
    response = as_user(people.cadre_a).post(
        f"/office/cases/{case.number}/act/",
        {"step_key": "approve", "version": str(case.version), "outcome": "approve", "decision": "同意"},
    )
    assert response.status_code == 403
    assert "You opened this case: another person must decide its step Approved by the approver" in (
        response.content.decode()
    )
    case.refresh_from_db()
    assert case.current_step == "approve" and case.actions.count() == 1
    # Another cadre approves; neither the requester nor the approver stamps it.
    act(case, "approve", people.cadre_a2)
    assert "You already decided step Approved by the approver" in refused(case, step_of(case, "stamp"), people.cadre_a2)  # type: ignore[arg-type]
    keeper = make_user("cadre_keeper", "王秀英", Role.CADRE, VILLAGE_A, title="印章保管人")
    act(case, "stamp", keeper)
    assert case.state == "approved"


# --- every item, every decision ----------------------------------------------------------


def test_every_item_of_the_shipped_list_has_a_decision_the_rule_guards() -> None:
    assert CODES and all(any(s.approval for s in i.flow.steps) for i in SHIPPED.items)
    assert {c for c, _k in DECISIONS} == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_it_refuses_the_opener_who_requested_the_items_first_decision(
    code: str, shipped: dict[str, Any], people: People, pool: list[Any], traveller: Any
) -> None:
    # The scenario on every item: one person opens, records the request, and
    # tries the first decision, holding its role.
    case = opened(shipped[code], people.cadre_a, people.cadre_a)
    flow = item_of(case.item).flow
    while not flow.step(case.current_step).approval:
        case = complete(case, "approve", pool, traveller)
    step = flow.step(case.current_step)
    assert refused(case, step, holding(people.cadre_a, step)).startswith("You opened this case")


@pytest.mark.parametrize(("code", "key"), DECISIONS, ids=[f"{c}:{k}" for c, k in DECISIONS])
def test_it_bars_the_opener_requester_and_preparers_from_each_decision(
    code: str,
    key: str,
    shipped: dict[str, Any],
    opener: User,
    requester: User,
    pool: list[Any],
    traveller: Any,
) -> None:
    case = opened(shipped[code], opener, requester)
    flow = item_of(case.item).flow
    for _ in range(60):
        if case.current_step == key:
            break
        case = complete(case, "approve", pool, traveller)
    assert case.current_step == key, f"{code}: {key} not reached"
    step = flow.step(key)
    label = engine.label(step)

    assert refused(case, step, holding(opener, step)) == (
        f"You opened this case: another person must decide its step {label}."
    )
    if flow.first.key != key:
        assert refused(case, step, holding(requester, step)) == (
            f"You recorded this case's request ({engine.label(flow.first)}): "
            f"another person must decide its step {label}."
        )
    # Whoever recorded a step this decision judges (besides the two above) is barred too.
    judged = engine.judged_steps(flow, key)
    preparers: dict[int, tuple[User, str]] = {}  # person → the first judged step he recorded
    for a in case.actions.select_related("actor").order_by("seq"):
        if a.step_key in judged and a.actor_id not in (opener.pk, requester.pk):
            preparers.setdefault(a.actor_id, (a.actor, a.step_key))
    for person, done in preparers.values():
        assert refused(case, step, holding(person, step)) == (
            f"You recorded step {engine.label(flow.step(done))} of this case, which step {label} decides on: "
            "another person must decide it."
        )
    # Whoever took another decision of the case is barred as before.
    for earlier in case.actions.filter(approval=True).exclude(step_key=key).select_related("actor"):
        if earlier.actor_id in preparers:
            continue
        assert refused(case, step, holding(earlier.actor, step)).startswith("You already decided step")
    # Nobody barred is among those told to act; a colleague who is not barred decides.
    barred = {opener.pk, requester.pk, *preparers}
    assert not barred & {p.pk for p in step_actors(case, step)}
    colleague = actor_for(case, step, pool)
    assert colleague.pk not in barred
    complete(case, "approve", pool, traveller)
    case.refresh_from_db()
    assert case.actions.order_by("seq").last().step_key == key  # type: ignore[union-attr]


# --- the engine's reading of the flow ----------------------------------------------------


def _flow(code: str) -> Any:
    return next(i for i in SHIPPED.items if i.code == code).flow


def test_it_judges_what_was_prepared_since_the_last_decision() -> None:
    assert engine.judged_steps(_flow("RC-03"), "approve") == {"request"}
    assert engine.judged_steps(_flow("RC-03"), "stamp") == frozenset()  # its approver is barred already
    assert engine.judged_steps(_flow("BM-05"), "verify") == {"apply"}
    assert engine.judged_steps(_flow("BM-01"), "township_review") == {"village_notice"}
    assert engine.judged_steps(_flow("ZD-01"), "acceptance") == {"construction"}
    assert engine.judged_steps(_flow("ZD-01"), "township_review") == {
        "sy.propose",
        "sy.deliberate",
        "sy.review",
        "sy.resolve",
        "sy.announce",
    }


def test_it_leaves_steps_that_decide_nothing_to_anyone() -> None:
    flow = _flow("BM-05")
    done = [engine.Done("apply", 1, False), engine.Done("verify", 2, True)]
    assert engine.decision_refusal(flow, flow.step("issue"), person=1, opened_by=1, done=done) == ""
    assert engine.decision_refusal(flow, flow.step("verify"), person=3, opened_by=1, done=done[:1]) == ""


# --- objections --------------------------------------------------------------------------


def test_it_refuses_whoever_recorded_an_objection_its_resolution(posted: Case, people: People) -> None:
    from sunlit.cases.services import case_objection_record, case_objection_resolve

    with travel("2026-03-03 10:00"):
        objection = case_objection_record(case=posted, text="收入情况与公示不符", by=people.official)
        with pytest.raises(NotPermitted, match=r"You recorded this objection: another person must resolve it\."):
            case_objection_resolve(objection=objection, upheld=False, resolution="经核实无误", by=people.official)
        objection.refresh_from_db()
        assert objection.is_open
        case_objection_resolve(objection=objection, upheld=False, resolution="经核实无误", by=people.official2)
    objection.refresh_from_db()
    assert objection.resolved_by == people.official2
