"""The public aggregates of published lists are what the room's derive function gives from
the snapshots alone: after a publication in the office, and in the demo."""

from __future__ import annotations

from datetime import date
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sunlit.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast
from sunlit.welfare import services
from sunlit.welfare.demo import demo_welfare
from sunlit.welfare.models import PublishedList
from sunlit.welfare.tests.conftest import Family, programme

pytestmark = pytest.mark.django_db


def public_rows() -> list[Any]:
    fields = [f.attname for f in PublishedList._meta.concrete_fields if f.name != "id"]
    return sorted(PublishedList.objects.values_list(*fields))


def rederived() -> list[Any]:
    PublishedList.objects.all().delete()
    call_command("welfare", "rebuild-public", stdout=StringIO())
    return public_rows()


def test_a_list_published_in_the_office_derives_as_from_the_log(cast: Cast, family: Family) -> None:
    for month in (1, 2):
        services.payment_record(
            programme=programme("dibao"),
            household=family.household,
            period=f"2025-{month:02d}",
            amount_fen=65000,
            paid_on=date(2025, month, 10),
            by=cast.cadre_a,
        )
        services.list_publish(village_code=VILLAGE_A, programme=programme("dibao"), year=2025, by=cast.cadre_a)
    built = public_rows()
    assert len(built) == 1
    assert rederived() == built


def test_the_demo_derives_its_lists_through_the_rooms_derive_function(cast: Cast, monkeypatch: Any) -> None:
    from sunlit.welfare import publication

    calls: list[int] = []
    real = publication.derive_batch

    def counting(published: Any, **kwargs: Any) -> Any:
        calls.append(len(published))
        return real(published, **kwargs)

    monkeypatch.setattr(publication, "derive_batch", counting)
    result = demo_welfare(village_codes=[VILLAGE_A, VILLAGE_B, VILLAGE_C], scale="small", seed=1, cadres={})
    seeded = public_rows()
    assert len(seeded) == result.lists == sum(calls) and len(calls) == 3  # one batch per village
    assert rederived() == seeded
