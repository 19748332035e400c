from __future__ import annotations

import json

import pytest

from sunlit.audit.models import AuditEvent
from sunlit.lib.errors import InvalidInput
from sunlit.regions.services import region_publish_profile
from sunlit.transparency import selectors
from sunlit.transparency.canonical import GENESIS, sha256_hex
from sunlit.transparency.models import Entry
from sunlit.transparency.services import publish

from .conftest import TOWNSHIP, VILLAGE, publish_many

pytestmark = pytest.mark.django_db


def test_it_starts_a_chain_from_the_genesis_hash(regions, alice) -> None:
    e = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"title": "通知", "fen": 12345}, by=alice)
    assert (e.seq, e.prev_hash, e.chain_id) == (1, GENESIS, VILLAGE)
    assert e.snapshot == {"title": "通知", "fen": 12345}
    assert e.snapshot_json == '{"fen":12345,"title":"通知"}'
    assert e.snapshot_sha256 == sha256_hex(e.snapshot_json)
    assert e.publisher_id == alice.pk
    assert e.entry_hash == e.compute_hash()


def test_it_links_each_entry_to_the_one_before_it_in_its_own_chain(regions) -> None:
    a, b, c = publish_many(VILLAGE, 3)
    t = publish(chain=TOWNSHIP, kind="notice", ref="t1", snapshot={"x": 1}, by=None)
    assert [a.seq, b.seq, c.seq] == [1, 2, 3]
    assert (b.prev_hash, c.prev_hash) == (a.entry_hash, b.entry_hash)
    assert (t.seq, t.prev_hash) == (1, GENESIS)


def test_it_covers_every_field_with_the_entry_hash(regions, alice) -> None:
    e = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1}, by=alice)
    fields = json.loads(e.hash_input())
    assert set(fields) == {
        "chain",
        "seq",
        "prev_hash",
        "kind",
        "ref",
        "snapshot_sha256",
        "published_at",
        "publisher",
        "supersedes",
        "reason",
    }
    for name, value in [
        ("seq", 2),
        ("kind", "other"),
        ("ref", "n2"),
        ("reason", "x"),
        ("publisher_id", None),
        ("prev_hash", "1" * 64),
    ]:
        changed = Entry.objects.get(pk=e.pk)
        setattr(changed, name, value)
        assert changed.compute_hash() != e.entry_hash, name


def test_it_returns_the_existing_entry_for_the_same_snapshot(regions, alice) -> None:
    first = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1, "b": "二"}, by=alice)
    events = AuditEvent.objects.count()
    again = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"b": "二", "a": 1}, by=alice)
    assert again.pk == first.pk
    assert Entry.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_it_refuses_a_correction_without_a_reason(regions, alice) -> None:
    publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1}, by=alice)
    with pytest.raises(InvalidInput) as e:
        publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 2}, by=alice, reason="  ")
    assert e.value.field == "reason"
    assert Entry.objects.count() == 1


def test_it_keeps_both_versions_when_correcting(regions, alice) -> None:
    old = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1}, by=alice)
    new = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 2}, by=alice, reason="金额录入错误")
    assert new.supersedes_id == old.pk
    assert new.reason == "金额录入错误"
    assert json.loads(new.hash_input())["supersedes"] == old.entry_hash
    assert Entry.objects.get(pk=old.pk).superseded_by == new
    assert selectors.current("notice", "n1") == new
    assert [e.pk for e in selectors.history("notice", "n1")] == [old.pk, new.pk]
    # A third version supersedes the second, not the first.
    third = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 3}, by=alice, reason="再次更正")
    assert third.supersedes_id == new.pk


def test_it_refuses_floats(regions, alice) -> None:
    with pytest.raises(InvalidInput):
        publish(chain=VILLAGE, kind="finance", ref="v1", snapshot={"amount": 10.5}, by=alice)
    assert not Entry.objects.exists()


def test_it_refuses_a_chain_that_is_not_a_region(regions, alice) -> None:
    with pytest.raises(InvalidInput) as e:
        publish(chain="431382999999", kind="notice", ref="n1", snapshot={}, by=alice)
    assert e.value.field == "chain"


def test_it_refuses_to_move_a_record_to_another_chain(regions, alice) -> None:
    publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1}, by=alice)
    with pytest.raises(InvalidInput):
        publish(chain=TOWNSHIP, kind="notice", ref="n1", snapshot={"a": 2}, by=alice, reason="x")


@pytest.mark.parametrize("field", ["kind", "ref"])
def test_it_requires_kind_and_ref(regions, field) -> None:
    args = {"kind": "notice", "ref": "n1", field: " "}
    with pytest.raises(InvalidInput) as e:
        publish(chain=VILLAGE, snapshot={}, by=None, **args)
    assert e.value.field == field


def test_it_writes_an_audit_event(regions, alice) -> None:
    e = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={"a": 1}, by=alice)
    event = AuditEvent.objects.get(action="publish")
    assert (event.actor, event.region_code, event.object_id) == (alice, VILLAGE, str(e.pk))
    assert event.detail["entry_hash"] == e.entry_hash


def test_it_publishes_for_the_system_without_a_publisher(regions) -> None:
    e = publish(chain=VILLAGE, kind="notice", ref="n1", snapshot={}, by=None)
    assert e.publisher_id is None
    assert json.loads(e.hash_input())["publisher"] is None


def test_it_is_how_a_region_profile_becomes_public(regions) -> None:
    e = region_publish_profile(region=regions.village, by=None)
    assert (e.kind, e.ref, e.chain_id) == ("region.profile", VILLAGE, VILLAGE)
    assert e.snapshot["name"] == "石门村"
