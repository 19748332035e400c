"""Every write to the power list: loading a version. Keyword-only, atomic, audited."""

from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.lib.errors import InvalidInput
from sunlit.powers import loader, publication
from sunlit.powers.models import PowerItem, PowerListVersion, PublishedVersion
from sunlit.regions import codes
from sunlit.regions import selectors as region_selectors
from sunlit.regions.models import Region
from sunlit.transparency import selectors as transparency_selectors
from sunlit.transparency.canonical import canonical_json
from sunlit.transparency.services import publish

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.transparency.models import Entry

DEFAULT_FILE = Path(__file__).resolve().parent / "data" / "lianyuan-2024.yaml"
PUBLISH_KIND = publication.KIND


def default_source() -> str:
    """The list shipped with Sunlit (Lianyuan's, 10/3/15 items), as text for powers_load."""
    return DEFAULT_FILE.read_text(encoding="utf-8")


def sha256_text(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def version_snapshot(version: PowerListVersion, items: list[PowerItem]) -> dict[str, Any]:
    """What the publication log keeps of a version (see `publication.snapshot`)."""
    return publication.snapshot(version, items)


def _counties() -> list[Region]:
    return list(Region.objects.filter(level=codes.COUNTY).order_by("code"))


@transaction.atomic
def powers_load(*, source: str, label: str = "", by: User | None) -> PowerListVersion:
    """Check `source` (a list file's text) and make it the current list version.

    All or nothing: a file with any problem raises InvalidInput naming each one with its
    line, and nothing is written. Loading the text of the current version again returns
    that version and writes nothing (but publishes it on a county's chain that lacks it).
    Loading an older version's text again is a revert, and a revert is a revision like
    any other: it gets a new number, so the history shows that the list went back.
    `by` None is the bootstrap (demo, `--default`); a person needs "powers.manage" over
    every top region, since the list applies to all.
    """
    if by is not None:
        tops = list(region_selectors.top_regions())
        if not tops:
            raise InvalidInput(_("Import the regions before loading a power list"))
        for top in tops:
            jurisdiction.require(by, "powers.manage", top.code)
    if not isinstance(source, str) or not source.strip():
        raise InvalidInput(_("The file is empty"))
    digest = sha256_text(source)
    # Lock the current version row: two administrators loading at once queue here, and
    # the second sees the first one's result.
    current = PowerListVersion.objects.select_for_update().filter(is_current=True).first()
    if current is not None and current.sha256 == digest:
        # Nothing to load; it is published where it is missing (a county created since).
        version_publish(version=current, by=by)
        return current
    townships = set(Region.objects.filter(level=codes.TOWNSHIP).values_list("code", flat=True))
    parsed = loader.parse(source, townships=townships)
    number = (PowerListVersion.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    label = (label or "").strip() or parsed.label or _("Version %(number)d") % {"number": number}
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    version = PowerListVersion(
        number=number,
        label=label[:200],
        label_en=parsed.label_en[:200],
        source=source,
        sha256=digest,
        loaded_at=timezone.now(),
        loaded_by=by if getattr(by, "is_authenticated", False) else None,
        is_current=True,
        meetings={k: {**r.to_dict(), "basis": parsed.meeting_basis.get(k, "")} for k, r in parsed.meetings.items()},
        subflows={k: asdict(s) for k, s in parsed.subflows.items()},
    )
    version.full_clean()
    try:
        with transaction.atomic():
            version.save()
    except IntegrityError:
        # The first list of a deployment has no current row to lock: two administrators
        # loading at the very same moment meet here, at the unique number instead.
        raise InvalidInput(
            _("Another list was loaded at the same moment; look at the versions and try again")
        ) from None
    items = [
        PowerItem(
            version=version,
            position=position,
            code=i.code,
            name_zh=i.name_zh,
            name_en=i.name_en,
            category=i.category,
            basis=i.basis,
            exerciser=i.exerciser,
            exerciser_en=i.extra["exerciser_en"],
            supervisor=i.supervisor,
            supervisor_en=i.extra["supervisor_en"],
            conditions=list(i.conditions),
            materials=list(i.materials),
            time_limit_days=i.time_limit_days,
            fee=i.fee,
            fee_en=i.extra["fee_en"],
            risks=[asdict(r) for r in i.risks],
            flow=i.flow.to_dict(),
            level=i.level,
            township_id=i.township,
            local=i.local,
            needs_amount=i.needs_amount,
            needs_applicant=i.needs_applicant,
            replaces=list(i.extra["replaces"]),
            authorises=list(i.extra["authorises"]),
            line=i.extra["line"],
        )
        for position, i in enumerate(parsed.items, start=1)
    ]
    PowerItem.objects.bulk_create(items)
    audit_record(
        action="powers.load",
        by=by,
        obj=version,
        detail={
            "number": number,
            "label": version.label,
            "sha256": digest,
            "items": len(items),
            "previous": current.number if current else None,
        },
    )
    version_publish(version=version, items=items, by=by)
    return version


def version_publish(*, version: PowerListVersion, items: list[PowerItem] | None = None, by: User | None) -> list[Entry]:
    """Publish `version` on every county's chain and derive its public rows.

    The list applies county-wide: each county's chain carries it, so a villager who
    checks her county's log sees which list was in force and when it changed. Publishing
    again is a no-op for chains that carry it already and adds it to counties created
    since. A chain holding only the first, summary form gets the whole list as a
    correction; any other difference means the working rows changed after publication,
    and is refused rather than published.
    """

    if items is None:
        items = list(version.items.order_by("position"))
    snapshot = version_snapshot(version, items)
    digest = sha256_text(canonical_json(snapshot))
    entries = []
    for county in _counties():
        ref = publication.ref(county.code, version.number)
        reason = ""
        current = transparency_selectors.current(PUBLISH_KIND, ref)
        if current is not None and current.snapshot_sha256 != digest:
            if publication.is_full(current.snapshot):
                raise InvalidInput(
                    _("Version %(number)d differs from what %(county)s's chain published; nothing was published")
                    % {"number": version.number, "county": county.code}
                )
            reason = publication.FULL_LIST_REASON
        entries.append(publish(chain=county.code, kind=PUBLISH_KIND, ref=ref, snapshot=snapshot, by=by, reason=reason))
    if entries and not PublishedVersion.objects.filter(number=version.number, publication_id=entries[0].pk).exists():
        publication.derive(entries[0])
    return entries
