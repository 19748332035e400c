"""The flow engine's rules, as pure functions over the powers room's data classes.

No database here: given a step, the outcome asked for and what was recorded, these say
what the step leads to and what is missing. services.case_act applies the answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sunlit.cases.models import MeetingResult
from sunlit.lib.errors import ApplicationError, InvalidInput
from sunlit.powers.flow import (
    OUTCOME_APPROVE,
    OUTCOME_REJECT,
    OUTCOME_RETURN,
    OUTCOMES,
    Flow,
    MeetingRule,
    Step,
)

OUTCOME_LABELS = {
    OUTCOME_APPROVE: gettext_lazy("approve"),
    OUTCOME_REJECT: gettext_lazy("reject"),
    OUTCOME_RETURN: gettext_lazy("return for correction"),
}
MAX_DECISION = 5000
MAX_MINUTES = 20000
# Every step may carry attachments of this kind besides the ones it names (a photo of
# the notice board, a letter): refusing them would push records off the platform.
OTHER_ATTACHMENT = "other"


def label(thing: object) -> str:
    """A step's, item's or meeting's name in the reader's language (Chinese by default)."""
    zh, en = getattr(thing, "name_zh", ""), getattr(thing, "name_en", "")
    return str(en or zh) if (get_language() or "").startswith("en") else str(zh or en)


@dataclass(frozen=True)
class MeetingCounts:
    """What a meeting step records: attendance and the vote on the motion."""

    expected: int
    present: int
    votes_for: int
    votes_against: int
    votes_abstain: int
    households_expected: int | None = None
    households_present: int | None = None

    def validate(self) -> None:
        numbers = {
            "expected": self.expected,
            "present": self.present,
            "votes_for": self.votes_for,
            "votes_against": self.votes_against,
            "votes_abstain": self.votes_abstain,
            "households_expected": self.households_expected,
            "households_present": self.households_present,
        }
        for name, value in numbers.items():
            if value is not None and (not isinstance(value, int) or value < 0):
                raise InvalidInput(_("Meeting counts are whole numbers, not negative"), field=name)
        if self.expected == 0:
            raise InvalidInput(_("A meeting expects at least one person"), field="expected")
        if self.present > self.expected:
            raise InvalidInput(
                _("%(present)d present is more than the %(expected)d expected to attend")
                % {"present": self.present, "expected": self.expected},
                field="present",
            )
        cast = self.votes_for + self.votes_against + self.votes_abstain
        if cast > self.present:
            raise InvalidInput(
                _("%(cast)d votes for, against and abstaining are more than the %(present)d present")
                % {"cast": cast, "present": self.present},
                field="votes_for",
            )
        if (self.households_expected is None) != (self.households_present is None):
            raise InvalidInput(_("Give both household counts, or neither"), field="households_present")
        if self.households_expected is not None and self.households_present is not None:
            if self.households_present > self.households_expected:
                raise InvalidInput(_("More households present than expected"), field="households_present")


def meeting_result(rule: MeetingRule, counts: MeetingCounts) -> str:
    """passed, no_quorum (the meeting cannot decide) or no_majority (the motion fails)."""
    quorate = rule.quorum_met(
        expected=counts.expected,
        present=counts.present,
        households_expected=counts.households_expected,
        households_present=counts.households_present,
    )
    if not quorate:
        return MeetingResult.NO_QUORUM
    if rule.passed(counts.votes_for, expected=counts.expected, present=counts.present):
        return MeetingResult.PASSED
    return MeetingResult.NO_MAJORITY


@dataclass(frozen=True)
class Decision:
    outcome: str  # what takes effect; "" when the step stays (nothing was decided)
    target: str  # a step key, a terminal, or the step itself when it stays
    meeting_result: str = ""


def decide(step: Step, outcome: str, result: str = "") -> Decision:
    """Where `outcome` on `step` leads, a meeting's `result` taken into account.

    A meeting without a quorum cannot decide: the step stays, to be held again. A vote
    without a majority is a decision: the motion fails, which is the step's reject (or,
    if the flow has no reject there, its return for correction).
    """
    if result == MeetingResult.NO_QUORUM:
        return Decision("", step.key, result)
    if result == MeetingResult.NO_MAJORITY:
        for failed in (OUTCOME_REJECT, OUTCOME_RETURN):
            if failed in step.outcomes:
                return Decision(failed, step.outcomes[failed], result)
        return Decision("", step.key, result)
    if outcome not in OUTCOMES:
        raise InvalidInput(_("%(outcome)r is not an outcome") % {"outcome": outcome}, field="outcome")
    if outcome not in step.outcomes:
        raise InvalidInput(
            _("Step %(step)s cannot end with %(outcome)s; it allows: %(allowed)s")
            % {
                "step": label(step),
                "outcome": OUTCOME_LABELS[outcome],
                "allowed": ", ".join(str(OUTCOME_LABELS.get(o, o)) for o in step.outcomes),
            },
            field="outcome",
        )
    return Decision(outcome, step.outcomes[outcome], result)


def missing_records(
    step: Step,
    decision: Decision,
    *,
    text: str,
    minutes: str,
    counts: MeetingCounts | None,
    attachment_kinds: Iterable[str],
) -> list[tuple[str, str]]:
    """What the step requires that was not given, as (field, message) pairs.

    "opinion" is the acting reviewer's written opinion (a township's review, the
    supervision committee's acceptance): it is written in the decision field.
    """
    missing: list[tuple[str, str]] = []
    records = set(step.records)
    if ("decision" in records or decision.outcome in (OUTCOME_REJECT, OUTCOME_RETURN)) and not text.strip():
        # A rejection or a return always says why: the applicant is owed the reason.
        missing.append(("decision", _("Write the decision (and for a rejection or a return, the reason)")))
    if "minutes" in records and not minutes.strip():
        missing.append(("minutes", _("Write the minutes of this step")))
    if (step.meeting or records & {"attendance", "votes"}) and counts is None:
        missing.append(("expected", _("Record the attendance and the votes")))
    if "opinion" in records and not text.strip() and not any(f == "decision" for f, _m in missing):
        missing.append(("decision", _("Write your opinion on this step")))
    if decision.outcome == OUTCOME_APPROVE:
        given = set(attachment_kinds)
        for need in step.attachments:
            if need.required and need.kind not in given:
                missing.append(("attachments", _("Attach: %(kind)s") % {"kind": label(need) or need.kind}))
    return missing


def check_attachment_kinds(step: Step, kinds: Iterable[str]) -> None:
    allowed = {a.kind for a in step.attachments} | {OTHER_ATTACHMENT}
    for kind in kinds:
        if kind not in allowed:
            raise InvalidInput(
                _("Step %(step)s takes no attachment of kind %(kind)r") % {"step": label(step), "kind": kind},
                field="attachments",
            )


def check_lengths(*, decision: str, minutes: str) -> None:
    if len(decision) > MAX_DECISION:
        raise InvalidInput(_("The decision is longer than %(n)d characters") % {"n": MAX_DECISION}, field="decision")
    if len(minutes) > MAX_MINUTES:
        raise InvalidInput(_("The minutes are longer than %(n)d characters") % {"n": MAX_MINUTES}, field="minutes")


def rule_for(step: Step, rules: dict[str, MeetingRule]) -> MeetingRule:
    try:
        return rules[step.meeting or ""]
    except KeyError:
        raise ApplicationError(
            _("The list defines no rules for the meeting %(meeting)r of step %(step)s")
            % {"meeting": step.meeting, "step": step.key}
        ) from None


# --- separation of duties ----------------------------------------------------------------
# The list marks its decisions (`approval: true`: a review, a verification, an approval).
# Nobody decides on what he himself put forward: whoever opened the case, whoever made its
# request (its first step), and whoever recorded a step that the decision judges never take
# that decision; nobody takes two decisions of one case; nobody resolves his own objection.


@dataclass(frozen=True)
class Done:
    """One step recorded on a case, as the rule needs it: which step, by whom, and whether
    it was the decision of an approval step."""

    step_key: str
    actor_id: Any
    approval: bool


def judged_steps(flow: Flow, key: str) -> frozenset[str]:
    """The steps whose record the approval step `key` decides on: the steps that lead to it
    by their approve, walked back through steps that are not decisions themselves. RC-03's
    approval judges the request; a township review judges everything the village prepared
    and posted since the last decision (the proposal, the meetings, the notice)."""
    leading: dict[str, list[Step]] = {}
    for s in flow.steps:
        target = s.outcomes.get(OUTCOME_APPROVE)
        if target:
            leading.setdefault(target, []).append(s)
    judged: set[str] = set()
    todo = [key]
    while todo:
        for s in leading.get(todo.pop(), ()):
            if s.approval or s.key == key or s.key in judged:
                continue
            judged.add(s.key)
            todo.append(s.key)
    return frozenset(judged)


def decision_refusal(flow: Flow, step: Step, *, person: Any, opened_by: Any, done: Iterable[Done]) -> str:
    """Why `person` may not take the approval step `step` of a case, or "" if he may.

    `opened_by` is who opened the case, `done` the steps recorded on it so far (ids are
    compared, so plain primary keys do). Steps that are not decisions are never barred: the
    person who takes an application also posts its notice."""
    if not step.approval:
        return ""
    if person == opened_by:
        return _("You opened this case: another person must decide its step %(step)s.") % {"step": label(step)}
    mine = [d for d in done if d.actor_id == person]
    request = flow.first
    if request.key != step.key and any(d.step_key == request.key for d in mine):
        return _("You recorded this case's request (%(request)s): another person must decide its step %(step)s.") % {
            "request": label(request),
            "step": label(step),
        }
    judged = judged_steps(flow, step.key)
    for d in mine:
        if d.step_key in judged:
            return _(
                "You recorded step %(done)s of this case, which step %(step)s decides on: "
                "another person must decide it."
            ) % {"done": _label_of(flow, d.step_key), "step": label(step)}
    for d in mine:
        if d.approval and d.step_key != step.key:
            return _("You already decided step %(step)s of this case; another person must decide this one.") % {
                "step": _label_of(flow, d.step_key)
            }
    return ""


def objection_refusal(*, person: Any, recorded_by: Any) -> str:
    """Why `person` may not resolve an objection, or "": its recorder never resolves it."""
    if person == recorded_by:
        return _("You recorded this objection: another person must resolve it.")
    return ""


def _label_of(flow: Flow, key: str) -> str:
    try:
        return label(flow.step(key)) or key
    except KeyError:
        return key
