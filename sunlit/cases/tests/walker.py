"""Walk a case along its flow with the right people: every step by someone who holds its
role, nobody taking a decision the separation of duties bars him from, every record the
step asks for, the clock moved past each notice period. The tests of the shipped list use it on every item."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sunlit.accounts import jurisdiction
from sunlit.cases import services
from sunlit.cases.engine import MeetingCounts
from sunlit.cases.flows import item_of, step_of
from sunlit.cases.models import Case
from sunlit.cases.tests.conftest import png_bytes
from sunlit.powers.flow import Step

# Everyone present, everyone for: passes any quorum and majority rule.
FULL_HOUSE = MeetingCounts(
    expected=30,
    present=30,
    votes_for=30,
    votes_against=0,
    votes_abstain=0,
    households_expected=20,
    households_present=20,
)


def actor_for(case: Case, step: Step, pool: Sequence[Any]) -> Any:
    """The first person of `pool` who may complete `step` now."""
    for person in pool:
        if not jurisdiction.holds_role(person, step.role, case.village_id, step.level):
            continue
        if services.decision_refusal(case, step, person):
            continue
        return person
    raise AssertionError(f"nobody in the pool may complete {step.key} ({step.role} at {step.level})")


def complete(case: Case, outcome: str, pool: Sequence[Any], traveller: Any) -> Case:
    """Complete the case's current step with `outcome`; the case, reloaded."""
    case.refresh_from_db()
    step = step_of(case)
    assert step is not None, f"{case.number} is {case.state}, at no step"
    if step.publicity_days:
        traveller.shift(timedelta(days=step.publicity_days))
    uploads = [
        services.Upload(kind=a.kind, filename=f"{a.kind}.png", data=png_bytes()) for a in step.attachments if a.required
    ]
    services.case_act(
        case=case,
        step_key=step.key,
        expected_version=case.version,
        outcome="approve" if step.meeting else outcome,
        decision="意见：同意" if outcome == "approve" else "意见：退回补正",
        minutes="会议记录：到会人员逐人签字",
        attachments=uploads,
        meeting=FULL_HOUSE if (step.meeting or {"attendance", "votes"} & set(step.records)) else None,
        by=actor_for(case, step, pool),
    )
    case.refresh_from_db()
    return case


def walk_to_approval(
    case: Case, pool: Sequence[Any], traveller: Any, *, take_returns: bool = True, limit: int = 400
) -> list[tuple[str, str, str]]:
    """Approve every step until the case is approved, first taking each step's return
    once (and walking back up from where it leads). The (step, outcome, target) path."""
    returned: set[str] = set()
    for _ in range(limit):
        case.refresh_from_db()
        if case.is_closed:
            return list(case.actions.values_list("step_key", "outcome", "target"))
        step = step_of(case)
        assert step is not None
        outcome = "approve"
        if take_returns and "return" in step.outcomes and step.key not in returned and not step.meeting:
            returned.add(step.key)
            outcome = "return"
        complete(case, outcome, pool, traveller)
    raise AssertionError(f"{case.number} did not finish in {limit} actions")


def return_edges(case: Case) -> set[tuple[str, str]]:
    flow = item_of(case.item).flow
    return {(s.key, s.outcomes["return"]) for s in flow.steps if "return" in s.outcomes and not s.meeting}
