"""The powers room: the micro-power list as versioned data, its flows and flowcharts."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, Desk, PageLink, RecordKind, Room
from sunlit.powers.services import PUBLISH_KIND


def _version_page(ref: str, snapshot: Mapping[str, Any]) -> PageLink | None:
    match = re.fullmatch(r"[0-9]{12}/v([0-9]+)", ref)
    return PageLink("powers:version", (match[1],)) if match else None


ROOM = Room(
    name="powers",
    label=_("Power list"),
    depends_on=("regions", "accounts", "transparency"),
    actions={"powers.manage": {ADMIN}},
    desks=(Desk("powers:office", _("Load a revised power list"), "powers.manage"),),
    kinds=(RecordKind(PUBLISH_KIND, _("Power list"), page=_version_page),),
    demo="sunlit.powers.demo.seed",
    urls="sunlit.powers.urls",
)
