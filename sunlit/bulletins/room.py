"""The bulletins room: typical cases, policies and notices, published by inspectors and administrators."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunlit.bulletins.services import KIND
from sunlit.lib.rooms import ADMIN, INSPECTOR, Desk, PageLink, RecordKind, Room


def _bulletin_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    return PageLink("bulletins:detail", (ref,))


ROOM = Room(
    name="bulletins",
    label=_("Notices"),
    depends_on=("regions", "accounts", "transparency"),
    actions={"bulletin.publish": {INSPECTOR, ADMIN}},
    desks=(Desk("bulletins:office", _("Typical cases and policies"), "bulletin.publish"),),
    kinds=(RecordKind(KIND, _("Typical case or policy"), page=_bulletin_page),),
    # The field "name" (of an attachment) reads as the regions room's "Name".
    labels={
        "title": pgettext_lazy("bulletin", "Title"),
        "body_markdown": _("Text (Markdown)"),
        "region": _("Region"),
        "region_name": _("Region name"),
        "attachments": _("Attachments"),
        "sha256": _("SHA-256"),
        "published_on": _("Published on"),
    },
    urls="sunlit.bulletins.urls",
)
