"""The welfare room's fixtures, on top of the shared cast (sunlit/conftest.py).

Village A (石门村) has household 0001 of 张建国 (head), his wife 李秀英 and their son 张小明;
village B has household 0001 of 王春华. ID numbers are generated (valid checksums) from a
fixed seed, so each test knows every person's number.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache

from sunlit.conftest import VILLAGE_A, VILLAGE_B, Cast
from sunlit.lib import idnumbers
from sunlit.welfare import services
from sunlit.welfare.models import Household, Programme


@pytest.fixture(autouse=True)
def _keys_and_cache(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "keys" / "signing-ed25519.pem"
    settings.LANGUAGE_CODE = "en"
    cache.clear()
    yield
    cache.clear()


def new_id(seed: int, *, born: date = date(1960, 5, 17), female: bool = False) -> str:
    return idnumbers.generate(random.Random(seed), area="431382", born=born, female=female)


@dataclass
class Family:
    household: Household
    head_id: str
    wife_id: str
    son_id: str
    other: Household
    other_id: str


@pytest.fixture
def family(cast: Cast) -> Family:
    head, wife, son, other = new_id(1), new_id(2, female=True), new_id(3, born=date(1990, 1, 2)), new_id(4)
    assert len({head, wife, son, other}) == 4
    household = services.household_create(
        village_code=VILLAGE_A,
        number="0001",
        card_last4="6789",
        members=[
            services.MemberInput("张建国", "head", head),
            services.MemberInput("李秀英", "spouse", wife),
            services.MemberInput("张小明", "child", son),
        ],
        by=cast.cadre_a,
    )
    other_household = services.household_create(
        village_code=VILLAGE_B, number="0001", members=[services.MemberInput("王春华", "head", other)], by=cast.cadre_b
    )
    return Family(household, head, wife, son, other_household, other)


def programme(code: str) -> Programme:
    return Programme.objects.get(code=code)


def make_case(
    cast: Cast,
    *,
    code: str = "BM-01",
    village: Any = None,
    seq: int = 5,
    state: str = "approved",
    authorises: tuple[str, ...] | None = None,
) -> Any:
    """A case of list item `code` in village A (a bare row: the cases room tests its flow).

    The item authorises what `authorises` says (the first time it is made); by default,
    as in the shipped list, the payments of the programmes that name it."""
    from django.utils import timezone

    from sunlit.cases.models import Case
    from sunlit.powers.models import PowerItem, PowerListVersion

    version = PowerListVersion.objects.filter(label="welfare tests").first() or PowerListVersion.objects.create(
        number=902,
        label="welfare tests",
        source="",
        sha256="2" * 64,
        loaded_at=timezone.now(),
        is_current=False,
        meetings={},
    )
    item = PowerItem.objects.filter(version=version, code=code).first() or PowerItem.objects.create(
        version=version,
        position=seq,
        code=code,
        authorises=list(authorises)
        if authorises is not None
        else [f"welfare.payment:{p}" for p in Programme.objects.filter(item_code=code).values_list("code", flat=True)],
        name_zh=code,
        name_en=code,
        category="service",
        basis="",
        exerciser="",
        supervisor="",
        conditions=[],
        materials=[],
        time_limit_days=30,
        fee="",
        risks=[],
        flow={},
    )
    village = village or cast.village_a
    return Case.objects.create(
        number=f"{village.code}-2025-{seq:04d}",
        year=2025,
        seq=seq,
        item=item,
        village=village,
        county_code=cast.county.code,
        subject="低保申请",
        state=state,
        opened_by=cast.cadre_a,
        opened_at=timezone.now(),
    )
