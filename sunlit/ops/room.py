"""The ops room: what an operator runs on the server itself (`sunlit backup`, `sunlit restore`).

It reads every room's tables through Django's model registry and imports no room.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Room

ROOM = Room(name="ops", label=_("Operations"))
