from __future__ import annotations

import pytest

from sunlit.accounts.models import User
from sunlit.audit.models import AuditEvent
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.regions.services import region_create

from .conftest import COUNTY, TOWNSHIP, VILLAGE_A


def test_it_links_each_region_to_its_parent_and_derives_its_level(tree: dict[str, Region]) -> None:
    village = tree[VILLAGE_A]
    assert village.parent_id == TOWNSHIP
    assert village.level == codes.VILLAGE
    assert tree[TOWNSHIP].parent_id == COUNTY
    assert tree["430000000000"].parent is None


def test_it_records_an_audit_event(tree: dict[str, Region]) -> None:
    event = AuditEvent.objects.get(action="region.create", object_id=VILLAGE_A)
    assert event.region_code == VILLAGE_A
    assert event.detail == {"name": "石门村"}


def test_it_refuses_a_duplicate_code(tree: dict[str, Region]) -> None:
    with pytest.raises(InvalidInput, match="already exists"):
        region_create(code=VILLAGE_A, name="另一个村", by=None)
    assert Region.objects.get(code=VILLAGE_A).name == "石门村"


def test_it_refuses_an_orphan_from_an_administrator(alice: User) -> None:
    # 431382109000 (a township) is not stored, so its village has no parent.
    with pytest.raises(InvalidInput, match="needs its parent 431382109000"):
        region_create(code="431382109201", name="孤村", by=alice)
    assert not Region.objects.filter(code="431382109201").exists()


def test_it_lets_an_administrator_add_inside_her_county(alice: User) -> None:
    region = region_create(code="431382100203", name="枫林村", by=alice)
    assert region.parent_id == TOWNSHIP
    assert AuditEvent.objects.get(action="region.create", object_id=region.code).actor == alice


def test_it_refuses_a_cadre(charlie: User) -> None:
    with pytest.raises(NotPermitted):
        region_create(code="431382100203", name="枫林村", by=charlie)
    assert not Region.objects.filter(code="431382100203").exists()


@pytest.mark.parametrize("bad", ["43138210020", "43138210020x", "001382100203"])
def test_it_refuses_a_malformed_code(alice: User, bad: str) -> None:
    with pytest.raises(InvalidInput):
        region_create(code=bad, name="某村", by=alice)


def test_it_refuses_an_empty_name(alice: User) -> None:
    with pytest.raises(InvalidInput) as e:
        region_create(code="431382100203", name="  ", by=alice)
    assert e.value.field == "name"
