"""Role × endpoint: who may see and change what in the back office.

Each row names an endpoint, and for every actor the status they must get. A cadre of
village B is refused everything non-public of village A; a supervisor cannot edit what he
reviews; the villager (anonymous) is sent to log in.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlit.conftest import TOWNSHIP_A, VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast

ACTORS = ["villager", "cadre_a", "cadre_b", "supervisor_a", "official", "inspector", "operator", "admin"]
LOGIN = 302  # anonymous → login page

# (name, method, path, data, {actor: status})
MATRIX: list[tuple[str, str, str, dict[str, Any], dict[str, int]]] = [
    (
        "office home",
        "get",
        "/office/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=200,
            cadre_b=200,
            supervisor_a=200,
            official=200,
            inspector=200,
            operator=200,
            admin=200,
        ),
    ),
    (
        "village A page",
        "get",
        f"/office/regions/{VILLAGE_A}/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=200,
            cadre_b=404,
            supervisor_a=200,
            official=200,
            inspector=200,
            operator=200,
            admin=200,
        ),
    ),
    (
        "village C page (other township)",
        "get",
        f"/office/regions/{VILLAGE_C}/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=404,
            inspector=404,
            operator=200,
            admin=200,
        ),
    ),
    (
        "township A page",
        "get",
        f"/office/regions/{TOWNSHIP_A}/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=200,
            inspector=200,
            operator=200,
            admin=200,
        ),
    ),
    (
        "edit village A contact",
        "post",
        f"/office/regions/{VILLAGE_A}/",
        {"phone": "0738-4999999", "address": "村部"},
        dict(
            villager=LOGIN,
            cadre_a=302,
            cadre_b=404,
            supervisor_a=403,
            official=302,
            inspector=403,
            operator=403,
            admin=302,
        ),
    ),
    (
        "memberships list",
        "get",
        "/office/memberships/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=200,
            inspector=200,
            operator=404,
            admin=200,
        ),
    ),
    (
        "grant a membership",
        "post",
        "/office/memberships/",
        {"username": "cadre_b", "role": "cadre", "region_code": VILLAGE_B, "starts_on": "2025-01-01"},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=403,
            inspector=403,
            operator=404,
            admin=302,
        ),
    ),
    (
        "audit log",
        "get",
        "/office/audit/",
        {},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=404,
            inspector=200,
            operator=404,
            admin=200,
        ),
    ),
    (
        "audit log of village C",
        "get",
        f"/office/audit/?region={VILLAGE_C}",
        {},
        dict(
            villager=LOGIN,
            cadre_a=404,
            cadre_b=404,
            supervisor_a=404,
            official=404,
            inspector=404,
            operator=404,
            admin=200,
        ),
    ),
]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("row", MATRIX, ids=[r[0] for r in MATRIX])
def test_it_gives_each_role_exactly_its_access(cast: Cast, as_user: Any, actor: str, row: tuple) -> None:
    name, method, path, data, expected = row
    client = Client() if actor == "villager" else as_user(cast.actors()[actor])
    response = getattr(client, method)(path, data)
    assert response.status_code == expected[actor], f"{actor} on {name}: {response.status_code}"


def test_it_lists_only_regions_in_the_cadres_jurisdiction(cast: Cast, as_user: Any) -> None:
    body = as_user(cast.cadre_a).get("/office/").content.decode()
    assert VILLAGE_A in body
    assert VILLAGE_B not in body and VILLAGE_C not in body


def test_it_hides_other_villages_people_from_the_township_view(cast: Cast, as_user: Any) -> None:
    body = as_user(cast.official).get("/office/memberships/").content.decode()
    assert "cadre_a" in body and "cadre_b" in body
    assert "operator" not in body  # a county role: outside the township official's view


def test_it_refuses_a_grant_outside_the_administrators_jurisdiction(cast: Cast, as_user: Any) -> None:
    from datetime import date

    from sunlit.accounts.models import Role
    from sunlit.conftest import make_user

    township_admin = make_user("admin_b", "吴敏", Role.ADMIN, "431382102000")
    response = as_user(township_admin).post(
        "/office/memberships/",
        {"username": "cadre_b", "role": "cadre", "region_code": VILLAGE_B, "starts_on": str(date(2025, 1, 1))},
    )
    assert response.status_code == 200
    assert "431382101202" in response.content.decode()  # the message names the region
    assert not cast.cadre_b.memberships.filter(starts_on=date(2025, 1, 1)).exists()


def test_it_shows_each_role_the_desks_it_may_use(cast: Cast, as_user: Any) -> None:
    cadre = as_user(cast.cadre_a).get("/office/").content.decode()
    assert 'href="/office/cases/open/"' in cadre and 'href="/office/audit/"' not in cadre
    assert 'href="/office/powers/"' not in cadre
    admin = as_user(cast.admin).get("/office/").content.decode()
    assert 'href="/office/powers/"' in admin and 'href="/office/audit/"' in admin
    assert 'href="/office/cases/open/"' not in admin
    operator = as_user(cast.operator).get("/office/").content.decode()
    assert 'href="/office/cases/' not in operator


def test_it_lets_an_administrator_create_an_account_with_a_first_role(cast: Cast, as_user: Any) -> None:
    from sunlit.accounts.models import User

    data = {
        "new_username": "cadre_a2",
        "full_name": "王桂香",
        "role": "cadre",
        "region_code": VILLAGE_A,
        "title": "会计",
        "starts_on": "2025-01-01",
    }
    response = as_user(cast.admin).post("/office/memberships/", data)
    assert response.status_code == 200
    temporary = response.context["temporary"]
    user = User.objects.get(username="cadre_a2")
    assert user.check_password(temporary) and user.must_change_password
    assert user.memberships.get().region_id == VILLAGE_A


def test_it_refuses_an_account_outside_the_granters_region_and_keeps_nothing(cast: Cast, as_user: Any) -> None:
    from sunlit.accounts.models import Role, User
    from sunlit.conftest import make_user

    township_admin = make_user("admin_b2", "吴敏", Role.ADMIN, "431382102000")
    data = {
        "new_username": "intruder",
        "full_name": "某人",
        "role": "cadre",
        "region_code": VILLAGE_A,
        "starts_on": "2025-01-01",
    }
    response = as_user(township_admin).post("/office/memberships/", data)
    assert response.status_code == 200 and VILLAGE_A in response.content.decode()
    assert not User.objects.filter(username="intruder").exists()
    for actor in ("cadre_a", "official", "inspector"):
        refused = as_user(getattr(cast, actor)).post("/office/memberships/", data)
        assert refused.status_code in (403, 404)
    assert not User.objects.filter(username="intruder").exists()
