"""Reads behind the public pages: the region tree and what each village has published.

Every page is a fixed, small number of queries whatever the size of the county (the
counts are pinned in tests): a kiosk in a village hall and a thousand phones on market
day must not each cost the server a query per village.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from sunlit.lib import rooms
from sunlit.lib.errors import InvalidInput
from sunlit.lib.rooms import PageLink
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency import selectors as tsel


@dataclass
class Area:
    """A heading on the home page (normally a county) and its townships."""

    region: Region | None  # None for townships whose parent is not stored
    townships: list[Region] = field(default_factory=list)


def _level_or_none(code: str) -> str | None:
    try:
        return codes.level_of(code)
    except InvalidInput:
        return None


def home_areas() -> list[Area]:
    """Every township of the deployment with its village and community counts, grouped
    under its county, in one query.

    Grouped by county rather than by the stored root: a deployment usually stores the
    province and prefecture above its county, and a villager looks for "涟源市", not
    "湖南省".
    """
    townships = (
        Region.objects.filter(level=codes.TOWNSHIP)
        .select_related("parent")
        .annotate(
            village_count=Count("children", filter=Q(children__level=codes.VILLAGE, children__is_community=False)),
            community_count=Count("children", filter=Q(children__level=codes.VILLAGE, children__is_community=True)),
        )
        .order_by("code")
    )
    areas: dict[str | None, Area] = {}
    for township in townships:
        area = areas.setdefault(township.parent_id, Area(region=township.parent))
        area.townships.append(township)
    return list(areas.values())


def township(code: str) -> Region | None:
    """The township with this code, or None for a malformed code or another level."""
    if _level_or_none(code) != codes.TOWNSHIP:
        return None
    return Region.objects.filter(code=code, level=codes.TOWNSHIP).first()


def villages_of(township: Region) -> list[Region]:
    return list(Region.objects.filter(parent=township, level=codes.VILLAGE).order_by("code"))


# What a villager calls each kind of published record: the label its room's manifest
# declares for the kind, else the room's own label (the part before the dot); an unknown
# kind shows as it is rather than disappearing.
TITLE_FIELDS = ("title", "name", "summary", "subject")


def kind_label(kind: str) -> str:
    registry = rooms.registry()
    declared = registry.kinds.get(kind)
    if declared is not None:
        return str(declared.label)
    room = registry.room(kind.split(".", 1)[0])
    return str(room.label) if room is not None else kind


def page_link(kind: str, ref: str, snapshot: Any) -> PageLink | None:
    """The readable public page of a published record, as its room's manifest says."""
    declared = rooms.registry().kinds.get(kind)
    return declared.page(ref, snapshot) if declared is not None and declared.page is not None else None


@dataclass
class Published:
    """One line of a village's list of published records."""

    entry: Any
    kind_label: str
    title: str
    page: PageLink | None = None  # its readable public page, when its room has one

    @property
    def corrected(self) -> bool:
        return bool(self.entry.supersedes_id)


def _published(entry: Any) -> Published:
    snapshot = entry.snapshot
    title = next((str(snapshot[f]) for f in TITLE_FIELDS if snapshot.get(f)), entry.ref)
    return Published(
        entry=entry, kind_label=kind_label(entry.kind), title=title, page=page_link(entry.kind, entry.ref, snapshot)
    )


RECENT = 20


@dataclass
class VillagePage:
    region: Region
    # The published profile's fields, or the Region row's while none is published yet:
    # names and service-centre phones are public either way.
    name: str
    phone: str
    address: str
    is_community: bool
    profile: Any | None  # the published transparency Entry, when there is one
    entries: list[Published]  # the newest RECENT records
    more: bool = False  # older ones exist: the chain's log lists them all

    @property
    def township(self) -> Region | None:
        return self.region.parent


def village_page(code: str) -> VillagePage | None:
    """A village's public page, read from the publication log; None if no such village."""
    if _level_or_none(code) != codes.VILLAGE:
        return None
    region = Region.objects.select_related("parent").filter(code=code, level=codes.VILLAGE).first()
    if region is None:
        return None
    profile = tsel.current(kind="region.profile", ref=code)
    snapshot: dict[str, Any] = dict(profile.snapshot) if profile is not None else {}
    # The newest records only: a village publishes a month of books, a case step or a
    # payment list every few days, and each section (finance, cases, projects, welfare)
    # has its own pages; the chain's log (transparency:chain) pages through everything.
    rows = list(tsel.current_for_chain(code)[: RECENT + 1])
    entries = [_published(e) for e in rows[:RECENT]]
    return VillagePage(
        region=region,
        name=snapshot.get("name") or region.name,
        phone=snapshot.get("phone", region.phone) if profile is not None else region.phone,
        address=snapshot.get("address", region.address) if profile is not None else region.address,
        is_community=bool(snapshot.get("is_community", region.is_community)),
        profile=profile,
        entries=entries,
        more=len(rows) > RECENT,
    )
