from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from sunlit.ops.archive import BackupError, backup


class Command(BaseCommand):
    help = (
        "Write the database, the uploaded files, the signing key, the ID key and the reports "
        "secret to one archive (tar.gz, mode 0600). The archive is secret: see docs/deploy.md."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="The archive to write (replaced once complete).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            manifest = backup(options["file"])
        except BackupError as e:
            raise CommandError(str(e)) from e
        rows = sum(manifest["counts"].values())
        files = sum(1 for name in manifest["members"] if name.startswith("media/"))
        self.stdout.write(
            _("Backed up %(rows)d rows and %(files)d files to %(path)s (mode 0600: keep it secret).")
            % {"rows": rows, "files": files, "path": options["file"]}
        )
