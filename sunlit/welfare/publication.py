"""A programme's list for a village and year, as one published snapshot, and the
aggregate row derived from it.

The snapshot is public and permanent, so it is masked before it is frozen: no ID
number (not even the last four: a list is read by the whole village), no one-card
account, names masked by SUNLIT_WELFARE_NAME_MASK as the village's practice requires:

    "surname" (default)  张*      the surname and one asterisk, whatever the length
    "full"               张三丰   villages whose practice publishes full names
    "none"               (no name: the row shows only its order in the list)

Marks for reviewers (after death, moved out, relative of a cadre) are not published:
they go to the review queue, and a person's death is not the list's business.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction

from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.canonical import canonical_json, sha256_hex
from sunlit.transparency.services import publish
from sunlit.welfare.models import Member, Payment, Programme, PublishedList, Relation

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.transparency.models import Entry

KIND = "welfare.list"
SCHEMA = "sunlit.welfare.list/1"
MASKS = ("surname", "full", "none")


def ref(village_code: str, programme_code: str, year: int) -> str:
    return f"{village_code}-{programme_code}-{year}"


def mask_mode() -> str:
    mode = str(settings.SUNLIT_WELFARE_NAME_MASK or "surname")
    return mode if mode in MASKS else "surname"


def mask(name: str, mode: str | None = None) -> str:
    """A name as a public list shows it (see the module docstring)."""
    mode = mode or mask_mode()
    name = (name or "").strip()
    if mode == "none" or not name:
        return ""
    if mode == "full":
        return name
    return f"{name[0]}*"


def digest(snapshot: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(snapshot))


def list_snapshot(*, village_code: str, programme: Programme, year: int) -> dict[str, Any]:
    """The list as villagers will read it: one row per beneficiary (the household's head,
    or the member for a personal programme), with each period's amount."""
    village = Region.objects.select_related("parent").get(code=village_code)
    payments = Payment.objects.filter(
        county_code=codes.county_of(village_code), village_code=village_code, programme=programme, year=year
    ).select_related("member", "household")
    heads = dict(
        Member.objects.filter(household__village_id=village_code, relation=Relation.HEAD).values_list(
            "household_id", "name"
        )
    )
    rows = [
        ListRow(
            household=p.household.number,
            position=p.member.position if p.member else -1,
            name=p.member.name if p.member is not None else heads.get(p.household_id, ""),
            period=p.period,
            amount=p.amount_fen,
            paid_on=p.paid_on.isoformat(),
        )
        for p in payments
    ]
    township = village.parent
    return build_snapshot(
        village=(village.code, village.name),
        township=(township.code, township.name) if township else None,
        programme=programme,
        year=year,
        rows=rows,
    )


@dataclass(frozen=True)
class ListRow:
    household: str  # the household's number in the village (orders the list; not published)
    position: int  # the member's position, -1 for a household payment
    name: str  # the beneficiary's name (masked below)
    period: str
    amount: int
    paid_on: str


def build_snapshot(
    *, village: tuple[str, str], township: tuple[str, str] | None, programme: Programme, year: int, rows: list[ListRow]
) -> dict[str, Any]:
    """The snapshot from plain rows (the demo builds them without reading them back)."""
    mode = mask_mode()
    grouped: OrderedDict[tuple[str, int], dict[str, Any]] = OrderedDict()
    total = 0
    for r in sorted(rows, key=lambda r: (r.household, r.position, r.period)):
        key = (r.household, r.position)
        row = grouped.get(key)
        if row is None:
            row = grouped[key] = {"name": mask(r.name, mode), "payments": [], "total": 0}
        row["payments"].append({"period": r.period, "amount": r.amount, "paid_on": r.paid_on})
        row["total"] += r.amount
        total += r.amount
    out = [{"no": number, **row} for number, row in enumerate(grouped.values(), start=1)]
    return {
        "schema": SCHEMA,
        "title": f"{village[1]} {year}年 {programme.short_zh} 发放名单",
        "village": {"code": village[0], "name": village[1]},
        "township": {"code": township[0], "name": township[1]} if township else None,
        "programme": {
            "code": programme.code,
            "name": programme.short_zh,
            "name_full": programme.name_zh,
            "name_en": programme.name_en,
            "item": programme.item_code,
            "rhythm": programme.rhythm,
        },
        "year": year,
        "currency": "CNY",
        "unit": "fen",
        "name_mask": mode,
        "totals": {
            "beneficiaries": len(out),
            "households": len({k[0] for k in grouped}),
            "payments": sum(len(r["payments"]) for r in out),
            "amount": total,
        },
        "rows": out,
    }


def publish_snapshot(
    *, village_code: str, ref: str, snapshot: dict[str, Any], by: User | None, reason: str = ""
) -> Entry:

    return publish(chain=village_code, kind=KIND, ref=ref, snapshot=snapshot, by=by, reason=reason)


def derive_row(entry: Entry, data: dict[str, Any]) -> PublishedList:
    """The aggregate row of one published list, from its snapshot alone (not saved)."""
    village = data["village"]["code"]
    township = data["township"]["code"] if data.get("township") else codes.parent_code(village) or ""
    totals = data["totals"]
    return PublishedList(
        county_code=codes.county_of(village),
        township_code=township,
        village_code=village,
        village_name=data["village"]["name"],
        programme=data["programme"]["code"],
        year=int(data["year"]),
        publication_id=entry.pk,
        households=totals["households"],
        payments=totals["payments"],
        amount_fen=totals["amount"],
    )


@transaction.atomic
def derive_batch(
    published: Sequence[tuple[Entry, dict[str, Any] | None]], *, fresh: bool = False
) -> list[PublishedList]:
    """(Re)build the aggregate rows of published lists, each from its snapshot alone.

    `fresh` says no list of the batch has a row yet (the demo, publishing a village's
    lists for the first time): the rows then go in with one insert instead of one
    look-up and one write each.
    """
    rows = [
        derive_row(entry, data if data is not None else json.loads(entry.snapshot_json)) for entry, data in published
    ]
    if fresh:
        return PublishedList.objects.bulk_create(rows)
    out = []
    for row in rows:
        found, _created = PublishedList.objects.update_or_create(
            village_code=row.village_code,
            programme=row.programme,
            year=row.year,
            defaults={
                name: getattr(row, name)
                for name in (
                    "county_code",
                    "township_code",
                    "village_name",
                    "publication_id",
                    "households",
                    "payments",
                    "amount_fen",
                )
            },
        )
        out.append(found)
    return out


def derive(entry: Entry, snapshot: dict[str, Any] | None = None) -> PublishedList:
    """(Re)build the aggregate row of one published list from its snapshot alone."""
    return derive_batch([(entry, snapshot)])[0]
