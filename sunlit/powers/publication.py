"""A power-list version as the publication log keeps it, and the public tables derived
from it.

Each version is published on every county's chain (kind "powers.version", ref
"<county>/v<number>"): the whole list as the public pages show it (every item with its
fields, flow and risk points, the meeting rules and sub-flows the flowcharts name) and
the SHA-256 of the file it was loaded from. `derive` builds `PublishedVersion` and
`PublishedItem` from that snapshot alone; the pages read only those. The file itself is
served from the working table, and only while its bytes hash to the published SHA-256.

The first snapshots (before the schema key) carried only each item's code, names,
category and township: too little to draw a page. `sunlit powers publish` adds the whole
list as a correction of each, with a reason, and both stay in the log.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput
from sunlit.powers.models import PowerItem, PowerListVersion, PublishedItem, PublishedVersion
from sunlit.transparency.models import Entry

if TYPE_CHECKING:
    from sunlit.transparency.models import Entry

KIND = "powers.version"
SCHEMA = "sunlit.powers.version/2"
# The reason of the correction that replaces a summary-only snapshot (see the docstring):
# "the whole list (items, flows, meeting rules), which the public pages show".
FULL_LIST_REASON = "发布清单全文（事项、流程、会议规则），公开页面据此显示"

# An item's published fields, in the order the snapshot lists them; `township` is the
# township's code (None for a county-wide item).
ITEM_FIELDS = (
    "code",
    "name_zh",
    "name_en",
    "category",
    "township",
    "local",
    "basis",
    "exerciser",
    "exerciser_en",
    "supervisor",
    "supervisor_en",
    "conditions",
    "materials",
    "time_limit_days",
    "fee",
    "fee_en",
    "risks",
    "flow",
    "level",
    "needs_amount",
    "needs_applicant",
    "replaces",
    # What its cases may authorise: part of the list a villager checks a voucher, project
    # or payment against.
    "authorises",
)


def ref(county_code: str, number: int) -> str:
    return f"{county_code}/v{number}"


def _item(i: PowerItem) -> dict[str, Any]:
    return {name: (i.township_id if name == "township" else getattr(i, name)) for name in ITEM_FIELDS}


def snapshot(version: PowerListVersion, items: list[PowerItem]) -> dict[str, Any]:
    """The version as the public pages show it. Its `sha256` pins the exact file, which
    anyone can fetch from the version's page and hash."""
    counts = {c: sum(1 for i in items if i.category == c) for c in PowerItem.Category.values}
    return {
        "schema": SCHEMA,
        "title": f"小微权力清单第 {version.number} 版：{version.label}",
        "number": version.number,
        "label": version.label,
        "label_en": version.label_en,
        "sha256": version.sha256,
        # In UTC: the same instant must give the same text whether it comes from the clock
        # (the demo's runs in Chinese time) or back from the database.
        "loaded_at": version.loaded_at.astimezone(UTC).isoformat(),
        "counts": counts,
        "meetings": version.meetings,
        "subflows": version.subflows,
        "items": [_item(i) for i in sorted(items, key=lambda i: i.position)],
    }


def is_full(data: dict[str, Any]) -> bool:
    """Whether a snapshot carries the whole list (not only the first summary form)."""
    return data.get("schema") == SCHEMA


@transaction.atomic
def derive(entry: Entry, data: dict[str, Any] | None = None) -> PublishedVersion:
    """(Re)build the public rows of one version from its published snapshot alone.

    Every county's chain carries the same snapshot; deriving from any of them gives the
    same rows (only `publication_id` names the entry read).
    """
    data = data if data is not None else json.loads(entry.snapshot_json)
    if not is_full(data):
        raise InvalidInput(
            _("Version %(number)s was published as a summary only: run `sunlit powers publish` to publish it whole")
            % {"number": data.get("number", "?")}
        )
    number = int(data["number"])
    version, _created = PublishedVersion.objects.update_or_create(
        number=number,
        defaults={
            "label": data["label"],
            "label_en": data["label_en"],
            "sha256": data["sha256"],
            "loaded_at": datetime.fromisoformat(data["loaded_at"]),
            "meetings": data["meetings"],
            "subflows": data["subflows"],
            "publication_id": entry.pk,
        },
    )
    PublishedItem.objects.filter(version=version).delete()
    PublishedItem.objects.bulk_create(
        [
            PublishedItem(
                version=version,
                position=position,
                township_id=row["township"],
                **{name: row[name] for name in ITEM_FIELDS if name != "township"},
            )
            for position, row in enumerate(data["items"], start=1)
        ]
    )
    # The newest published version is the one in force (a revert is a new number).
    newest = PublishedVersion.objects.aggregate(n=Max("number"))["n"]
    PublishedVersion.objects.filter(is_current=True).exclude(number=newest).update(is_current=False)
    PublishedVersion.objects.filter(number=newest, is_current=False).update(is_current=True)
    version.is_current = version.number == newest
    return version


def rebuild() -> int:
    """Rebuild every published version's public rows from the log; the number rebuilt.

    Each version is read from the oldest chain that carries it whole; versions that no
    chain carries whole are left out (and their rows removed)."""

    chosen: dict[int, tuple[Entry, dict[str, Any]]] = {}
    for entry in Entry.objects.filter(kind=KIND, superseded_by__isnull=True).order_by("id"):
        data = json.loads(entry.snapshot_json)
        if is_full(data) and int(data["number"]) not in chosen:
            chosen[int(data["number"])] = (entry, data)
    PublishedVersion.objects.exclude(number__in=chosen).delete()
    for number in sorted(chosen):
        derive(*chosen[number])
    return len(chosen)
