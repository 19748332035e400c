"""The regions room: city → township → village, and each village's published profile."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import PageLink, PublicRecord, RecordKind, Room
from sunlit.regions import codes
from sunlit.regions.selectors import public_record


def _profile_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    return PageLink("portal:village", (ref,)) if snapshot.get("level") == codes.VILLAGE else None


def _village(ref: str) -> PublicRecord | None:
    return public_record(ref, codes.VILLAGE)


def _township(ref: str) -> PublicRecord | None:
    return public_record(ref, codes.TOWNSHIP)


ROOM = Room(
    name="regions",
    label=_("Village profile"),
    depends_on=("accounts", "transparency"),
    kinds=(RecordKind("region.profile", _("Village profile"), page=_profile_page),),
    labels={
        "code": _("Region code"),
        "name": _("Name"),
        "level": _("Level"),
        "parent_code": _("Part of (code)"),
        "is_community": _("Urban community"),
        "phone": _("Service-centre phone"),
        "address": _("Address"),
    },
    # "Question this" on a village's page, or about a township's officials.
    resolvers={"village": _village, "township": _township},
    urls="sunlit.regions.urls",
)
