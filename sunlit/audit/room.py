"""The audit room: every state change's row (who, what, when, from where). Read through accounts' desk."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Room

ROOM = Room(name="audit", label=_("Audit log"))
