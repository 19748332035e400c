"""Room manifests: a room plugs in by declaring itself (its room.py plus one line in
SUNLIT_ROOMS), and the platform finds it everywhere it should — the office home, the role
matrix, the scheduler, the demo order, the portal, "question this", the publication log's
labels, and both layouts of its public pages."""

from __future__ import annotations

import re
import types
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client

from sunlit.accounts import jurisdiction
from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, Cast
from sunlit.jobs.registry import all_jobs
from sunlit.jobs.services import jobs_enqueue_due
from sunlit.lib import rooms
from sunlit.lib.rooms import CADRE, Desk, Job, RecordKind, Room
from sunlit.lib.tests.throwaway import tasks as throwaway_tasks
from sunlit.portal.selectors import kind_label
from sunlit.reports.records import resolve
from sunlit.transparency.labels import label_for

THROWAWAY = "sunlit.lib.tests.throwaway"


@pytest.fixture
def throwaway(settings: Any) -> None:
    """The site with one more room, added the way docs/rooms.md says: one line in settings."""
    settings.SUNLIT_ROOMS = [*settings.SUNLIT_ROOMS, THROWAWAY]
    settings.SUNLIT_THROWAWAY_INTERVAL = 3600
    urlconf = types.ModuleType("throwaway_urlconf")
    urlconf.urlpatterns = rooms.urlpatterns()  # type: ignore[attr-defined]
    settings.ROOT_URLCONF = urlconf


def test_it_lists_a_new_rooms_desk_on_the_office_home(throwaway: None, cast: Cast, as_user: Any) -> None:
    assert "Throwaway desk" in as_user(cast.cadre_a).get("/office/").content.decode()
    assert "/office/throwaway/" in as_user(cast.inspector).get("/office/").content.decode()


def test_it_hides_a_new_rooms_desk_from_roles_without_its_action(throwaway: None, cast: Cast, as_user: Any) -> None:
    assert "Throwaway desk" not in as_user(cast.supervisor_a).get("/office/").content.decode()


def test_it_puts_a_new_rooms_actions_in_the_role_matrix(throwaway: None, cast: Cast) -> None:
    assert jurisdiction.can(cast.cadre_a, "throwaway.write", VILLAGE_A)
    assert not jurisdiction.can(cast.cadre_b, "throwaway.write", VILLAGE_A)
    assert not jurisdiction.can(cast.inspector, "throwaway.write", VILLAGE_A)
    assert jurisdiction.can(cast.inspector, "throwaway.read", VILLAGE_A)


def test_it_refuses_an_action_no_room_declares(cast: Cast) -> None:
    with pytest.raises(ValueError, match=re.escape("throwaway.write")):
        jurisdiction.can(cast.cadre_a, "throwaway.write", VILLAGE_A)


def test_it_schedules_a_new_rooms_job(throwaway: None, db: Any) -> None:
    assert "throwaway_sweep" in [job.name for job in all_jobs()]
    throwaway_tasks.SWEPT.clear()
    assert "throwaway_sweep" in jobs_enqueue_due(now=datetime(2026, 1, 5, 1, tzinfo=UTC))
    assert throwaway_tasks.SWEPT == ["swept"]


def test_it_seeds_a_new_rooms_demo_after_what_it_depends_on(throwaway: None) -> None:
    order = [room.name for room, _seeder in rooms.demo_seeders()]
    assert "throwaway" in order and order.index("cases") < order.index("throwaway")
    assert order.index("powers") < order.index("cases") < order.index("finance") < order.index("projects")
    assert order.index("finance") < order.index("welfare")


def test_it_mounts_a_new_rooms_public_pages_in_both_layouts(throwaway: None, client: Client, db: Any) -> None:
    assert client.get("/throwaway/n1/").content == b"portal:n1"
    assert client.get("/kiosk/throwaway/n1/").content == b"kiosk:n1"


def test_it_names_a_new_rooms_records_where_villagers_read_them(throwaway: None, db: Any) -> None:
    assert kind_label("throwaway.note") == "Throwaway note"
    assert kind_label("throwaway.other") == "Throwaway notes"  # the room's own label
    assert label_for("throwaway_field") == "Throwaway field"
    record = resolve("throwaway.note", "n1")
    assert record.label == "Note n1" and record.office_code == TOWNSHIP_A


def test_it_leaves_unknown_kinds_as_they_are(db: Any) -> None:
    assert kind_label("nobody.knows") == "nobody.knows"


# --- conflicts are configuration errors, never "first one wins" -------------------------


def _room(name: str, **kw: Any) -> Room:
    return Room(name=name, label=name, **kw)


def test_it_refuses_one_action_declared_by_two_rooms() -> None:
    with pytest.raises(
        ImproperlyConfigured, match=re.escape("action 'x.do' is declared by both room 'a' and room 'b'")
    ):
        rooms.build([_room("a", actions={"x.do": {CADRE}}), _room("b", actions={"x.do": {CADRE}})])


@pytest.mark.parametrize(
    "field, value",
    [
        ("kinds", (RecordKind("k", "K"),)),
        ("labels", {"f": "F"}),
        ("resolvers", {"k": lambda ref: None}),
        ("jobs", (Job("j", "S", "t"),)),
        ("purposes", {"x.record": ""}),
        ("restricted_audit", {"x.record": lambda user: None}),
    ],
)
def test_it_refuses_anything_else_declared_by_two_rooms(field: str, value: Any) -> None:
    with pytest.raises(ImproperlyConfigured, match="declared by both room 'a' and room 'b'"):
        rooms.build([_room("a", **{field: value}), _room("b", **{field: value})])


def test_it_refuses_a_dependency_on_a_room_not_installed() -> None:
    with pytest.raises(ImproperlyConfigured, match="depends on ghost"):
        rooms.build([_room("a", depends_on=("ghost",))])


def test_it_refuses_rooms_that_depend_on_each_other() -> None:
    with pytest.raises(ImproperlyConfigured, match="cycle"):
        rooms.build([_room("a", depends_on=("b",)), _room("b", depends_on=("a",))])


def test_it_refuses_a_desk_whose_action_nobody_declares() -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape("needs action 'x.see'")):
        rooms.build([_room("a", desks=(Desk("a:desk", "Desk", "x.see"),))])


def test_it_refuses_a_room_without_a_manifest() -> None:
    with pytest.raises(ImproperlyConfigured, match=re.escape("no room.py manifest")):
        rooms.manifest("sunlit.lib")


def test_it_orders_rooms_by_dependency_whatever_the_setting_order(settings: Any) -> None:
    manifests = [rooms.manifest(dotted) for dotted in settings.SUNLIT_ROOMS]
    for order in (manifests, manifests[::-1]):
        built = rooms.build(order)
        seen: set[str] = set()
        for room in built.rooms:
            assert set(room.depends_on) <= seen, room.name
            seen.add(room.name)
        # The same declarations whatever the order: nothing is "first one wins".
        assert built.actions == rooms.registry().actions
        assert built.labels.keys() == rooms.registry().labels.keys()


def test_it_has_every_installed_room_declare_itself(settings: Any) -> None:
    names = [room.name for room in rooms.registry().rooms]
    assert len(names) == len(settings.SUNLIT_ROOMS)
    assert all(app in settings.INSTALLED_APPS for app in settings.SUNLIT_ROOMS)


def test_it_lets_a_new_rooms_records_be_authorised_by_list_items(throwaway: None) -> None:
    from sunlit.powers.loader import purpose_problem

    assert purpose_problem("throwaway.note") == ""
    assert purpose_problem("finance.voucher") == ""
    assert "nobody.record" in purpose_problem("nobody.record")  # refused, named


def test_it_keeps_kiosk_names_for_the_twins_of_pages() -> None:
    from django.http import HttpResponse
    from django.urls import path

    module = types.SimpleNamespace(pages=[], urlpatterns=[path("office/x/", lambda r: HttpResponse(), name="kiosk_x")])
    with pytest.raises(ImproperlyConfigured, match="kept for the kiosk twins"):
        rooms.room_patterns(module)
