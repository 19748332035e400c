"""The workdays room: China's official calendar of working days, overridable by an administrator."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Desk, Room

ROOM = Room(
    name="workdays",
    label=_("Working-day calendar"),
    depends_on=("accounts",),
    desks=(Desk("workdays:overrides", _("Working-day calendar"), "region.edit"),),
    urls="sunlit.workdays.urls",
)
