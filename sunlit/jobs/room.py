"""The jobs room: the one scheduler, which enqueues every room's periodic jobs (their manifests' `jobs`)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import Room

ROOM = Room(name="jobs", label=_("Periodic jobs"))
