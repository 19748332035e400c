"""`sunlit powers load FILE | --default [--label TEXT]`: check a power-list file and make
it the current version. `sunlit powers publish`: publish every loaded version on each
county's chain that lacks it (a county added since, or a chain holding the first summary
form) and rebuild the public pages' tables from the log.

The service does the work, all or nothing; this command reads the file, prints every
problem as `FILE: line N: …` on stderr and exits non-zero, or prints the version it
loaded.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from sunlit.lib.errors import ApplicationError
from sunlit.powers import publication
from sunlit.powers.models import PowerListVersion
from sunlit.powers.services import DEFAULT_FILE, default_source, powers_load, version_publish


def decode(data: bytes, name: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CommandError(
            _("%(name)s: line %(line)d is not UTF-8: save the file as UTF-8 and try again; nothing was loaded.")
            % {"name": name, "line": line}
        ) from None


class Command(BaseCommand):
    help = "Load a revised micro-power list (YAML) as the new current version."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{load,publish}")
        load = sub.add_parser("load", help="Check a list file and make it the current version.")
        load.add_argument("file", metavar="FILE", nargs="?", help="YAML list file; - for stdin.")
        load.add_argument(
            "--default", action="store_true", help=f"Load the list shipped with Sunlit ({DEFAULT_FILE.name})."
        )
        load.add_argument("--label", default="", help="A label for the version (default: the file's own).")
        sub.add_parser(
            "publish", help="Publish every version where it is missing and rebuild the public pages from the log."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "publish":
            self.publish()
            return
        self.load(options)

    def publish(self) -> None:
        try:
            for version in PowerListVersion.objects.order_by("number"):
                version_publish(version=version, by=None)
        except ApplicationError as e:
            raise CommandError(e.message) from None
        count = publication.rebuild()
        self.stdout.write(_("%(n)d published version(s) rebuilt.") % {"n": count})

    def load(self, options: dict[str, Any]) -> None:
        path: str = options.get("file") or ""
        default = bool(options.get("default"))
        if bool(path) == default:
            raise CommandError(_("Give either a FILE or --default."))
        if default:
            text, name = default_source(), DEFAULT_FILE.name
        elif path == "-":
            text, name = decode(sys.stdin.buffer.read(), "stdin"), "stdin"
        else:
            try:
                data = Path(path).read_bytes()
            except OSError as e:
                raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": e.strerror}) from None
            text, name = decode(data, path), path
        before = PowerListVersion.objects.filter(is_current=True).values_list("pk", flat=True).first()
        try:
            version = powers_load(source=text, label=options.get("label") or "", by=None)
        except ApplicationError as e:
            problems = e.message.splitlines()
            for line in problems:
                self.stderr.write(f"{name}: {line}")
            raise CommandError(
                _("%(count)d problem(s) in %(name)s; nothing was loaded.") % {"count": len(problems), "name": name}
            ) from None
        counts = {c: version.items.filter(category=c).count() for c in ("major", "daily", "service")}
        if version.pk == before:
            self.stdout.write(
                _("%(name)s is already the current list (version %(number)d); nothing changed.")
                % {"name": name, "number": version.number}
            )
            return
        self.stdout.write(
            _(
                "Loaded %(name)s as version %(number)d (%(label)s): %(major)d major decisions, %(daily)d daily "
                "management, %(service)d convenience services."
            )
            % {"name": name, "number": version.number, "label": version.label, **counts}
        )
