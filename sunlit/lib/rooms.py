"""Room manifests: what each room brings to the platform, declared in one place.

A room is a package under `sunlit/` (or anywhere importable) listed in the setting
`SUNLIT_ROOMS` (dotted paths, as healthchecks lists its `TRANSPORTS`). Each has a
`room.py` whose `ROOM` is a `Room`: its actions and the roles that hold them, its
back-office desks, the public record kinds it publishes (labels, readable pages), the
field labels of its snapshots, its "question this" resolvers, its periodic jobs, its
demo seeder and the rooms it depends on, and the module with its URL patterns.

The platform reads the manifests — the jurisdiction check, the office home, the portal,
reports, the publication log's pages, the scheduler, the demo and the URL conf — and no
room edits another room's module. Two rooms declaring the same action, kind, resolver,
label or job is a configuration error (raised at start-up), never "first one wins".
See docs/rooms.md.

This module imports no room: manifests name roles by their stored value and tasks,
seeders and URL modules by dotted path, so reading a manifest imports nothing heavy.
"""

from __future__ import annotations

import graphlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.urls import URLPattern, URLResolver, include, path
from django.utils.functional import Promise
from django.utils.module_loading import import_string

# The layout of the public pages for the touch screens in village halls: every public page
# of every room exists under this prefix too, by construction (see `urlpatterns`).
KIOSK_PREFIX = "kiosk/"
KIOSK_NAME = "kiosk_"

Label = str | Promise

# Roles by their stored value (accounts.models.Role checks at start-up that these are its own).
CADRE = "cadre"
SUPERVISOR = "supervisor"
TOWNSHIP = "township_official"
INSPECTOR = "inspector"
OPERATOR = "operator"
ADMIN = "admin"
ALL_ROLES = frozenset({CADRE, SUPERVISOR, TOWNSHIP, INSPECTOR, OPERATOR, ADMIN})


@dataclass(frozen=True)
class Desk:
    """A link on the back office's front door, shown to whoever holds `action` somewhere."""

    url_name: str
    label: Label
    action: str


@dataclass(frozen=True)
class PublicRecord:
    """A published record as a villager can point at it ("question this")."""

    kind: str
    ref: str
    label: str
    subject_code: str  # a village, or a township for a report about its officials


@dataclass(frozen=True)
class PageLink:
    """Where a published record is read: a URL name of the room's public pages and its args.

    Layout-free: the portal reverses `url_name` (or its kiosk twin) itself.
    """

    url_name: str
    args: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordKind:
    """A kind of record the room publishes through the publication log."""

    kind: str
    label: Label
    # (ref, snapshot) -> its readable public page, or None when it has none.
    page: Callable[[str, Mapping[str, Any]], PageLink | None] | None = None


@dataclass(frozen=True)
class Job:
    """A periodic job: its task by dotted path, its interval by setting name."""

    name: str
    interval_setting: str
    task_path: str

    @property
    def interval(self) -> int:
        """Seconds between two runs."""
        return int(getattr(settings, self.interval_setting))

    @property
    def task(self) -> Any:
        return import_string(self.task_path)


@dataclass
class DemoContext:
    """What a room's demo seeder gets: the plan of regions and accounts, and a place for
    its results (read back by `sunlit demo` for its closing line)."""

    plan: Any
    scale: str
    seed: int
    progress: bool
    epoch: datetime  # where the demo's history starts
    results: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Room:
    name: str  # the room's label: its URL namespace and the prefix of its actions
    label: Label  # what a villager calls the room's records
    depends_on: tuple[str, ...] = ()  # rooms whose demo data and services this one needs
    actions: Mapping[str, Iterable[str]] = field(default_factory=dict)  # action -> roles
    desks: tuple[Desk, ...] = ()
    kinds: tuple[RecordKind, ...] = ()
    labels: Mapping[str, Label] = field(default_factory=dict)  # snapshot field -> label
    # kind -> resolver: ref -> the public record, or None if no such published record.
    resolvers: Mapping[str, Callable[[str], PublicRecord | None]] = field(default_factory=dict)
    jobs: tuple[Job, ...] = ()
    # Kinds of record that must cite the approved case authorising them ("no power outside
    # the list"): purpose -> the name of its qualifier ("" for none), e.g. "welfare.payment":
    # "programme" for `welfare.payment:dibao`. The power list's items say which they authorise.
    purposes: Mapping[str, str] = field(default_factory=dict)
    # Records whose very existence is restricted (a villager's report): object type
    # ("app_label.model_name") -> user -> a queryset of the ids (as text) he may know of.
    # The audit log shows rows about other objects of that type to nobody else.
    restricted_audit: Mapping[str, Callable[[Any], Any]] = field(default_factory=dict)
    demo: str | None = None  # dotted path of `seed(ctx: DemoContext) -> None`
    urls: str | None = None  # dotted path of a module with `app_name`, `pages`, `urlpatterns`


@dataclass(frozen=True)
class Registry:
    rooms: tuple[Room, ...]
    actions: Mapping[str, frozenset[str]]
    desks: tuple[Desk, ...]
    kinds: Mapping[str, RecordKind]
    labels: Mapping[str, Label]
    resolvers: Mapping[str, Callable[[str], PublicRecord | None]]
    jobs: tuple[Job, ...]
    purposes: Mapping[str, str]
    restricted_audit: Mapping[str, Callable[[Any], Any]]

    def room(self, name: str) -> Room | None:
        return next((r for r in self.rooms if r.name == name), None)


def _unique(what: str, pairs: Iterable[tuple[str, str, Any]]) -> dict[str, Any]:
    """{key: value} from (room, key, value), refusing a key declared by two rooms."""
    found: dict[str, Any] = {}
    owner: dict[str, str] = {}
    for room, key, value in pairs:
        if key in found:
            raise ImproperlyConfigured(f"{what} {key!r} is declared by both room {owner[key]!r} and room {room!r}")
        found[key], owner[key] = value, room
    return found


def manifest(dotted: str) -> Room:
    """The manifest of the room at `dotted` (its `room.py`'s ROOM)."""
    try:
        module = import_module(f"{dotted}.room")
    except ModuleNotFoundError as e:
        if e.name != f"{dotted}.room":
            raise
        raise ImproperlyConfigured(f"room {dotted!r} has no room.py manifest") from e
    room = getattr(module, "ROOM", None)
    if not isinstance(room, Room):
        raise ImproperlyConfigured(f"{dotted}.room must define ROOM = Room(...)")
    return room


def build(rooms: list[Room]) -> Registry:
    """One registry from the rooms' manifests, refusing conflicts and unknown dependencies."""
    _unique("room", ((r.name, r.name, r) for r in rooms))
    names = {r.name for r in rooms}
    for r in rooms:
        missing = [d for d in r.depends_on if d not in names]
        if missing:
            raise ImproperlyConfigured(f"room {r.name!r} depends on {', '.join(missing)}, not in SUNLIT_ROOMS")
    actions = _unique("action", ((r.name, a, frozenset(roles)) for r in rooms for a, roles in r.actions.items()))
    kinds = _unique("record kind", ((r.name, k.kind, k) for r in rooms for k in r.kinds))
    registry = Registry(
        rooms=tuple(_ordered(rooms)),
        actions=actions,
        desks=tuple(d for r in rooms for d in r.desks),
        kinds=kinds,
        labels=_unique("snapshot field label", ((r.name, k, v) for r in rooms for k, v in r.labels.items())),
        resolvers=_unique("question resolver", ((r.name, k, v) for r in rooms for k, v in r.resolvers.items())),
        jobs=tuple(_unique("job", ((r.name, j.name, j) for r in rooms for j in r.jobs)).values()),
        purposes=_unique("authorised purpose", ((r.name, k, v) for r in rooms for k, v in r.purposes.items())),
        restricted_audit=_unique(
            "restricted audit type", ((r.name, k, v) for r in rooms for k, v in r.restricted_audit.items())
        ),
    )
    for desk in registry.desks:
        if desk.action not in actions:
            raise ImproperlyConfigured(f"desk {desk.url_name!r} needs action {desk.action!r}, which no room declares")
    return registry


def _ordered(rooms: list[Room]) -> list[Room]:
    """Dependencies first: by depth in the dependency graph, then in the setting's order.

    A room's dependencies are always shallower than it, so this is a topological order, and
    it is the same whatever order INSTALLED_APPS loads the apps in.
    """
    graph = {r.name: r.depends_on for r in rooms}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as e:
        raise ImproperlyConfigured(f"rooms depend on each other in a cycle: {' -> '.join(e.args[1])}") from e
    depth: dict[str, int] = {}
    for name in order:  # dependencies come before their dependents here
        depth[name] = 1 + max((depth[d] for d in graph[name]), default=-1)
    position = {r.name: i for i, r in enumerate(rooms)}
    return sorted(rooms, key=lambda r: (depth[r.name], position[r.name]))


@cache
def registry() -> Registry:
    return build([manifest(dotted) for dotted in settings.SUNLIT_ROOMS])


def _reset(*, setting: str, **kwargs: Any) -> None:
    if setting == "SUNLIT_ROOMS":
        registry.cache_clear()


setting_changed.connect(_reset)


def demo_seeders() -> list[tuple[Room, Callable[[DemoContext], None]]]:
    """Each room's demo seeder, dependencies first."""
    return [(r, import_string(r.demo)) for r in registry().rooms if r.demo]


# --- URLs ------------------------------------------------------------------------------


def kiosk_twin(pattern: URLPattern) -> URLPattern:
    """The kiosk copy of a public page: same view, `/kiosk/` prefix, layout "kiosk"."""
    if not isinstance(pattern, URLPattern) or not pattern.name:
        raise ImproperlyConfigured(f"public page {pattern!r} must be a named path(), not an include()")
    return path(
        KIOSK_PREFIX + str(pattern.pattern),
        pattern.callback,
        {**pattern.default_args, "layout": "kiosk"},
        name=KIOSK_NAME + pattern.name,
    )


def room_patterns(module: Any) -> list[URLPattern | URLResolver]:
    """A room's URL patterns: its public pages under both layouts, then the rest."""
    pages = list(getattr(module, "pages", []))
    others = list(getattr(module, "urlpatterns", []))
    # "kiosk_<name>" is the name of a page's kiosk twin: nothing else may take it.
    taken = [p.name for p in others if isinstance(p, URLPattern) and (p.name or "").startswith(KIOSK_NAME)]
    if taken:
        raise ImproperlyConfigured(f"URL names {taken} start with {KIOSK_NAME!r}, kept for the kiosk twins of pages")
    return [*pages, *(kiosk_twin(p) for p in pages), *others]


def urlpatterns(rooms: Iterable[Room] | None = None) -> list[URLResolver]:
    """The site's URL conf: every room's patterns in its own namespace."""
    found: list[URLResolver] = []
    for room in registry().rooms if rooms is None else rooms:
        if room.urls is None:
            continue
        module = import_module(room.urls)
        app_name = getattr(module, "app_name", room.name)
        found.append(path("", include((room_patterns(module), app_name))))
    return found
