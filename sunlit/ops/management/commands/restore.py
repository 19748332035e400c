from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunlit.ops.archive import BackupError, restore


class Command(BaseCommand):
    help = (
        "Restore an archive made by `sunlit backup` into an empty installation: every member is "
        "checked against the manifest first, then everything is restored or nothing is."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive made by `sunlit backup`.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Replace the data of an installation that is not empty (its rows, files and signing key).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = restore(options["file"], force=options["force"], say=self.stdout.write)
        except BackupError as e:
            raise CommandError(str(e)) from e
        self.stdout.write(
            _("Restored %(rows)d rows and %(files)d files. Run `sunlit verify` next.")
            % {"rows": sum(result.counts.values()), "files": result.files}
        )
        for warning in result.warnings:
            self.stderr.write(warning)
