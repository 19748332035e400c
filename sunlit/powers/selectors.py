"""Reads of the power list: the current version, an item, a village's list, what changed
between two versions, and each item's flowchart as Mermaid text.

The public pages read the published versions (`PublishedVersion`, `PublishedItem`,
derived from the publication log by `publication.derive`); the back office reads the
working rows that cases point at. Every list is one or two queries whatever its length
(pinned in the tests).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sunlit.accounts.models import Role
from sunlit.lib.errors import InvalidInput
from sunlit.powers import flow as f
from sunlit.powers.models import PowerItem, PowerListVersion, PublishedItem, PublishedVersion, english
from sunlit.regions import codes
from sunlit.regions.models import Region

# --- The public pages: published versions only -------------------------------------------


def published_current() -> PublishedVersion | None:
    """The version in force as published (None before any list is published)."""
    return PublishedVersion.objects.filter(is_current=True).first()


def published_version(number: int) -> PublishedVersion | None:
    return PublishedVersion.objects.filter(number=number).first()


def published_versions() -> QuerySet[PublishedVersion]:
    """Every published version, newest first, with its item count (one query)."""
    return PublishedVersion.objects.annotate(item_count=Count("items")).order_by("-number")


def item(version: PublishedVersion | None, code: str) -> PublishedItem | None:
    if version is None:
        return None
    return PublishedItem.objects.select_related("township", "version").filter(version=version, code=code).first()


def items(
    version: PublishedVersion, *, township: str | None = None, all_townships: bool = False
) -> list[PublishedItem]:
    """The version's items in list order: the general ones, plus `township`'s own
    (特色清单); with `all_townships`, every township's too."""
    qs = PublishedItem.objects.filter(version=version).select_related("township")
    if not all_townships:
        condition = Q(township__isnull=True)
        if township:
            condition |= Q(township_id=township)
        qs = qs.filter(condition)
    return list(qs.order_by("position"))


def townships_with_own_items(version: PublishedVersion) -> list[Region]:
    """Townships that have a 特色清单 in this version (for links to their lists)."""
    return list(
        Region.objects.filter(
            code__in=PublishedItem.objects.filter(version=version, township__isnull=False).values("township_id")
        ).order_by("code")
    )


def village(code: str) -> Region | None:
    """The village with this code (its township joined), or None for anything else."""
    try:
        if codes.level_of(code) != codes.VILLAGE:
            return None
    except InvalidInput:
        return None
    return Region.objects.select_related("parent").filter(code=code, level=codes.VILLAGE).first()


# --- The back office: the working rows cases point at ------------------------------------


def versions() -> QuerySet[PowerListVersion]:
    """Every loaded version, newest first, with its item count and loader (one query)."""
    return (
        PowerListVersion.objects.select_related("loaded_by")
        .defer("source")
        .annotate(item_count=Count("items"))
        .order_by("-number")
    )


def current_version() -> PowerListVersion | None:
    """The version cases are opened under (the working row, which the public never reads)."""
    return PowerListVersion.objects.filter(is_current=True).first()


def items_for_village(village_code: str) -> list[PowerItem]:
    """The current list as it applies in one village, as the rows a case is opened
    under: general items plus those of the village's township. Empty when no list is
    loaded or the code is not a village."""
    try:
        if codes.level_of(village_code) != codes.VILLAGE:
            return []
    except InvalidInput:
        return []
    current = current_version()
    if current is None:
        return []
    condition = Q(township__isnull=True) | Q(township_id=codes.parent_code(village_code))
    return list(PowerItem.objects.filter(condition, version=current).select_related("township").order_by("position"))


def published_source(number: int) -> tuple[PublishedVersion, str] | None:
    """The file a published version was loaded from, only if its bytes still hash to the
    published SHA-256 (the file is kept once, in the working table, not in every chain)."""
    published = published_version(number)
    if published is None:
        return None
    source = PowerListVersion.objects.filter(sha256=published.sha256).values_list("source", flat=True).first()
    if source is None or hashlib.sha256(source.encode("utf-8")).hexdigest() != published.sha256:
        return None
    return published, source


@dataclass
class Group:
    category: str
    label: str
    items: list[PublishedItem] = field(default_factory=list)


def grouped(items: list[PublishedItem]) -> list[Group]:
    """Items under their category headings, in the list's category order."""
    groups = [Group(category=value, label=str(label)) for value, label in PowerItem.Category.choices]
    by_category = {g.category: g for g in groups}
    for i in items:
        by_category[i.category].items.append(i)
    return [g for g in groups if g.items]


# --- What changed between two versions ---------------------------------------------------

# Fields compared as "other fields" (names and flow have their own headings).
COMPARED = (
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
    "level",
    "township_id",
    "local",
    "needs_amount",
    "needs_applicant",
)
FIELD_LABELS = {
    "category": gettext_lazy("category"),
    "basis": gettext_lazy("policy basis"),
    "exerciser": gettext_lazy("exercised by"),
    "exerciser_en": gettext_lazy("exercised by (English)"),
    "supervisor": gettext_lazy("supervised by"),
    "supervisor_en": gettext_lazy("supervised by (English)"),
    "conditions": gettext_lazy("conditions"),
    "materials": gettext_lazy("required materials"),
    "time_limit_days": gettext_lazy("time limit"),
    "fee": gettext_lazy("fee"),
    "fee_en": gettext_lazy("fee (English)"),
    "risks": gettext_lazy("risk points"),
    "level": gettext_lazy("where cases are opened"),
    "township_id": gettext_lazy("township"),
    "local": gettext_lazy("locally defined"),
    "needs_amount": gettext_lazy("amount"),
    "needs_applicant": gettext_lazy("applicant household"),
}


@dataclass
class Change:
    old: PublishedItem
    new: PublishedItem
    fields: list[str] = field(default_factory=list)


@dataclass
class Merge:
    """`new` takes the place of `old` items (one: a renumbering; several: a merge)."""

    new: PublishedItem
    old: list[PublishedItem]

    @property
    def is_merge(self) -> bool:
        return len(self.old) > 1


@dataclass
class VersionDiff:
    a: PublishedVersion
    b: PublishedVersion
    added: list[PublishedItem] = field(default_factory=list)
    removed: list[PublishedItem] = field(default_factory=list)
    renamed: list[Change] = field(default_factory=list)
    replaced: list[Merge] = field(default_factory=list)
    flow_changed: list[Change] = field(default_factory=list)
    fields_changed: list[Change] = field(default_factory=list)

    @property
    def merged(self) -> list[Merge]:
        return [m for m in self.replaced if m.is_merge]

    @property
    def recoded(self) -> list[Merge]:
        return [m for m in self.replaced if not m.is_merge]

    @property
    def empty(self) -> bool:
        return not (
            self.added or self.removed or self.renamed or self.replaced or self.flow_changed or self.fields_changed
        )


def _flow_shape(data: dict[str, Any]) -> Any:
    return data.get("steps", [])


def version_diff(a: PublishedVersion, b: PublishedVersion) -> VersionDiff:
    """What changed from version `a` to version `b` (two queries).

    An item of `b` that declares `replaces: [OLD, …]` names the items of `a` it takes
    over: one old code is a renumbering, several a merge. Those old items are neither
    "removed" nor the new one "added": the villager sees where a power went.
    """
    old = {i.code: i for i in items(a, all_townships=True)}
    new = {i.code: i for i in items(b, all_townships=True)}
    diff = VersionDiff(a=a, b=b)
    taken: set[str] = set()
    for code, item_b in new.items():
        if code in old:
            continue
        predecessors = [old[c] for c in item_b.replaces if c in old and c not in new]
        if predecessors:
            diff.replaced.append(Merge(new=item_b, old=predecessors))
            taken.update(p.code for p in predecessors)
        else:
            diff.added.append(item_b)
    diff.removed = [i for code, i in old.items() if code not in new and code not in taken]
    for code, item_b in new.items():
        item_a = old.get(code)
        if item_a is None:
            continue
        if (item_a.name_zh, item_a.name_en) != (item_b.name_zh, item_b.name_en):
            diff.renamed.append(Change(old=item_a, new=item_b))
        if _flow_shape(item_a.flow) != _flow_shape(item_b.flow):
            diff.flow_changed.append(Change(old=item_a, new=item_b))
        changed = [name for name in COMPARED if getattr(item_a, name) != getattr(item_b, name)]
        if changed:
            diff.fields_changed.append(Change(old=item_a, new=item_b, fields=[str(FIELD_LABELS[n]) for n in changed]))
    return diff


# --- Flowcharts ------------------------------------------------------------------------

LEVEL_LABELS = {
    "village": gettext_lazy("village"),
    "township": gettext_lazy("township"),
    "county": gettext_lazy("county"),
}


def _label(text: str) -> str:
    """Mermaid label text: quotes and angle brackets as Mermaid's own entity codes, so a
    name can never break out of its node (and `securityLevel: strict` holds the rest)."""
    return text.replace("#", "#35;").replace('"', "#34;").replace("<", "#60;").replace(">", "#62;")


def _local(obj: Any, name: str) -> str:
    value = getattr(obj, f"{name}_en") if english() else getattr(obj, f"{name}_zh")
    return str(value or getattr(obj, f"{name}_zh"))


def role_at(role: str, level: str) -> str:
    """Who takes a step, as a villager says it: a "township official" role held at the
    county is a county department (the civil-affairs bureau approving 低保), not a
    township cadre."""
    if role == Role.TOWNSHIP_OFFICIAL and level == "county":
        return str(_("county department"))
    return str(Role(role).label) if role in Role.values else role


def step_summary(step: f.Step) -> str:
    """One line under a step's name: who, where, how long."""
    role = role_at(step.role, step.level)
    parts = [role, str(LEVEL_LABELS.get(step.level, step.level)), _("%(days)d working days") % {"days": step.days}]
    if step.publicity_days:
        parts.append(_("posted %(days)d days") % {"days": step.publicity_days})
    return " · ".join(parts)


def flowchart_mermaid(
    item: PowerItem | PublishedItem | f.Item,
    *,
    subflows: dict[str, Any] | None = None,
    meetings: dict[str, Any] | None = None,
) -> str:
    """The item's flow as a Mermaid `flowchart TD`, in the current language.

    Steps are numbered boxes (publicity steps slanted and shaded, meetings rounded),
    edges carry their outcome (approve solid, reject to the red end, return dashed
    back), and consecutive steps of one sub-flow sit in a titled box.
    """
    flow_ = item.flow if isinstance(item, f.Item) else item.get_flow()
    if not isinstance(item, f.Item):
        subflows = subflows if subflows is not None else item.version.subflows
        meetings = meetings if meetings is not None else item.version.meetings
    subflows = subflows or {}
    meetings = meetings or {}
    ids = {s.key: f"s{n}" for n, s in enumerate(flow_.steps, start=1)}
    ids[f.APPROVED] = "done"
    ids[f.REJECTED] = "refused"
    lines = ["flowchart TD"]

    def node(n: int, s: f.Step) -> str:
        parts = [f"{n}. {_local(s, 'name')}", step_summary(s)]
        if s.meeting and s.meeting in meetings:
            parts.append(_local(_Obj(meetings[s.meeting]), "name"))
        text = "<br/>".join(_label(p) for p in parts)
        if s.publicity_days:
            return f'{ids[s.key]}[/"{text}"/]'
        if s.meeting:
            return f'{ids[s.key]}("{text}")'
        return f'{ids[s.key]}["{text}"]'

    start, done, refused = _("Start"), _("Approved / done"), _("Rejected")
    lines.append(f'  start(["{_label(start)}"])')
    group: str | None = None
    groups = 0
    for n, s in enumerate(flow_.steps, start=1):
        if s.subflow != group:
            if group is not None:
                lines.append("  end")
            group = s.subflow
            if group is not None:
                groups += 1
                title = _local(_Obj(subflows.get(group, {"name_zh": group, "name_en": group})), "name")
                lines.append(f'  subgraph g{groups}["{_label(title)}"]')
        lines.append(("    " if group else "  ") + node(n, s))
    if group is not None:
        lines.append("  end")
    lines.append(f'  done(["{_label(done)}"])')
    lines.append(f'  refused(["{_label(refused)}"])')
    labels = {f.OUTCOME_APPROVE: _("approve"), f.OUTCOME_REJECT: _("reject"), f.OUTCOME_RETURN: _("return")}
    if flow_.steps:
        lines.append(f"  start --> {ids[flow_.steps[0].key]}")
    for s in flow_.steps:
        for outcome in f.OUTCOMES:
            target = s.outcomes.get(outcome)
            if target is None or target not in ids:
                continue
            arrow = "-.->" if outcome == f.OUTCOME_RETURN else "-->"
            lines.append(f'  {ids[s.key]} {arrow}|"{_label(str(labels[outcome]))}"| {ids[target]}')
    lines.append("  classDef publicity fill:#fff4d6,stroke:#b7791f")
    lines.append("  classDef meeting fill:#eef4fb,stroke:#2b6cb0")
    lines.append("  classDef ok fill:#e6f4ea,stroke:#2f855a")
    lines.append("  classDef no fill:#fdecec,stroke:#9b1c1c")
    publicity = [ids[s.key] for s in flow_.steps if s.publicity_days]
    meeting_ids = [ids[s.key] for s in flow_.steps if s.meeting and not s.publicity_days]
    if publicity:
        lines.append(f"  class {','.join(publicity)} publicity")
    if meeting_ids:
        lines.append(f"  class {','.join(meeting_ids)} meeting")
    lines.append("  class done ok")
    lines.append("  class refused no")
    return "\n".join(lines) + "\n"


class _Obj:
    """Attribute access over a stored dict (meeting rules and sub-flows are JSON)."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.__dict__.update(data)

    def __getattr__(self, name: str) -> str:
        return ""


# --- Steps as a list (for readers without JavaScript, and for print) -------------------


@dataclass
class StepRow:
    number: int
    key: str
    name: str
    description: str
    role: str
    level: str
    days: int
    publicity_days: int
    approval: bool
    meeting: str
    subflow: str
    attachments: list[str]
    outcomes: list[tuple[str, str]]  # (outcome label, where it leads)


def step_rows(item: PowerItem | PublishedItem) -> list[StepRow]:
    """The item's steps, numbered, in the current language, with where each outcome leads."""
    steps = item.get_flow().steps
    numbers = {s.key: n for n, s in enumerate(steps, start=1)}
    meetings = item.version.meetings
    subflows = item.version.subflows
    labels = {f.OUTCOME_APPROVE: _("approve"), f.OUTCOME_REJECT: _("reject"), f.OUTCOME_RETURN: _("return")}
    ends = {f.APPROVED: _("approved / done"), f.REJECTED: _("rejected")}
    rows = []
    for n, s in enumerate(steps, start=1):
        outcomes = []
        for outcome in f.OUTCOMES:
            target = s.outcomes.get(outcome)
            if target is None:
                continue
            where = str(ends[target]) if target in ends else _("step %(n)d") % {"n": numbers.get(target, 0)}
            outcomes.append((str(labels[outcome]), where))
        rows.append(
            StepRow(
                number=n,
                key=s.key,
                name=_local(s, "name"),
                description=_local(s, "description") if (s.description_zh or s.description_en) else "",
                role=role_at(s.role, s.level),
                level=str(LEVEL_LABELS.get(s.level, s.level)),
                days=s.days,
                publicity_days=s.publicity_days,
                approval=s.approval,
                meeting=_local(_Obj(meetings[s.meeting]), "name") if s.meeting in meetings else "",
                subflow=_local(_Obj(subflows[s.subflow]), "name") if s.subflow in subflows else "",
                attachments=[
                    (a.name_en if english() else a.name_zh) + ("" if a.required else _(" (if any)"))
                    for a in s.attachments
                ],
                outcomes=outcomes,
            )
        )
    return rows
