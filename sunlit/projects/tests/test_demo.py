"""The demo generator: deterministic, realistic stages, published through publish(), with
acceptance reports, some payments linked to the books' vouchers and a few bad projects."""

from __future__ import annotations

from typing import Any

import pytest

from sunlit.conftest import VILLAGE_A, VILLAGE_B, Cast
from sunlit.projects.demo import credit_code, demo_projects
from sunlit.projects.models import Payment, Project, PublishedProject
from sunlit.projects.services import credit_code_normalize
from sunlit.transparency.models import Entry

pytestmark = pytest.mark.django_db


def test_it_generates_published_projects_and_skips_villages_that_have_some(cast: Cast, settings: Any) -> None:
    result = demo_projects(village_codes=[VILLAGE_A, VILLAGE_B], scale="small", seed=3)
    assert result.projects >= 2 and result.reports == result.accepted
    numbers = list(Project.objects.order_by("number").values_list("number", "budget", "status"))
    published = PublishedProject.objects.count()
    assert published and Entry.objects.filter(kind="project").count() == published
    for p in PublishedProject.objects.filter(has_report=True)[:3]:
        assert p.status == "accepted" and p.progress == 100
    # Again: the villages have projects, nothing is added.
    assert demo_projects(village_codes=[VILLAGE_A, VILLAGE_B], scale="small", seed=3).projects == 0
    assert list(Project.objects.order_by("number").values_list("number", "budget", "status")) == numbers
    assert not Payment.objects.filter(amount__lte=0).exists()


def test_it_generates_valid_credit_codes() -> None:
    for name in ("湘中建筑工程有限公司", "涟源市水利工程队"):
        assert credit_code_normalize(credit_code(name)) == credit_code(name)
