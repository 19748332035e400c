"""The demo room: deterministic synthetic data; it seeds regions and accounts, then asks
every room's manifest for its seeder (`demo`), dependencies first."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Room

ROOM = Room(name="demo", label=_("Demo data"), depends_on=("regions", "accounts"))
