"""The public finance tables are what the room's one derive function gives from the
published snapshots alone, in the demo too (which derives each month as it publishes it,
with `fresh=True`): rebuilding them from the log changes nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from sunlit.conftest import VILLAGE_A, Cast
from sunlit.finance.demo import demo_finance
from sunlit.finance.models import (
    PublishedBalance,
    PublishedCorrection,
    PublishedEntry,
    PublishedMonth,
    PublishedReceipt,
)

pytestmark = pytest.mark.django_db
TABLES = (PublishedMonth, PublishedEntry, PublishedBalance, PublishedReceipt, PublishedCorrection)


def public_rows() -> list[Any]:
    out = []
    for model in TABLES:
        fields = [f.attname for f in model._meta.concrete_fields if f.name != "id"]
        out.append(sorted(model.objects.values_list(*fields), key=repr))
    return out


def test_the_demos_public_rows_are_what_rederiving_from_the_log_gives(cast: Cast, settings: Any) -> None:
    settings.SUNLIT_FINANCE_PAGE_CACHE_SECONDS = 0
    demo_finance(village_codes=[VILLAGE_A], scale="small", seed=1)
    seeded = public_rows()
    assert seeded[0] and seeded[1] and seeded[2]
    for model in TABLES:
        model.objects.all().delete()
    call_command("finance", "rebuild-public", stdout=StringIO(), stderr=StringIO())
    assert public_rows() == seeded
