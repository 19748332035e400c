from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from sunlit.transparency.services import root_sign


class Command(BaseCommand):
    help = (
        "Sign a Merkle root over every published entry that no root covers yet, now "
        "(the scheduler also does this every SUNLIT_ROOT_SIGNING_INTERVAL seconds)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        # Run from the server's shell by its operator: the system signs, as the scheduler does.
        root = root_sign(by=None)
        if root is None:
            self.stdout.write(_("Nothing new to sign."))
            return
        self.stdout.write(
            _("Signed root %(batch)d over %(size)d entries (#%(first)d–#%(last)d): %(hash)s")
            % {
                "batch": root.batch,
                "size": root.tree_size,
                "first": root.first_entry_id,
                "last": root.last_entry_id,
                "hash": root.root_hash,
            }
        )
