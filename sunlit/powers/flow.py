"""The shape of a power's flow once loaded: plain, frozen data the case engine walks.

The YAML list (sunlit/powers/data/*.yaml) is parsed and validated by `loader.py` into
these classes; the same classes are stored (as JSON, `Flow.to_dict`) with each item of
each list version, so a case started under version 3 keeps walking version 3's flow
after version 4 is loaded.

Vocabulary:
- A step's `outcomes` map each possible outcome (approve, reject, return) to a target:
  another step's key, or a terminal: APPROVED, REJECTED.
- `approval` steps are the decisions that the separation-of-duties rule counts
  (sunlit/cases/engine.py `decision_refusal`): nobody takes one on a case he opened or
  requested, or on steps he recorded that it judges, and nobody takes two in one case.
- `meeting` names a body whose attendance and votes the step records; its quorum and
  majority rules are data too (MeetingRule), so a province can set its own.
- `publicity_days` > 0 makes the step a publicity step: the case's public summary is
  published when the step starts and the step cannot complete before the period ends.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

APPROVED = "@approved"
REJECTED = "@rejected"
TERMINALS = (APPROVED, REJECTED)

OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN = "approve", "reject", "return"
OUTCOMES = (OUTCOME_APPROVE, OUTCOME_REJECT, OUTCOME_RETURN)

LEVELS = ("village", "township", "county")
CATEGORIES = ("major", "daily", "service")
# What a step may require to be recorded before it can complete.
RECORD_KINDS = ("decision", "minutes", "attendance", "votes", "attachments", "opinion")


@dataclass(frozen=True)
class Threshold:
    """`comparison` (">" or ">=") `fraction` of `base` ("expected" or "present").

    `unit` says what is counted: people, or households (the villagers' meeting may also
    be quorate by households: Organic Law art. 22). The caller passes the counts in that
    unit; `met` itself is unit-blind.
    """

    base: str
    comparison: str
    fraction: str  # "2/3", "1/2": exact arithmetic, never floats
    unit: str = "people"

    def met(self, count: int, *, expected: int, present: int) -> bool:
        total = expected if self.base == "expected" else present
        needed = Fraction(self.fraction) * total
        return count > needed if self.comparison == ">" else count >= needed


@dataclass(frozen=True)
class MeetingRule:
    """Quorum (attendance) and passing (votes for) rules of one deliberating body.

    Several quorum thresholds mean any one suffices (the villagers' meeting: more than
    half of adult villagers, or two thirds of households).
    """

    key: str
    name_zh: str
    name_en: str
    quorum: tuple[Threshold, ...]
    passes: Threshold

    def quorum_met(
        self,
        *,
        expected: int,
        present: int,
        households_expected: int | None = None,
        households_present: int | None = None,
    ) -> bool:
        """Is the meeting quorate? Any one quorum threshold suffices; a household
        threshold counts only when the household counts were recorded."""
        for t in self.quorum:
            if t.unit == "households":
                if households_expected is None or households_present is None:
                    continue
                if t.met(households_present, expected=households_expected, present=households_present):
                    return True
            elif t.met(present, expected=expected, present=present):
                return True
        return False

    def passed(self, votes_for: int, *, expected: int, present: int) -> bool:
        """Does the motion carry (given a quorate meeting)?"""
        return self.passes.met(votes_for, expected=expected, present=present)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MeetingRule:
        return cls(
            key=data["key"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            quorum=tuple(Threshold(**t) for t in data["quorum"]),
            passes=Threshold(**data["passes"]),
        )


@dataclass(frozen=True)
class AttachmentRequirement:
    kind: str  # e.g. "minutes_scan", "photo", "application_form"
    name_zh: str
    name_en: str
    required: bool = True


@dataclass(frozen=True)
class Step:
    key: str
    name_zh: str
    name_en: str
    role: str  # an accounts.Role value: who completes the step
    level: str  # village, township or county: where that role must be held
    days: int  # time limit in working days
    outcomes: dict[str, str]  # outcome → target step key or terminal
    records: tuple[str, ...] = ()
    attachments: tuple[AttachmentRequirement, ...] = ()
    meeting: str | None = None  # MeetingRule key
    publicity_days: int = 0  # calendar days the notice stays up (0: not a publicity step)
    approval: bool = False
    subflow: str | None = None  # the sub-flow this step came from (四议两公开 …)
    description_zh: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class Flow:
    steps: tuple[Step, ...]

    @property
    def first(self) -> Step:
        return self.steps[0]

    def step(self, key: str) -> Step:
        for s in self.steps:
            if s.key == key:
                return s
        raise KeyError(key)

    def index(self, key: str) -> int:
        return next(i for i, s in enumerate(self.steps) if s.key == key)

    def to_dict(self) -> dict[str, Any]:
        return {"steps": [asdict(s) for s in self.steps]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Flow:
        steps = []
        for raw in data["steps"]:
            raw = dict(raw)
            raw["records"] = tuple(raw.get("records", ()))
            raw["attachments"] = tuple(AttachmentRequirement(**a) for a in raw.get("attachments", ()))
            steps.append(Step(**raw))
        return cls(steps=tuple(steps))


@dataclass(frozen=True)
class Risk:
    point: str
    measure: str


@dataclass(frozen=True)
class Item:
    code: str
    name_zh: str
    name_en: str
    category: str
    basis: str
    exerciser: str
    supervisor: str
    conditions: tuple[str, ...]
    materials: tuple[str, ...]
    time_limit_days: int
    fee: str
    risks: tuple[Risk, ...]
    flow: Flow
    level: str = "village"  # where cases are opened: village (cadre) or township (official)
    township: str | None = None  # a township code: a 特色清单 item for that township only
    local: bool = False  # locally defined: not from the published Lianyuan sources
    needs_amount: bool = False
    needs_applicant: bool = False
    extra: dict[str, Any] = field(default_factory=dict)
