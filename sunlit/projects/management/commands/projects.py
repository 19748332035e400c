"""`sunlit projects import FILE [--village CODE] [--user USERNAME] [--no-publish]`.

Thin: the import service does the work, here in the foreground with a progress bar.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from sunlit.accounts.models import User
from sunlit.lib.errors import ApplicationError
from sunlit.projects import imports
from sunlit.projects.models import ImportBatch


class Command(BaseCommand):
    help = "Import village projects (with tenders, contracts, payments) from XLSX or CSV, all or nothing."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import}")
        imp = sub.add_parser("import", help="Import an XLSX or CSV project register (all or nothing).")
        imp.add_argument("file", metavar="FILE", help="XLSX, or CSV in UTF-8 (with or without BOM) or GB18030.")
        imp.add_argument("--village", metavar="CODE", default="", help="The village of rows that name none.")
        imp.add_argument("--user", metavar="USERNAME", default="",
                         help="Import as this person (their jurisdiction applies; recorded as the importer).")
        imp.add_argument("--no-publish", action="store_true", help="Leave the imported projects unpublished.")
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Cannot read %(path)s") % {"path": path})
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"], is_active=True).first()
            if by is None:
                raise CommandError(_("No active account %(name)s") % {"name": options["user"]})
        try:
            batch = imports.batch_start(filename=path.name, default_village=options["village"], by=by)
            with tqdm(total=100, desc=path.name, unit="%", file=sys.stderr, leave=False,
                      disable=True if options["no_progress"] else None) as bar:

                def show(b: ImportBatch) -> None:
                    bar.n = b.progress
                    bar.set_postfix_str(f"{b.stage}, {b.rows_read}")

                outcome = imports.import_file(batch=batch, path=path, by=by, publish=not options["no_publish"],
                                              on_progress=show)
        except imports.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{path.name}: {problem}")
            raise CommandError(refused.message) from None
        except ApplicationError as e:
            raise CommandError(e.message) from None
        if outcome.already_imported:
            self.stdout.write(_("%(name)s was imported before: nothing changed.") % {"name": path.name})
            return
        self.stdout.write(_("%(name)s: %(rows)d rows; %(created)d project(s) imported, %(unchanged)d already in the "
                            "registry.") % {"name": path.name, "rows": batch.rows_read,
                                            "created": outcome.projects_created,
                                            "unchanged": outcome.projects_unchanged})
