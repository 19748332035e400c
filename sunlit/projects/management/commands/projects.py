"""`sunlit projects import FILE [--village CODE] [--user USERNAME] [--no-publish]`.

Thin: the import service does the work, here in the foreground with a progress bar.
"""

from __future__ import annotations

from argparse import ArgumentParser
from functools import partial
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunlit.lib import importdesk
from sunlit.lib.errors import ApplicationError
from sunlit.projects import imports


class Command(BaseCommand):
    help = "Import village projects (with tenders, contracts, payments) from XLSX or CSV, all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = sub.add_parser("import", help="Import an XLSX or CSV project register (all or nothing).")
        imp.add_argument("file", metavar="FILE", help="XLSX, or CSV in UTF-8 (with or without BOM) or GB18030.")
        imp.add_argument("--village", metavar="CODE", default="", help="The village of rows that name none.")
        imp.add_argument(
            "--user",
            metavar="USERNAME",
            default="",
            help="Import as this person (their jurisdiction applies; recorded as the importer).",
        )
        imp.add_argument("--no-publish", action="store_true", help="Leave the imported projects unpublished.")
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            done = importdesk.cli_import(
                self,
                options,
                start=imports.batch_start,
                import_file=partial(imports.import_file, publish=not options["no_publish"]),
            )
        except imports.ImportRefused as refusal:
            raise importdesk.refused(self, refusal, Path(options["file"]).name) from None
        except ApplicationError as e:
            raise CommandError(e.message) from None
        if done is None:
            return
        batch, outcome = done
        path = Path(options["file"])
        self.stdout.write(
            _("%(name)s: %(rows)d rows; %(created)d project(s) imported, %(unchanged)d already in the registry.")
            % {
                "name": path.name,
                "rows": batch.rows_read,
                "created": outcome.projects_created,
                "unchanged": outcome.projects_unchanged,
            }
        )
