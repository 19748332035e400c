"""`sunlit regions export|import`: the region tree as a spreadsheet-friendly CSV.

Export writes UTF-8 with a BOM, because Excel on a township's Windows PC only detects
UTF-8 by its BOM and otherwise shows the Chinese names as mojibake. Import accepts what
those PCs produce: UTF-8 with or without BOM, or GB18030 (Excel's "CSV" on Chinese
Windows). The service does the work and is all-or-nothing; this command only reads and
writes files and turns the service's problems into lines on stderr and a non-zero exit.
"""

from __future__ import annotations

import io
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunlit.lib.errors import ApplicationError
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.regions.services import regions_export_csv, regions_import_csv

BOM = "\ufeff"


def decode_csv(data: bytes, *, name: str) -> str:
    """UTF-8 (BOM or not) first, then GB18030; anything else is refused, with where."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("gb18030")
        except UnicodeDecodeError:
            # Report the UTF-8 position: a file that is neither is most likely damaged
            # UTF-8 (or another legacy encoding), and the line helps find it.
            pos = utf8_error.start
            line = data[:pos].count(b"\n") + 1
            raise CommandError(
                _(
                    "%(name)s: line %(line)d, byte %(pos)d: 0x%(byte)02x is neither UTF-8 nor "
                    'GB18030. Save the file as "CSV UTF-8" and try again; nothing was imported.'
                )
                % {"name": name, "line": line, "pos": pos, "byte": data[pos]}
            ) from None


class Command(BaseCommand):
    help = "Export or import the region tree (codes, names, contacts) as CSV."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{export,import}")
        export = sub.add_parser("export", help="Write regions as CSV (UTF-8 with BOM).")
        export.add_argument("--under", metavar="CODE", help="Only this region and its subtree.")
        export.add_argument("-o", "--output", metavar="FILE", help="Write here instead of stdout.")
        imp = sub.add_parser("import", help="Create or update regions from a CSV file.")
        imp.add_argument("file", metavar="FILE", help="CSV file (UTF-8, UTF-8 with BOM, GB18030); - for stdin.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "export":
            self.export(under=options.get("under"), output=options.get("output"))
        else:
            self.import_(options["file"])

    def export(self, *, under: str | None, output: str | None) -> None:
        region = None
        if under:
            try:
                code = codes.validate(under)
            except ApplicationError as e:
                raise CommandError(e.message) from None
            region = Region.objects.filter(code=code).first()
            if region is None:
                raise CommandError(_("No region with code %(code)s") % {"code": code})
        text = BOM + regions_export_csv(under=region)
        if output:
            # newline="" keeps the service's line endings byte for byte.
            with open(output, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            count = text.count("\n") - 1
            self.stderr.write(_("Wrote %(count)d region(s) to %(path)s") % {"count": count, "path": output})
        else:
            self.stdout.write(text, ending="")

    def import_(self, path: str) -> None:
        if path == "-":
            data, name = sys.stdin.buffer.read(), "stdin"
        else:
            try:
                data, name = Path(path).read_bytes(), path
            except OSError as e:
                raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": e.strerror}) from None
        text = decode_csv(data, name=name)
        try:
            result = regions_import_csv(stream=io.StringIO(text, newline=""), by=None)
        except ApplicationError as e:
            problems = e.message.splitlines()
            for line in problems:
                self.stderr.write(f"{name}: {line}")
            raise CommandError(
                _("%(count)d problem(s) in %(name)s; nothing was imported.") % {"count": len(problems), "name": name}
            ) from None
        self.stdout.write(
            _("%(name)s: %(created)d created, %(updated)d updated, %(unchanged)d unchanged.") % {"name": name, **result}
        )
