"""Named actors shared by every room's tests.

Lianyuan (county) → 六亩塘镇 (township A: villages A and B) and 石马山镇 (township B:
village C). The cast: a villager (no account), the cadres of villages A and B, the
supervision-committee member of village A, a township official and a discipline inspector
of township A, a command-centre operator and an administrator of the county.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlit.accounts.models import Role, User
from sunlit.accounts.services import membership_grant, user_create
from sunlit.regions.models import Region
from sunlit.regions.services import region_create

COUNTY = "431382000000"
TOWNSHIP_A = "431382101000"
TOWNSHIP_B = "431382102000"
VILLAGE_A = "431382101201"
VILLAGE_B = "431382101202"
VILLAGE_C = "431382102201"
PASSWORD = "correct horse battery staple"


@dataclass
class Cast:
    county: Region
    township_a: Region
    township_b: Region
    village_a: Region
    village_b: Region
    village_c: Region
    cadre_a: User
    cadre_b: User
    supervisor_a: User
    official: User
    inspector: User
    operator: User
    admin: User

    def actors(self) -> dict[str, User]:
        return {
            "cadre_a": self.cadre_a,
            "cadre_b": self.cadre_b,
            "supervisor_a": self.supervisor_a,
            "official": self.official,
            "inspector": self.inspector,
            "operator": self.operator,
            "admin": self.admin,
        }


def make_user(username: str, name: str, role: str, region: str, **kw: Any) -> User:
    user = user_create(username=username, full_name=name, password=PASSWORD, must_change_password=False, by=None)
    membership_grant(
        user=user,
        role=role,
        region_code=region,
        starts_on=kw.pop("starts_on", date(2024, 1, 1)),
        ends_on=kw.pop("ends_on", None),
        title=kw.pop("title", ""),
        by=None,
    )
    return user


@pytest.fixture
def regions(db: Any) -> dict[str, Region]:
    return make_regions()


def make_regions() -> dict[str, Region]:
    """The county, its two townships and three villages (a plain function, for data built
    once per module)."""
    return {
        "county": region_create(code=COUNTY, name="涟源市", by=None),
        "township_a": region_create(code=TOWNSHIP_A, name="六亩塘镇", by=None),
        "township_b": region_create(code=TOWNSHIP_B, name="石马山镇", by=None),
        "village_a": region_create(code=VILLAGE_A, name="石门村", phone="0738-4000001", by=None),
        "village_b": region_create(code=VILLAGE_B, name="白竹村", phone="0738-4000002", by=None),
        "village_c": region_create(code=VILLAGE_C, name="枫林村", phone="0738-4000003", by=None),
    }


@pytest.fixture
def cast(regions: dict[str, Region]) -> Cast:
    return make_cast(regions)


def make_cast(regions: dict[str, Region]) -> Cast:
    return Cast(
        **regions,
        cadre_a=make_user("cadre_a", "王建国", Role.CADRE, VILLAGE_A, title="书记"),
        cadre_b=make_user("cadre_b", "李春华", Role.CADRE, VILLAGE_B, title="主任"),
        supervisor_a=make_user("supervisor_a", "赵秀英", Role.SUPERVISOR, VILLAGE_A, title="监委会主任"),
        official=make_user("official", "刘志强", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_A, title="经管站站长"),
        inspector=make_user("inspector", "陈静", Role.INSPECTOR, TOWNSHIP_A, title="纪委书记"),
        operator=make_user("operator", "周磊", Role.OPERATOR, COUNTY),
        admin=make_user("admin", "孙丽", Role.ADMIN, COUNTY),
    )


def login(client: Client, user: User) -> Client:
    """Log in as `user`, with a verified second factor where the role needs one."""
    client.force_login(user)
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


@pytest.fixture
def as_user(client: Client) -> Any:
    def _as(user: User) -> Client:
        c = Client()
        return login(c, user)

    return _as


def township_b_actors() -> dict[str, User]:
    """The township official and the discipline inspector of township B (石马山镇), for
    matrices that need a second township's people beside the cast's township A."""
    return {
        "official_b": make_user("official_b", "罗建军", Role.TOWNSHIP_OFFICIAL, TOWNSHIP_B, title="经管站站长"),
        "inspector_b": make_user("inspector_b", "彭燕", Role.INSPECTOR, TOWNSHIP_B, title="纪委书记"),
    }
