"""Role × endpoint for the welfare back office: who may see a village's households and
the relatives queue. A cadre of village B sees nothing of village A; only the village's
own people, the township above and the county's administrator see a household."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.welfare.tests.conftest import Family

pytestmark = pytest.mark.django_db
ACTORS = ["villager", "cadre_a", "cadre_b", "supervisor_a", "official", "inspector", "operator", "admin"]
LOGIN = 302


def _rows(family: Family) -> list[tuple[str, str, dict[str, int]]]:
    household = f"/office/welfare/households/{family.household.pk}/"
    return [
        (
            "welfare desk",
            "/office/welfare/",
            dict(
                villager=LOGIN,
                cadre_a=200,
                cadre_b=200,
                supervisor_a=200,
                official=200,
                inspector=200,
                operator=404,
                admin=200,
            ),
        ),
        (
            "village A households",
            f"/office/welfare/v/{VILLAGE_A}/",
            dict(
                villager=LOGIN,
                cadre_a=200,
                cadre_b=404,
                supervisor_a=200,
                official=200,
                inspector=200,
                operator=404,
                admin=200,
            ),
        ),
        (
            "a household of village A",
            household,
            dict(
                villager=LOGIN,
                cadre_a=200,
                cadre_b=404,
                supervisor_a=200,
                official=200,
                inspector=200,
                operator=404,
                admin=200,
            ),
        ),
        (
            "relatives queue",
            "/office/welfare/review/",
            dict(
                villager=LOGIN,
                cadre_a=404,
                cadre_b=404,
                supervisor_a=200,
                official=200,
                inspector=200,
                operator=404,
                admin=404,
            ),
        ),
    ]


@pytest.mark.parametrize("actor", ACTORS)
def test_it_gives_each_role_exactly_its_access(cast: Cast, as_user: Any, family: Family, actor: str) -> None:
    got, want = {}, {}
    for name, path, expected in _rows(family):
        client = Client() if actor == "villager" else as_user(cast.actors()[actor])
        got[name], want[name] = client.get(path).status_code, expected[actor]
    assert got == want, actor
