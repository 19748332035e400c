"""Store test items (flow.Item) as a powers list version, the way powers_load stores them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from typing import Any

from django.db.models import Max
from django.utils import timezone

from sunlit.powers.flow import Item, MeetingRule


def store_items(
    items: Iterable[Item], rules: dict[str, MeetingRule], *, by: Any = None, current: bool = True
) -> dict[str, Any]:
    from sunlit.powers.models import PowerItem, PowerListVersion

    number = (PowerListVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    if current:
        PowerListVersion.objects.filter(is_current=True).update(is_current=False)
    version = PowerListVersion.objects.create(
        number=number,
        label=f"test list {number}",
        source="",
        sha256="0" * 64,
        loaded_at=timezone.now(),
        loaded_by=by,
        is_current=current,
        meetings={k: r.to_dict() for k, r in rules.items()},
    )
    stored = {}
    for position, i in enumerate(items, start=1):
        stored[i.code] = PowerItem.objects.create(
            version=version,
            position=position,
            code=i.code,
            name_zh=i.name_zh,
            name_en=i.name_en,
            category=i.category,
            basis=i.basis,
            exerciser=i.exerciser,
            supervisor=i.supervisor,
            conditions=list(i.conditions),
            materials=list(i.materials),
            time_limit_days=i.time_limit_days,
            fee=i.fee,
            risks=[asdict(r) for r in i.risks],
            flow=i.flow.to_dict(),
            level=i.level,
            township_id=i.township,
            local=i.local,
            needs_amount=i.needs_amount,
            needs_applicant=i.needs_applicant,
            authorises=list(i.extra.get("authorises", ())),
        )
    return stored
