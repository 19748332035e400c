"""Reading a power-list file: YAML text in, validated `flow.Item` objects out.

The whole file is checked before anything is built, and every problem is reported at
once with its line, so that the township clerk who edits the list fixes it in one pass
rather than one error per upload. `parse` raises `InvalidInput` with one problem per
line of its message; it touches no database (the caller passes the stored townships).

The format, in short (sunlit/powers/data/README.md has the whole of it):

    meetings:          key → quorum and passing thresholds (flow.MeetingRule)
    attachment_kinds:  key → names of a kind of document a step can require
    subflows:          key → steps (and `final` steps) several items include
    item_defaults:     fields every item gets unless it sets them
    items:             the list: code, names, category, basis …, authorises, flow

`authorises` lists the kinds of record that a case of the item, once approved, may
authorise: a purpose `<room>.<record>`, with a qualifier after a colon where the kind
needs one (declared by the rooms' manifests, `purposes`):

    finance.voucher            a voucher in the village's books
    projects.project           a village construction project
    welfare.payment:<code>     a payment of the welfare programme <code> (dibao, tekun …)

Finance, projects and welfare ask `sunlit.cases.selectors.case_authorising` with the
purpose of the record they are writing; it reads the item row of the case's own list
version, so loading a new list never changes what an old case authorised.

A flow is a list of steps and `- include: <subflow>` entries. Included steps get the
sub-flow's prefix (`sy.propose`), so keys stay unique and an item's own steps can
point at them (`return: sy.deliberate`). A sub-flow's `final` steps go to the end of
the item's flow and every way to @approved passes through them (the implementation
result of a major decision is disclosed after it was carried out, not before).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any

import yaml
from django.utils.translation import gettext as _

from sunlit.accounts.models import Role
from sunlit.lib import rooms
from sunlit.lib.errors import InvalidInput
from sunlit.powers import flow as f
from sunlit.regions import codes

FORMAT = 1
CODE = re.compile(r"^[A-Z0-9]+(-[A-Z0-9]+)*$")
KEY = re.compile(r"^[a-z][a-z0-9_]*$")
FRACTION = re.compile(r"^([0-9]+)/([0-9]+)$")
ROLES = tuple(r.value for r in Role)
# Cadres and supervision-committee members hold memberships over one village: a step
# given to them above the village could never be completed by anyone.
VILLAGE_ONLY_ROLES = (Role.CADRE.value, Role.SUPERVISOR.value)
ITEM_LEVELS = ("village", "township")

TOP_FIELDS = {"format", "label", "label_en", "meetings", "attachment_kinds", "subflows", "item_defaults", "items"}
MEETING_FIELDS = {"name_zh", "name_en", "basis", "quorum", "passes"}
THRESHOLD_FIELDS = {"more_than", "at_least", "of", "unit"}
SUBFLOW_FIELDS = {"name_zh", "name_en", "prefix", "required_for", "basis", "steps", "final"}
STEP_FIELDS = {
    "key",
    "name_zh",
    "name_en",
    "role",
    "level",
    "days",
    "records",
    "attachments",
    "meeting",
    "publicity_days",
    "approval",
    "outcomes",
    "description_zh",
    "description_en",
}
ITEM_FIELDS = {
    "code",
    "name_zh",
    "name_en",
    "category",
    "basis",
    "exerciser",
    "exerciser_en",
    "supervisor",
    "supervisor_en",
    "conditions",
    "materials",
    "time_limit_days",
    "fee",
    "fee_en",
    "risks",
    "flow",
    "level",
    "township",
    "local",
    "needs_amount",
    "needs_applicant",
    "replaces",
    "authorises",
}
# What item_defaults may set: everything but what makes an item itself. What an item
# authorises is said item by item, where a reader of that item sees it.
DEFAULTABLE = ITEM_FIELDS - {"code", "name_zh", "name_en", "flow", "replaces", "authorises"}


# The kinds of record that cite the case which authorised them, and which an item's
# `authorises:` may name. A kind with a qualifier (its value here names what the
# qualifier is) is written `kind:qualifier`: `welfare.payment:dibao` is a payment of the
# dibao programme. Qualifiers are other rooms' data (the programme codes are in
# sunlit/welfare/data/programmes.yaml), so only their shape is checked here.
# The purposes are declared by the rooms whose records cite a case (their manifests'
# `purposes`: finance.voucher, projects.project, welfare.payment:<programme>).
def purposes() -> Mapping[str, str]:
    return rooms.registry().purposes


INCLUDE_FIELDS = {"include", "overrides"}


# --- YAML with line numbers ------------------------------------------------------------


class _Map(dict[Any, Any]):
    """A YAML mapping that remembers where it, and each of its keys, started."""

    line: int = 0
    key_lines: dict[Any, int]

    def at(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class _Loader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicates: list[tuple[int, str]] = []
        self.bad_keys: list[int] = []


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_Map]:
    data = _Map()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if not isinstance(key, str | int | bool | float) and key is not None:
            loader.bad_keys.append(line)
            continue
        # PyYAML keeps the last of two equal keys without a word: a silent typo.
        if key in data.key_lines:
            loader.duplicates.append((line, str(key)))
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)


# --- What parsing produces -------------------------------------------------------------


@dataclass(frozen=True)
class SubflowInfo:
    key: str
    name_zh: str
    name_en: str
    prefix: str


@dataclass(frozen=True)
class PowerList:
    label: str
    label_en: str
    meetings: dict[str, f.MeetingRule]
    meeting_basis: dict[str, str]
    attachment_kinds: dict[str, tuple[str, str]]
    subflows: dict[str, SubflowInfo]
    items: tuple[f.Item, ...]


@dataclass
class _Problems:
    found: list[tuple[int, str]] = field(default_factory=list)

    def add(self, line: int, where: str, message: str) -> None:
        text = _("%(where)s: %(message)s") % {"where": where, "message": message} if where else message
        self.found.append((line, text))

    def raise_if_any(self) -> None:
        if self.found:
            lines = [
                _("line %(line)d: %(problem)s") % {"line": line, "problem": text}
                for line, text in sorted(self.found, key=lambda p: p[0])
            ]
            raise InvalidInput("\n".join(lines))


def purpose_problem(purpose: str) -> str:
    """What is wrong with `purpose` as a kind of record (`purposes()`), or "" if nothing."""
    kind, colon, qualifier = purpose.partition(":")
    declared = purposes()
    known = ", ".join(f"{k}:<{q}>" if q else k for k, q in declared.items())
    if kind not in declared:
        return _("unknown kind of record %(kind)r (known: %(known)s)") % {"kind": purpose, "known": known}
    if declared[kind] and not (colon and KEY.match(qualifier)):
        return _("%(given)r: %(kind)s names its %(qualifier)s after a colon (%(kind)s:<%(qualifier)s>)") % {
            "given": purpose,
            "kind": kind,
            "qualifier": declared[kind],
        }
    if not declared[kind] and colon:
        return _("%(kind)s takes nothing after a colon (%(given)r)") % {"kind": kind, "given": purpose}
    return ""


def _type_name(value: Any) -> str:
    names = {
        bool: _("true/false"),
        int: _("a whole number"),
        float: _("a decimal number"),
        str: _("text"),
        list: _("a list"),
        _Map: _("a mapping"),
        dict: _("a mapping"),
        type(None): _("nothing"),
    }
    return names.get(type(value), type(value).__name__)


# --- Typed field readers: each records a problem and returns a safe value ---------------


class _Reader:
    """Reads the fields of one mapping, recording problems against `where`."""

    def __init__(self, m: _Map, p: _Problems, where: str, allowed: set[str]) -> None:
        self.m, self.p, self.where = m, p, where
        for key in m:
            if key not in allowed:
                p.add(
                    m.at(key),
                    where,
                    _("unknown field %(field)r (allowed: %(allowed)s)")
                    % {"field": key, "allowed": ", ".join(sorted(allowed))},
                )

    def problem(self, key: str, message: str) -> None:
        self.p.add(self.m.at(key), self.where, message)

    def wrong_type(self, key: str, wanted: str) -> None:
        self.problem(
            key,
            _("%(field)s must be %(wanted)s, not %(got)s")
            % {"field": key, "wanted": wanted, "got": _type_name(self.m[key])},
        )

    def has(self, key: str) -> bool:
        return key in self.m

    def text(self, key: str, *, required: bool = True, default: str = "") -> str:
        if key not in self.m:
            if required:
                self.problem(key, _("%(field)s is required") % {"field": key})
            return default
        value = self.m[key]
        if not isinstance(value, str):
            self.wrong_type(key, _("text"))
            return default
        if required and not value.strip():
            self.problem(key, _("%(field)s is empty") % {"field": key})
        return value.strip()

    def number(self, key: str, *, required: bool = True, default: int = 0, minimum: int = 0) -> int:
        if key not in self.m:
            if required:
                self.problem(key, _("%(field)s is required") % {"field": key})
            return default
        value = self.m[key]
        # YAML's true is a Python int too; a flag where a count belongs is a mistake.
        if not isinstance(value, int) or isinstance(value, bool):
            self.wrong_type(key, _("a whole number"))
            return default
        if value < minimum:
            self.problem(key, _("%(field)s must be at least %(min)d") % {"field": key, "min": minimum})
            return default
        return value

    def flag(self, key: str, default: bool = False) -> bool:
        if key not in self.m:
            return default
        value = self.m[key]
        if not isinstance(value, bool):
            self.wrong_type(key, _("true or false"))
            return default
        return value

    def texts(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        """A list of texts; a single text is taken as a list of one."""
        if key not in self.m:
            if required:
                self.problem(key, _("%(field)s is required") % {"field": key})
            return ()
        value = self.m[key]
        if isinstance(value, str):
            return (value.strip(),)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.wrong_type(key, _("a list of texts"))
            return ()
        return tuple(v.strip() for v in value)

    def choice(
        self, key: str, choices: Collection[str], *, required: bool = True, default: str = "", what: str = ""
    ) -> str:
        value = self.text(key, required=required, default=default)
        if value and value not in choices:
            self.problem(
                key,
                _("unknown %(what)s %(value)r (expected one of: %(choices)s)")
                % {"what": what or key, "value": value, "choices": ", ".join(choices)},
            )
            return default
        return value

    def mapping(self, key: str, *, required: bool = False) -> _Map | None:
        if key not in self.m:
            if required:
                self.problem(key, _("%(field)s is required") % {"field": key})
            return None
        value = self.m[key]
        if not isinstance(value, _Map):
            self.wrong_type(key, _("a mapping"))
            return None
        return value

    def items(self, key: str, *, required: bool = False) -> list[Any]:
        if key not in self.m:
            if required:
                self.problem(key, _("%(field)s is required") % {"field": key})
            return []
        value = self.m[key]
        if not isinstance(value, list):
            self.wrong_type(key, _("a list"))
            return []
        if required and not value:
            self.problem(key, _("%(field)s is empty") % {"field": key})
        return value


# --- Meetings ---------------------------------------------------------------------------


def _threshold(value: Any, line: int, p: _Problems, where: str, *, quorum: bool) -> f.Threshold | None:
    if not isinstance(value, _Map):
        p.add(line, where, _("a threshold must be a mapping like {more_than: 1/2, of: expected}"))
        return None
    r = _Reader(value, p, where, THRESHOLD_FIELDS)
    kinds = [k for k in ("more_than", "at_least") if k in value]
    if len(kinds) != 1:
        p.add(value.line, where, _("a threshold needs exactly one of more_than or at_least"))
        return None
    kind = kinds[0]
    raw = value[kind]
    match = FRACTION.match(raw) if isinstance(raw, str) else None
    if not match or int(match.group(2)) == 0 or not 0 < Fraction(raw) <= 1:
        r.problem(
            kind, _("%(field)s must be a fraction such as 1/2 or 2/3, not %(value)r") % {"field": kind, "value": raw}
        )
        return None
    base = r.choice("of", ("expected", "present"), what=_("base"))
    unit = r.choice("unit", ("people", "households"), required=False, default="people", what=_("unit"))
    if not base:
        return None
    if quorum and base == "present":
        r.problem("of", _("a quorum is counted against those expected, not those present"))
        return None
    if not quorum and unit == "households":
        r.problem("unit", _("votes are counted in people, not households"))
        return None
    return f.Threshold(base=base, comparison=">" if kind == "more_than" else ">=", fraction=raw, unit=unit)


def _meetings(m: _Map | None, p: _Problems) -> tuple[dict[str, f.MeetingRule], dict[str, str]]:
    rules: dict[str, f.MeetingRule] = {}
    basis: dict[str, str] = {}
    for key, raw in (m or {}).items():
        where = _("meeting %(key)s") % {"key": key}
        if not isinstance(key, str) or not KEY.match(key):
            p.add(m.at(key) if m else 0, where, _("a key is lower-case letters, digits and _"))
            continue
        if not isinstance(raw, _Map):
            p.add(m.at(key) if m else 0, where, _("must be a mapping"))
            continue
        r = _Reader(raw, p, where, MEETING_FIELDS)
        name_zh, name_en = r.text("name_zh"), r.text("name_en")
        quorum = []
        for t in r.items("quorum", required=True):
            threshold = _threshold(t, raw.at("quorum"), p, where, quorum=True)
            if threshold:
                quorum.append(threshold)
        passes = None
        if r.has("passes"):
            passes = _threshold(raw["passes"], raw.at("passes"), p, where, quorum=False)
        else:
            r.problem("passes", _("%(field)s is required") % {"field": "passes"})
        basis[key] = r.text("basis", required=False)
        if quorum and passes:
            rules[key] = f.MeetingRule(key=key, name_zh=name_zh, name_en=name_en, quorum=tuple(quorum), passes=passes)
    return rules, basis


# --- Steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawStep:
    """A step as written, its outcomes not yet resolved (defaults, prefixes)."""

    step: f.Step
    outcomes: dict[str, str | None]  # as written; None removes a default outcome
    line: int
    outcome_lines: dict[str, int]
    subflow: str | None = None
    final: bool = False


@dataclass
class _Context:
    p: _Problems
    meetings: dict[str, f.MeetingRule]
    kinds: dict[str, tuple[str, str]]


def _attachments(value: list[Any], r: _Reader, ctx: _Context) -> tuple[f.AttachmentRequirement, ...]:
    found = []
    for entry in value:
        required = True
        kind = entry
        if isinstance(entry, _Map):
            sub = _Reader(entry, ctx.p, r.where, {"kind", "required"})
            kind = sub.text("kind")
            required = sub.flag("required", default=True)
        if not isinstance(kind, str):
            r.wrong_type("attachments", _("a list of attachment kinds"))
            continue
        if kind and kind not in ctx.kinds:
            r.problem(
                "attachments",
                _("unknown attachment kind %(kind)r (declare it under attachment_kinds)") % {"kind": kind},
            )
            continue
        if kind:
            name_zh, name_en = ctx.kinds[kind]
            found.append(f.AttachmentRequirement(kind=kind, name_zh=name_zh, name_en=name_en, required=required))
    return tuple(found)


def _step_values(m: _Map, ctx: _Context, where: str, *, partial: bool) -> tuple[dict[str, Any], _Reader]:
    """The step fields present in `m`, checked; with `partial` (overrides) none is required."""
    allowed = STEP_FIELDS - {"key"} if partial else STEP_FIELDS
    r = _Reader(m, ctx.p, where, allowed)
    req = not partial
    values: dict[str, Any] = {}

    def present(key: str) -> bool:
        return req or key in m

    if present("name_zh"):
        values["name_zh"] = r.text("name_zh")
    if present("name_en"):
        values["name_en"] = r.text("name_en")
    if present("role"):
        values["role"] = r.choice("role", ROLES, what=_("role"))
    if present("level"):
        values["level"] = r.choice("level", f.LEVELS, what=_("level"))
    if present("days"):
        values["days"] = r.number("days", minimum=1, default=1)
    if "records" in m:
        records = r.texts("records")
        for kind in records:
            if kind not in f.RECORD_KINDS:
                r.problem(
                    "records",
                    _("unknown record kind %(kind)r (expected one of: %(choices)s)")
                    % {"kind": kind, "choices": ", ".join(f.RECORD_KINDS)},
                )
        values["records"] = tuple(k for k in records if k in f.RECORD_KINDS)
    if "attachments" in m:
        raw = r.items("attachments")
        values["attachments"] = _attachments(raw, r, ctx)
    if "meeting" in m:
        meeting = r.text("meeting")
        if meeting and meeting not in ctx.meetings:
            r.problem(
                "meeting",
                _("unknown meeting %(key)r (declared: %(choices)s)")
                % {"key": meeting, "choices": ", ".join(ctx.meetings) or "—"},
            )
        values["meeting"] = meeting if meeting in ctx.meetings else None
    if "publicity_days" in m:
        values["publicity_days"] = r.number("publicity_days", minimum=0)
    if "approval" in m:
        values["approval"] = r.flag("approval")
    for key in ("description_zh", "description_en"):
        if key in m:
            values[key] = r.text(key, required=False)
    return values, r


def _outcomes(m: _Map, r: _Reader) -> tuple[dict[str, str | None], dict[str, int]]:
    raw = r.mapping("outcomes")
    if raw is None:
        return {}, {}
    found: dict[str, str | None] = {}
    lines: dict[str, int] = {}
    for outcome, target in raw.items():
        line = raw.at(outcome)
        if outcome not in f.OUTCOMES:
            r.p.add(
                line,
                r.where,
                _("unknown outcome %(outcome)r (expected one of: %(choices)s)")
                % {"outcome": outcome, "choices": ", ".join(f.OUTCOMES)},
            )
            continue
        if target is not None and not isinstance(target, str):
            r.p.add(
                line,
                r.where,
                _("outcome %(outcome)s must name a step, @approved or @rejected, not %(got)s")
                % {"outcome": outcome, "got": _type_name(target)},
            )
            continue
        found[outcome] = target
        lines[outcome] = line
    return found, lines


def _raw_step(m: Any, line: int, ctx: _Context, where: str) -> _RawStep | None:
    if not isinstance(m, _Map):
        ctx.p.add(line, where, _("a step must be a mapping with key, name_zh, name_en, role, level, days …"))
        return None
    key = m.get("key")
    where = _("%(outer)s, %(inner)s") % {
        "outer": where,
        "inner": _("step %(key)s") % {"key": key if isinstance(key, str) else "?"},
    }
    values, r = _step_values(m, ctx, where, partial=False)
    key = r.text("key")
    if key and not KEY.match(key):
        r.problem("key", _("a step key is lower-case letters, digits and _ (%(key)r)") % {"key": key})
    outcomes, outcome_lines = _outcomes(m, r)
    step = f.Step(key=key, outcomes={}, **_with_records(values))
    return _RawStep(step=step, outcomes=outcomes, line=m.line, outcome_lines=outcome_lines)


def _with_records(values: dict[str, Any]) -> dict[str, Any]:
    """Add what a step's kind implies it must record: a meeting its attendance and votes
    (the engine checks quorum and majority from them), required attachments the record
    that they were attached."""
    values = dict(values)
    records = list(values.get("records", ()))
    if values.get("meeting"):
        records += [k for k in ("attendance", "votes") if k not in records]
    if any(a.required for a in values.get("attachments", ())) and "attachments" not in records:
        records.append("attachments")
    values["records"] = tuple(records)
    return values


def _check_step(raw: _RawStep, p: _Problems, where: str) -> None:
    s = raw.step
    if s.role in VILLAGE_ONLY_ROLES and s.level and s.level != "village":
        p.add(
            raw.line,
            where,
            _("step %(key)s: a %(role)s acts only at village level, not %(level)s")
            % {"key": s.key, "role": s.role, "level": s.level},
        )
    if s.publicity_days and s.days < s.publicity_days:
        p.add(
            raw.line,
            where,
            _(
                "step %(key)s: its time limit (%(days)d working days) is shorter than its publicity period "
                "(%(publicity)d days)"
            )
            % {"key": s.key, "days": s.days, "publicity": s.publicity_days},
        )


# --- Sub-flows --------------------------------------------------------------------------


@dataclass
class _Subflow:
    info: SubflowInfo
    steps: list[_RawStep]
    final: list[_RawStep]
    required_for: tuple[str, ...]
    line: int

    @property
    def keys(self) -> set[str]:
        return {s.step.key for s in self.steps + self.final}


def _subflows(m: _Map | None, ctx: _Context) -> dict[str, _Subflow]:
    found: dict[str, _Subflow] = {}
    prefixes: dict[str, str] = {}
    for key, raw in (m or {}).items():
        line = m.at(key) if m else 0
        where = _("sub-flow %(key)s") % {"key": key}
        if not isinstance(raw, _Map):
            ctx.p.add(line, where, _("must be a mapping"))
            continue
        r = _Reader(raw, ctx.p, where, SUBFLOW_FIELDS)
        prefix = r.text("prefix")
        if prefix and not KEY.match(prefix):
            r.problem("prefix", _("a prefix is lower-case letters, digits and _ (%(key)r)") % {"key": prefix})
        elif prefix in prefixes:
            r.problem(
                "prefix",
                _("prefix %(prefix)r is already used by sub-flow %(other)s")
                % {"prefix": prefix, "other": prefixes[prefix]},
            )
        prefixes[prefix] = key
        required_for = r.texts("required_for")
        for category in required_for:
            if category not in f.CATEGORIES:
                r.problem(
                    "required_for",
                    _("unknown category %(value)r (expected one of: %(choices)s)")
                    % {"value": category, "choices": ", ".join(f.CATEGORIES)},
                )
        parts: dict[str, list[_RawStep]] = {"steps": [], "final": []}
        for part in ("steps", "final"):
            for entry in r.items(part, required=part == "steps"):
                entry_line = entry.line if isinstance(entry, _Map) else raw.at(part)
                if isinstance(entry, _Map) and "include" in entry:
                    ctx.p.add(entry_line, where, _("a sub-flow cannot include another sub-flow"))
                    continue
                step = _raw_step(entry, entry_line, ctx, where)
                if step is not None:
                    parts[part].append(
                        replace(step, step=replace(step.step, subflow=key), subflow=key, final=part == "final")
                    )
        sub = _Subflow(
            info=SubflowInfo(key=key, name_zh=r.text("name_zh"), name_en=r.text("name_en"), prefix=prefix),
            steps=parts["steps"],
            final=parts["final"],
            required_for=required_for,
            line=raw.line,
        )
        seen: dict[str, int] = {}
        for s in sub.steps + sub.final:
            if s.step.key in seen:
                ctx.p.add(
                    s.line,
                    where,
                    _("duplicate step key %(key)r (first at line %(first)d)")
                    % {"key": s.step.key, "first": seen[s.step.key]},
                )
            seen.setdefault(s.step.key, s.line)
            _check_step(s, ctx.p, where)
            # Targets inside a sub-flow name its own steps; check them once here rather
            # than once for every item that includes it.
            for outcome, target in s.outcomes.items():
                if target is not None and target not in f.TERMINALS and target not in sub.keys:
                    ctx.p.add(
                        s.outcome_lines[outcome],
                        where,
                        _("step %(key)s: %(outcome)s leads to unknown step %(target)r")
                        % {"key": s.step.key, "outcome": outcome, "target": target},
                    )
        found[key] = sub
    return found


def _prefixed(raw: _RawStep, sub: _Subflow) -> _RawStep:
    prefix = sub.info.prefix

    def name(target: str | None) -> str | None:
        return f"{prefix}.{target}" if target in sub.keys else target

    return replace(
        raw,
        step=replace(raw.step, key=f"{prefix}.{raw.step.key}"),
        outcomes={o: name(t) for o, t in raw.outcomes.items()},
    )


# --- Items ------------------------------------------------------------------------------


def _merged(defaults: _Map | None, item: _Map) -> _Map:
    merged = _Map()
    merged.line = item.line
    merged.key_lines = {}
    if defaults:
        merged.update(defaults)
        merged.key_lines.update(defaults.key_lines)
    merged.update(item)
    merged.key_lines.update(item.key_lines)
    return merged


def _expand(
    entries: list[Any], line: int, ctx: _Context, subflows: dict[str, _Subflow], where: str
) -> tuple[list[_RawStep], list[str]]:
    """The item's flow with includes expanded: (steps in order, included sub-flow keys)."""
    main: list[_RawStep] = []
    final: list[_RawStep] = []
    included: list[str] = []
    for entry in entries:
        if isinstance(entry, _Map) and "include" in entry:
            r = _Reader(entry, ctx.p, where, INCLUDE_FIELDS)
            name = r.text("include")
            sub = subflows.get(name)
            if sub is None:
                if name:
                    r.problem(
                        "include",
                        _("unknown sub-flow %(key)r (declared: %(choices)s)")
                        % {"key": name, "choices": ", ".join(subflows) or "—"},
                    )
                continue
            included.append(name)
            overrides = _overrides(r.mapping("overrides"), sub, ctx, where)
            for raw in sub.steps + sub.final:
                if raw.step.key in overrides:
                    raw = replace(raw, step=replace(raw.step, **overrides[raw.step.key]))
                (final if raw.final else main).append(_prefixed(raw, sub))
            continue
        entry_line = entry.line if isinstance(entry, _Map) else line
        step = _raw_step(entry, entry_line, ctx, where)
        if step is None:
            continue
        if "." in step.step.key:
            ctx.p.add(
                step.line, where, _("step key %(key)r: dots are kept for sub-flow prefixes") % {"key": step.step.key}
            )
        _check_step(step, ctx.p, where)
        main.append(step)
    return main + final, included


def _overrides(m: _Map | None, sub: _Subflow, ctx: _Context, where: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for key, raw in (m or {}).items():
        line = m.at(key) if m else 0
        if key not in sub.keys:
            ctx.p.add(
                line, where, _("overrides: sub-flow %(sub)s has no step %(key)r") % {"sub": sub.info.key, "key": key}
            )
            continue
        if not isinstance(raw, _Map):
            ctx.p.add(line, where, _("overrides: %(key)s must be a mapping of step fields") % {"key": key})
            continue
        step_where = _("%(outer)s, %(inner)s") % {"outer": where, "inner": _("overrides %(key)s") % {"key": key}}
        values, _r = _step_values(raw, ctx, step_where, partial=True)
        original = next(s.step for s in sub.steps + sub.final if s.step.key == key)
        values.setdefault("records", tuple(r for r in original.records if r not in ("attendance", "votes")))
        values.setdefault("meeting", original.meeting)
        values.setdefault("attachments", original.attachments)
        found[key] = _with_records(values)
    return found


def _resolve(steps: list[_RawStep], p: _Problems, where: str) -> tuple[f.Step, ...]:
    """Fill default outcomes and check every target, then the shape of the graph."""
    index: dict[str, int] = {}
    for i, s in enumerate(steps):
        if s.step.key in index:
            p.add(
                s.line,
                where,
                _("duplicate step key %(key)r (first at line %(first)d)")
                % {"key": s.step.key, "first": steps[index[s.step.key]].line},
            )
        else:
            index[s.step.key] = i
    first_final = next((i for i, s in enumerate(steps) if s.final), None)
    resolved: list[f.Step] = []
    for i, s in enumerate(steps):
        after_main = first_final is not None and not s.final
        # Before a sub-flow's final steps (result disclosure), "approved" means "go on to
        # them": nothing skips the disclosure of what was done.
        next_target = steps[i + 1].step.key if i + 1 < len(steps) else f.APPROVED
        outcomes: dict[str, str | None] = {f.OUTCOME_APPROVE: next_target, f.OUTCOME_REJECT: f.REJECTED}
        outcomes.update(s.outcomes)
        final_outcomes: dict[str, str] = {}
        for outcome, target in outcomes.items():
            if target is None:
                continue
            if target == f.APPROVED and after_main and first_final is not None:
                target = steps[first_final].step.key
            line = s.outcome_lines.get(outcome, s.line)
            if outcome == f.OUTCOME_RETURN:
                if target in f.TERMINALS:
                    p.add(
                        line,
                        where,
                        _("step %(key)s: return must go back to an earlier step, not %(target)s")
                        % {"key": s.step.key, "target": target},
                    )
                    continue
                if target in index and index[target] >= i:
                    p.add(
                        line,
                        where,
                        _("step %(key)s: return must go back to an earlier step; %(target)s comes later")
                        % {"key": s.step.key, "target": target},
                    )
                    continue
            if target not in f.TERMINALS and target not in index:
                p.add(
                    line,
                    where,
                    _("step %(key)s: %(outcome)s leads to unknown step %(target)r")
                    % {"key": s.step.key, "outcome": outcome, "target": target},
                )
                continue
            final_outcomes[outcome] = target
        resolved.append(replace(s.step, outcomes=final_outcomes))
    _check_graph(resolved, steps, p, where)
    return tuple(resolved)


def _check_graph(resolved: list[f.Step], raw: list[_RawStep], p: _Problems, where: str) -> None:
    lines = {s.step.key: s.line for s in raw}
    for s in resolved:
        if not s.outcomes:
            p.add(lines[s.key], where, _("step %(key)s has no way out: give it an outcome") % {"key": s.key})
    # Steps from which an end can be reached, grown backwards from the terminals.
    ending: set[str] = set()
    changed = True
    while changed:
        changed = False
        for s in resolved:
            if s.key not in ending and any(t in f.TERMINALS or t in ending for t in s.outcomes.values()):
                ending.add(s.key)
                changed = True
    for s in resolved:
        if s.outcomes and s.key not in ending:
            p.add(
                lines[s.key],
                where,
                _("step %(key)s can never reach an end (@approved or @rejected): it is caught in a loop with no exit")
                % {"key": s.key},
            )
    if not resolved:
        return
    by_key = {s.key: s for s in resolved}
    seen = {resolved[0].key}
    todo = [resolved[0].key]
    approvable = False
    while todo:
        for target in by_key[todo.pop()].outcomes.values():
            if target == f.APPROVED:
                approvable = True
            elif target in by_key and target not in seen:
                seen.add(target)
                todo.append(target)
    for s in resolved:
        if s.key not in seen:
            p.add(lines[s.key], where, _("step %(key)s can never be reached from the first step") % {"key": s.key})
    if not approvable:
        p.add(raw[0].line, where, _("the flow can never reach @approved"))


def _risks(r: _Reader) -> tuple[f.Risk, ...]:
    found = []
    for entry in r.items("risks", required=True):
        if not isinstance(entry, _Map):
            r.wrong_type("risks", _("a list of {point, measure}"))
            continue
        sub = _Reader(entry, r.p, r.where, {"point", "measure"})
        found.append(f.Risk(point=sub.text("point"), measure=sub.text("measure")))
    return tuple(found)


def _item(
    raw: Any,
    line: int,
    defaults: _Map | None,
    ctx: _Context,
    subflows: dict[str, _Subflow],
    townships: Collection[str] | None,
) -> f.Item | None:
    if not isinstance(raw, _Map):
        ctx.p.add(line, _("items"), _("an item must be a mapping with code, name_zh, name_en …"))
        return None
    code_value = raw.get("code")
    where = _("item %(code)s") % {"code": code_value if isinstance(code_value, str) else "?"}
    m = _merged(defaults, raw)
    r = _Reader(m, ctx.p, where, ITEM_FIELDS)
    code = r.text("code")
    if code and not CODE.match(code):
        r.problem(
            "code", _("an item code is capital letters and digits joined by -, like ZD-01 (%(code)r)") % {"code": code}
        )
    category = r.choice("category", f.CATEGORIES, what=_("category"))
    level = r.choice("level", ITEM_LEVELS, required=False, default="village", what=_("level"))
    township = r.text("township", required=False) or None
    if township is not None:
        try:
            is_township = codes.level_of(township) == codes.TOWNSHIP
        except InvalidInput:
            is_township = False
        if not is_township:
            r.problem("township", _("%(code)r is not a township code") % {"code": township})
        elif townships is not None and township not in townships:
            r.problem("township", _("township %(code)s is not stored: import the regions first") % {"code": township})
    replaces = r.texts("replaces")
    for old in replaces:
        if not CODE.match(old):
            r.problem("replaces", _("%(code)r is not an item code") % {"code": old})
        elif old == code:
            r.problem("replaces", _("an item cannot replace itself"))
    authorises = r.texts("authorises")
    for kind in authorises:
        problem = purpose_problem(kind)
        if problem:
            r.problem("authorises", _("authorises: %(problem)s") % {"problem": problem})
    if len(set(authorises)) != len(authorises):
        r.problem("authorises", _("authorises names a kind of record twice"))
    steps: tuple[f.Step, ...] = ()
    entries = r.items("flow", required=True)
    expanded, included = _expand(entries, m.at("flow"), ctx, subflows, where)
    for key, sub in subflows.items():
        if category in sub.required_for and key not in included:
            r.problem(
                "flow", _("a %(category)s item must include the sub-flow %(key)s") % {"category": category, "key": key}
            )
    if expanded:
        steps = _resolve(expanded, ctx.p, where)
    item = f.Item(
        code=code,
        name_zh=r.text("name_zh"),
        name_en=r.text("name_en"),
        category=category,
        basis="\n".join(r.texts("basis", required=True)),
        exerciser=r.text("exerciser"),
        supervisor=r.text("supervisor"),
        conditions=r.texts("conditions", required=True),
        materials=r.texts("materials", required=True),
        time_limit_days=r.number("time_limit_days", minimum=1, default=1),
        fee=r.text("fee"),
        risks=_risks(r),
        flow=f.Flow(steps=steps),
        level=level,
        township=township,
        local=r.flag("local"),
        needs_amount=r.flag("needs_amount"),
        needs_applicant=r.flag("needs_applicant"),
        extra={
            "exerciser_en": r.text("exerciser_en", required=False),
            "supervisor_en": r.text("supervisor_en", required=False),
            "fee_en": r.text("fee_en", required=False),
            "replaces": list(replaces),
            "authorises": list(authorises),
            "line": raw.line,
        },
    )
    return item


# --- The file ---------------------------------------------------------------------------


def parse(source: str, *, townships: Collection[str] | None = None) -> PowerList:
    """Parse and check a power-list file; raise InvalidInput naming every problem.

    `townships`: the codes of the stored townships, which township-specific items must
    name; None skips that check (for a file checked before any region exists).
    """
    p = _Problems()
    loader = _Loader(source)
    try:
        root = loader.get_single_data()
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None) or getattr(e, "context_mark", None)
        line = mark.line + 1 if mark is not None else 0
        problem = getattr(e, "problem", None) or str(e)
        p.add(line, "", _("YAML syntax error: %(problem)s") % {"problem": problem})
        p.raise_if_any()
    finally:
        loader.dispose()
    for line, key in loader.duplicates:
        p.add(line, "", _("%(key)s appears twice in the same mapping") % {"key": key})
    for line in loader.bad_keys:
        p.add(line, "", _("a key must be a plain word, not a list or mapping"))
    if not isinstance(root, _Map):
        p.add(1, "", _("the file must be a mapping with meetings, subflows and items"))
        p.raise_if_any()
    assert isinstance(root, _Map)
    r = _Reader(root, p, "", TOP_FIELDS)
    if r.has("format") and root["format"] != FORMAT:
        r.problem(
            "format",
            _("format %(got)r is not supported (this version reads format %(want)d)")
            % {"got": root["format"], "want": FORMAT},
        )
    meetings, meeting_basis = _meetings(r.mapping("meetings"), p)
    kinds: dict[str, tuple[str, str]] = {}
    kinds_map = r.mapping("attachment_kinds")
    for key, value in (kinds_map or {}).items():
        where = _("attachment kind %(key)s") % {"key": key}
        if not isinstance(value, _Map):
            p.add(kinds_map.at(key) if kinds_map else 0, where, _("must be a mapping with name_zh and name_en"))
            continue
        kr = _Reader(value, p, where, {"name_zh", "name_en"})
        kinds[str(key)] = (kr.text("name_zh"), kr.text("name_en"))
    ctx = _Context(p=p, meetings=meetings, kinds=kinds)
    subflows = _subflows(r.mapping("subflows"), ctx)
    defaults = r.mapping("item_defaults")
    if defaults is not None:
        for key in defaults:
            if key not in DEFAULTABLE:
                p.add(defaults.at(key), _("item_defaults"), _("%(field)r cannot be given a default") % {"field": key})
    items: list[f.Item] = []
    first_line: dict[str, int] = {}
    for entry in r.items("items", required=True):
        line = entry.line if isinstance(entry, _Map) else root.at("items")
        usable_defaults = None
        if defaults is not None:
            usable_defaults = _Map({k: v for k, v in defaults.items() if k in DEFAULTABLE})
            usable_defaults.line, usable_defaults.key_lines = defaults.line, defaults.key_lines
        item = _item(entry, line, usable_defaults, ctx, subflows, townships)
        if item is None:
            continue
        if item.code in first_line:
            p.add(
                item.extra["line"],
                _("item %(code)s") % {"code": item.code},
                _("duplicate item code (first at line %(first)d)") % {"first": first_line[item.code]},
            )
            continue
        if item.code:
            first_line[item.code] = item.extra["line"]
        items.append(item)
    for item in items:
        for old in item.extra["replaces"]:
            if old in first_line:
                p.add(
                    item.extra["line"],
                    _("item %(code)s") % {"code": item.code},
                    _("replaces %(old)s, but %(old)s is still in the list (line %(line)d)")
                    % {"old": old, "line": first_line[old]},
                )
    p.raise_if_any()
    return PowerList(
        label=r.text("label", required=False),
        label_en=r.text("label_en", required=False),
        meetings=meetings,
        meeting_basis=meeting_basis,
        attachment_kinds=kinds,
        subflows={k: s.info for k, s in subflows.items()},
        items=tuple(items),
    )
