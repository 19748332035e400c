"""A throwaway room, declared by its manifest alone: the test of "adding a room needs only
its own folder plus one line in settings" (sunlit/lib/tests/test_rooms.py)."""

from __future__ import annotations

from sunlit.lib.rooms import CADRE, INSPECTOR, Desk, Job, PageLink, PublicRecord, RecordKind, Room


def _question(ref: str) -> PublicRecord | None:
    return PublicRecord("throwaway.note", ref, f"Note {ref}", "431382101201") if ref == "n1" else None


ROOM = Room(
    name="throwaway",
    label="Throwaway notes",
    depends_on=("cases",),
    actions={"throwaway.write": {CADRE}, "throwaway.read": {CADRE, INSPECTOR}},
    desks=(Desk("throwaway:desk", "Throwaway desk", "throwaway.read"),),
    kinds=(
        RecordKind("throwaway.note", "Throwaway note", page=lambda ref, snapshot: PageLink("throwaway:note", (ref,))),
    ),
    labels={"throwaway_field": "Throwaway field"},
    purposes={"throwaway.note": ""},
    resolvers={"throwaway.note": _question},
    jobs=(Job("throwaway_sweep", "SUNLIT_THROWAWAY_INTERVAL", "sunlit.lib.tests.throwaway.tasks.sweep_task"),),
    demo="sunlit.lib.tests.throwaway.demo.seed",
    urls="sunlit.lib.tests.throwaway.urls",
)
