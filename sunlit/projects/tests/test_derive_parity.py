"""The public project rows are what the room's derive function gives from the published
snapshots alone, in the demo too (which builds them with the same `derive_row`)."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.conftest import VILLAGE_A, VILLAGE_B, Cast
from sunlit.projects import publication
from sunlit.projects.demo import demo_projects
from sunlit.projects.models import PublishedProject
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db


def public_rows() -> list[Any]:
    fields = [f.attname for f in PublishedProject._meta.concrete_fields if f.name != "id"]
    return sorted(PublishedProject.objects.values_list(*fields), key=repr)


def test_the_demos_public_rows_are_what_rederiving_from_the_log_gives(cast: Cast) -> None:
    demo_projects(village_codes=[VILLAGE_A, VILLAGE_B], scale="small", seed=3)
    seeded = public_rows()
    assert seeded
    PublishedProject.objects.all().delete()
    for entry in Entry.objects.filter(kind=publication.KIND, superseded_by__isnull=True).order_by("id"):
        publication.derive(entry)
    assert public_rows() == seeded
