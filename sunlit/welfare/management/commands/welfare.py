"""`sunlit welfare import|programmes|rebuild-public`: the welfare register from the command line.

    sunlit welfare import FILE [--village CODE] [--user USERNAME] [--no-progress]
    sunlit welfare programmes load [FILE | --default]
    sunlit welfare rebuild-public

Thin: the services do the work. An import runs here in the foreground with a progress
bar; the upload page runs the same import as a background task.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunlit.lib import importdesk
from sunlit.lib.errors import ApplicationError
from sunlit.transparency.models import Entry
from sunlit.welfare import imports, publication, services
from sunlit.welfare import programmes as programme_file


class Command(BaseCommand):
    help = "Import households and payments, load the programmes file, rebuild the public welfare tables."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,programmes,rebuild-public}")
        imp = sub.add_parser("import", help="Import an XLSX or CSV file (all or nothing).")
        imp.add_argument("file", metavar="FILE", help="XLSX, or CSV in UTF-8 (with or without BOM) or GB18030.")
        imp.add_argument("--village", metavar="CODE", default="", help="The village of rows that name none.")
        imp.add_argument(
            "--user",
            metavar="USERNAME",
            default="",
            help="Import as this person (their jurisdiction applies; recorded as the importer).",
        )
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")
        prog = sub.add_parser("programmes", help="Benefit programmes.")
        prog_sub = prog.add_subparsers(dest="programmes_action", required=True, metavar="{load}")
        load = prog_sub.add_parser("load", help="Load the programmes file (updates programmes in place).")
        load.add_argument(
            "file", metavar="FILE", nargs="?", default="", help=f"default: {programme_file.DEFAULT_FILE.name}"
        )
        sub.add_parser("rebuild-public", help="Rebuild the published lists' aggregates from the publication log.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self.import_(options)
            elif options["action"] == "programmes":
                self.programmes(options["file"])
            else:
                self.rebuild()
        except imports.ImportRefused as refusal:
            raise importdesk.refused(self, refusal, options.get("file", "")) from None
        except ApplicationError as e:
            raise CommandError(e.message) from None

    def import_(self, options: dict[str, Any]) -> None:
        done = importdesk.cli_import(self, options, start=imports.batch_start, import_file=imports.import_file)
        if done is None:
            return
        batch, _outcome = done
        path = Path(options["file"])
        self.stdout.write(
            _(
                "%(name)s: %(rows)d rows; %(h)d household(s), %(m)d member(s) and %(p)d payment(s) imported, "
                "%(u)d payment(s) already recorded."
            )
            % {
                "name": path.name,
                "rows": batch.rows_read,
                "h": batch.households_created,
                "m": batch.members_created,
                "p": batch.payments_created,
                "u": batch.unchanged,
            }
        )

    def programmes(self, file: str) -> None:
        source = Path(file).read_text(encoding="utf-8-sig") if file else programme_file.default_source()
        loaded = services.programmes_load(source=source, by=None)
        self.stdout.write(
            _("Programmes: %(c)d created, %(u)d updated, %(d)d no longer paid.")
            % {"c": loaded.created, "u": loaded.updated, "d": loaded.deactivated}
        )
        if loaded.missing_items:
            self.stderr.write(
                _("Not in the current power list: %(codes)s") % {"codes": ", ".join(loaded.missing_items)}
            )

    def rebuild(self) -> None:

        count = 0
        for entry in Entry.objects.filter(kind=publication.KIND, superseded_by__isnull=True).order_by("id"):
            publication.derive(entry)
            count += 1
        self.stdout.write(_("%(n)d published list(s) rebuilt.") % {"n": count})
