"""The demo generator: every village gets beneficiaries, marks and published lists,
quickly and the same way for the same seed."""

from __future__ import annotations

import io
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction

from sunlit.conftest import VILLAGE_A, VILLAGE_B, VILLAGE_C, Cast
from sunlit.welfare.demo import demo_welfare
from sunlit.welfare.models import Household, Member, Payment, PublishedList, RelativeDeclaration

pytestmark = pytest.mark.django_db
VILLAGES = [VILLAGE_A, VILLAGE_B, VILLAGE_C]


class _Rollback(Exception):
    pass


def _summary() -> list[Any]:
    return [
        sorted(Household.objects.values_list("village_id", "number", "card_last4", "status")),
        sorted(Member.objects.values_list("household__number", "name", "relation", "id_fingerprint", "status")),
        sorted(
            Payment.objects.values_list(
                "village_code",
                "programme__code",
                "household__number",
                "period",
                "amount_fen",
                "paid_on",
                "after_death",
                "moved_out",
            )
        ),
    ]


def test_it_seeds_every_village_quickly(cast: Cast) -> None:
    started = time.monotonic()
    result = demo_welfare(village_codes=VILLAGES, scale="small", seed=1, cadres={VILLAGE_A: cast.cadre_a})
    assert time.monotonic() - started < 5
    assert result.villages == 3 and result.lists > 0
    for code in VILLAGES:
        assert Household.objects.filter(village_id=code).count() >= 20
        assert PublishedList.objects.filter(village_code=code, programme="dibao").exists()
    codes = set(Payment.objects.values_list("programme__code", flat=True))
    assert codes == {"dibao", "tekun", "weifang", "linshi", "canji", "chanye", "xindai"}
    assert Payment.objects.filter(after_death=True).exists() and Payment.objects.filter(moved_out=True).exists()
    assert RelativeDeclaration.objects.filter(cadre=cast.cadre_a).count() == 2
    assert Payment.objects.filter(relative__cadre=cast.cadre_a).exists()
    # Run again: nothing is added.
    again = demo_welfare(village_codes=VILLAGES, scale="small", seed=1, cadres={})
    assert again.villages == 0


def test_it_is_deterministic_for_a_seed(cast: Cast) -> None:
    runs = []
    for _ in range(2):
        try:
            with transaction.atomic():
                demo_welfare(village_codes=[VILLAGE_A], scale="small", seed=7, cadres={})
                runs.append(_summary())
                raise _Rollback
        except _Rollback:
            pass
    assert runs[0] == runs[1] and runs[0][2]


def test_it_loads_the_programmes_file_from_the_command(db: None) -> None:
    out = io.StringIO()
    call_command("welfare", "programmes", "load", stdout=out)
    assert "0 created, 0 updated" in out.getvalue()
