"""`sunlit welfare import|programmes|rebuild-public`: the welfare register from the command line.

    sunlit welfare import FILE [--village CODE] [--user USERNAME] [--no-progress]
    sunlit welfare programmes load [FILE | --default]
    sunlit welfare rebuild-public

Thin: the services do the work. An import runs here in the foreground with a progress
bar; the upload page runs the same import as a background task.
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
from sunlit.welfare import imports, publication, services
from sunlit.welfare import programmes as programme_file
from sunlit.welfare.models import ImportBatch


class Command(BaseCommand):
    help = "Import households and payments, load the programmes file, rebuild the public welfare tables."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,programmes,rebuild-public}")
        imp = sub.add_parser("import", help="Import an XLSX or CSV file (all or nothing).")
        imp.add_argument("file", metavar="FILE", help="XLSX, or CSV in UTF-8 (with or without BOM) or GB18030.")
        imp.add_argument("--village", metavar="CODE", default="", help="The village of rows that name none.")
        imp.add_argument("--user", metavar="USERNAME", default="",
                         help="Import as this person (their jurisdiction applies; recorded as the importer).")
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")
        prog = sub.add_parser("programmes", help="Benefit programmes.")
        prog_sub = prog.add_subparsers(dest="programmes_action", required=True, metavar="{load}")
        load = prog_sub.add_parser("load", help="Load the programmes file (updates programmes in place).")
        load.add_argument("file", metavar="FILE", nargs="?", default="",
                          help=f"default: {programme_file.DEFAULT_FILE.name}")
        sub.add_parser("rebuild-public", help="Rebuild the published lists' aggregates from the publication log.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self.import_(options)
            elif options["action"] == "programmes":
                self.programmes(options["file"])
            else:
                self.rebuild()
        except imports.ImportRefused as refused:
            for problem in refused.problems:
                self.stderr.write(f"{options.get('file', '')}: {problem}")
            if refused.count > len(refused.problems):
                self.stderr.write(_("… and %(n)d more.") % {"n": refused.count - len(refused.problems)})
            raise CommandError(refused.message) from None
        except ApplicationError as e:
            raise CommandError(e.message) from None

    def import_(self, options: dict[str, Any]) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(_("Cannot read %(path)s") % {"path": path})
        by = None
        if options["user"]:
            by = User.objects.filter(username=options["user"], is_active=True).first()
            if by is None:
                raise CommandError(_("No active account %(name)s") % {"name": options["user"]})
        batch = imports.batch_start(filename=path.name, default_village=options["village"], by=by)
        with tqdm(total=100, desc=path.name, unit="%", file=sys.stderr, leave=False,
                  disable=True if options["no_progress"] else None,
                  bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}") as bar:

            def show(b: ImportBatch) -> None:
                bar.n = b.progress
                bar.set_postfix_str(_("%(stage)s, %(rows)d rows") % {"stage": b.stage, "rows": b.rows_read})

            outcome = imports.import_file(batch=batch, path=path, by=by, on_progress=show)
        if outcome.already_imported:
            self.stdout.write(_("%(name)s was imported before (import #%(id)d): nothing changed.")
                              % {"name": path.name, "id": batch.same_as_id})
            return
        self.stdout.write(
            _("%(name)s: %(rows)d rows; %(h)d household(s), %(m)d member(s) and %(p)d payment(s) imported, "
              "%(u)d payment(s) already recorded.")
            % {"name": path.name, "rows": batch.rows_read, "h": batch.households_created, "m": batch.members_created,
               "p": batch.payments_created, "u": batch.unchanged})

    def programmes(self, file: str) -> None:
        source = Path(file).read_text(encoding="utf-8-sig") if file else programme_file.default_source()
        loaded = services.programmes_load(source=source, by=None)
        self.stdout.write(_("Programmes: %(c)d created, %(u)d updated, %(d)d no longer paid.")
                          % {"c": loaded.created, "u": loaded.updated, "d": loaded.deactivated})
        if loaded.missing_items:
            self.stderr.write(_("Not in the current power list: %(codes)s")
                              % {"codes": ", ".join(loaded.missing_items)})

    def rebuild(self) -> None:
        from sunlit.transparency.models import Entry

        count = 0
        for entry in Entry.objects.filter(kind=publication.KIND, superseded_by__isnull=True).order_by("id"):
            publication.derive(entry)
            count += 1
        self.stdout.write(_("%(n)d published list(s) rebuilt.") % {"n": count})
