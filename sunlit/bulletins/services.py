"""Writing and publishing bulletins. Public only through transparency.publish; `derive`
builds the public attachment rows from each published snapshot."""

from __future__ import annotations

import json
import secrets
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import User
from sunlit.audit.services import audit_record
from sunlit.bulletins.models import Attachment, Bulletin, Kind, PublishedAttachment
from sunlit.lib import validate
from sunlit.lib.errors import InvalidInput
from sunlit.lib.uploads import clean_upload
from sunlit.regions.models import Region
from sunlit.transparency.models import Entry
from sunlit.transparency.services import publish

KIND = "bulletin"  # the publication log's kind


def snapshot(bulletin: Bulletin) -> dict[str, Any]:
    return {
        "number": bulletin.number,
        "kind": bulletin.kind,
        "title": bulletin.title,
        "body_markdown": bulletin.body,
        "region": bulletin.region_id,
        "region_name": bulletin.region.name,
        "published_on": timezone.localdate().isoformat(),
        "attachments": [
            {"name": a.name, "sha256": a.sha256, "type": a.content_type, "bytes": a.size}
            for a in bulletin.attachments.order_by("id")
        ],
    }


@transaction.atomic
def derive(entry: Entry, data: dict[str, Any] | None = None) -> list[PublishedAttachment]:
    """(Re)build the public attachment rows of one bulletin from its published snapshot
    alone: the attachments of its current version, named as published."""
    data = data if data is not None else json.loads(entry.snapshot_json)
    number = data["number"]
    PublishedAttachment.objects.filter(number=number).delete()
    return PublishedAttachment.objects.bulk_create(
        [
            PublishedAttachment(
                sha256=a["sha256"],
                number=number,
                position=position,
                name=a["name"],
                content_type=a.get("type", ""),
                size=a.get("bytes"),
                publication_id=entry.pk,
            )
            for position, a in enumerate(data.get("attachments", []), start=1)
        ]
    )


def rebuild() -> int:
    """Rebuild every bulletin's public attachment rows from the log; the number of bulletins."""
    PublishedAttachment.objects.all().delete()
    count = 0
    for entry in Entry.objects.filter(kind=KIND, superseded_by__isnull=True).order_by("id"):
        derive(entry)
        count += 1
    return count


@transaction.atomic
def bulletin_publish(
    *, kind: str, title: str, body: str, region_code: str, files: Sequence[tuple[str, bytes]] = (), by: User
) -> Bulletin:
    """Write a typical case or a policy and publish it to its region's chain at once."""
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise InvalidInput(_("Choose the region the bulletin is for"), field="region")
    jurisdiction.require(by, "bulletin.publish", region.code)
    if kind not in Kind.values:
        raise InvalidInput(_("Choose a typical case or a policy"), field="kind")
    now = timezone.now()
    bulletin = Bulletin.objects.create(
        number=f"{now:%Y}-{secrets.token_hex(3)}",
        kind=kind,
        title=validate.text(title, "title", pgettext("bulletin", "Title"), 200),
        body=validate.text(body, "body", _("Text"), 50_000),
        region=region,
        created_by=by,
        created_at=now,
        published_at=now,
    )
    for name, data in files:
        cleaned = clean_upload(data=data, filename=name)
        Attachment.objects.create(
            bulletin=bulletin,
            name=(name or "file")[-120:],
            content_type=cleaned.content_type,
            content=cleaned.content,
            sha256=cleaned.sha256,
            size=cleaned.size,
        )
    frozen = snapshot(bulletin)
    derive(publish(chain=region.code, kind=KIND, ref=bulletin.number, snapshot=frozen, by=by), frozen)
    audit_record(
        action="bulletin.publish",
        by=by,
        obj=bulletin,
        region_code=region.code,
        detail={"kind": kind, "number": bulletin.number},
    )
    return bulletin
