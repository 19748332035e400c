"""The transparency room: the publication log — publish(), hash chains, signed Merkle roots, proofs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from sunlit.lib.rooms import ADMIN, Job, Room

ROOM = Room(
    name="transparency",
    label=_("Publication log"),
    actions={"transparency.sign": {ADMIN}},
    # Seal the day's publications in a signed Merkle root.
    jobs=(Job("sign_root", "SUNLIT_ROOT_SIGNING_INTERVAL", "sunlit.transparency.tasks.sign_root_task"),),
    urls="sunlit.transparency.urls",
)
