from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
from django.utils import translation

from sunlit.accounts.models import Role, User
from sunlit.accounts.services import membership_grant, user_create
from sunlit.regions.models import Region
from sunlit.regions.services import region_create

COUNTY, TOWNSHIP = "431382000000", "431382100000"
VILLAGE_A, VILLAGE_B = "431382100201", "431382100202"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    # Messages are asserted in English; the deployment's default language is Chinese.
    with translation.override("en"):
        yield


def build_tree() -> dict[str, Region]:
    """湖南省 › 娄底市 › 涟源市 › 六亩塘镇 › two villages, made as a bootstrap would."""
    made = {}
    for code, name in [
        ("430000000000", "湖南省"),
        ("431300000000", "娄底市"),
        (COUNTY, "涟源市"),
        (TOWNSHIP, "六亩塘镇"),
        (VILLAGE_A, "石门村"),
        (VILLAGE_B, "白竹村"),
    ]:
        made[code] = region_create(code=code, name=name, phone="0738-4000000", address=f"{name}服务中心", by=None)
    return made


@pytest.fixture
def tree(db: None) -> dict[str, Region]:
    return build_tree()


def _person(username: str, role: str, region: str) -> User:
    user = user_create(username=username, full_name=username, password=None, by=None)
    membership_grant(user=user, role=role, region_code=region, starts_on=date(2024, 1, 1), by=None)
    return user


@pytest.fixture
def alice(tree: dict[str, Region]) -> User:
    """The county administrator."""
    return _person("alice", Role.ADMIN, COUNTY)


@pytest.fixture
def charlie(tree: dict[str, Region]) -> User:
    """A village cadre: may not change the tree."""
    return _person("charlie", Role.CADRE, VILLAGE_A)
