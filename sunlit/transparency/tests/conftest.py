from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from sunlit.accounts.models import Membership, Role, User
from sunlit.regions.models import Region
from sunlit.regions.services import region_create
from sunlit.transparency.models import Entry
from sunlit.transparency.services import publish

COUNTY, TOWNSHIP, VILLAGE = "431382000000", "431382100000", "431382100201"
OTHER_VILLAGE = "431382100202"


@dataclass
class Regions:
    county: Region
    township: Region
    village: Region
    other: Region


@pytest.fixture(autouse=True)
def signing_key_path(settings: Any, tmp_path: Path) -> Path:
    path = tmp_path / "keys" / "signing-ed25519.pem"
    settings.SUNLIT_SIGNING_KEY_PATH = path
    return path


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


@pytest.fixture
def regions(db: Any) -> Regions:
    return Regions(
        county=region_create(code=COUNTY, name="涟源市", by=None),
        township=region_create(code=TOWNSHIP, name="桥头河镇", by=None),
        village=region_create(code=VILLAGE, name="石门村", by=None),
        other=region_create(code=OTHER_VILLAGE, name="新塘村", by=None),
    )


@pytest.fixture
def alice(db: Any) -> User:
    """A village cadre: publishes her village's records."""
    user = User.objects.create_user(username="alice", full_name="李爱丽", password="x" * 12)
    return user


@pytest.fixture
def admin(db: Any, regions: Regions) -> User:
    user = User.objects.create_user(username="root", full_name="管理员", password="x" * 12)
    Membership.objects.create(user=user, role=Role.ADMIN, region=regions.county, starts_on="2020-01-01")
    return user


@pytest.fixture
def charlie(db: Any, regions: Regions) -> User:
    """A cadre of another village: must be refused what only administrators may do."""
    user = User.objects.create_user(username="charlie", full_name="陈查理", password="x" * 12)
    Membership.objects.create(user=user, role=Role.CADRE, region=regions.other, starts_on="2020-01-01")
    return user


def publish_many(chain: str, n: int, *, kind: str = "notice", start: int = 1) -> list[Entry]:
    return [
        publish(chain=chain, kind=kind, ref=f"{chain}-{i}", snapshot={"title": f"公告 {i}", "n": i}, by=None)
        for i in range(start, start + n)
    ]
