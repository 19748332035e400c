"""The portal room: the public home, township and village pages, in the phone and kiosk layouts."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Room

ROOM = Room(name="portal", label=_("Public pages"), urls="sunlit.portal.urls")
