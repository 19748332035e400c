"""Role × endpoint for the projects back office: a cadre of village B sees nothing of
village A's desk or projects; only the village's cadres and the township record."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.projects.tests.conftest import new_project

pytestmark = pytest.mark.django_db
ACTORS = ["villager", "cadre_a", "cadre_b", "supervisor_a", "official", "inspector", "operator", "admin"]
LOGIN = 302


@pytest.mark.parametrize("actor", ACTORS)
def test_it_gives_each_role_exactly_its_access(cast: Cast, as_user: Any, actor: str) -> None:
    project = new_project(cast)  # not published: the desk's working record
    rows = [
        (
            "projects desk",
            "/office/projects/",
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
            "village A desk",
            f"/office/projects/v/{VILLAGE_A}/",
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
            "an unpublished project of village A",
            f"/office/projects/{project.pk}/",
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
            "register a project in village A",
            f"/office/projects/v/{VILLAGE_A}/new/",
            dict(
                villager=LOGIN,
                cadre_a=200,
                cadre_b=404,
                supervisor_a=404,
                official=200,
                inspector=404,
                operator=404,
                admin=404,
            ),
        ),
        (
            "imports",
            "/office/projects/imports/",
            dict(
                villager=LOGIN,
                cadre_a=200,
                cadre_b=200,
                supervisor_a=404,
                official=200,
                inspector=404,
                operator=404,
                admin=404,
            ),
        ),
    ]
    got, want = {}, {}
    for name, path, expected in rows:
        client = Client() if actor == "villager" else as_user(cast.actors()[actor])
        got[name], want[name] = client.get(path).status_code, expected[actor]
    assert got == want, actor
