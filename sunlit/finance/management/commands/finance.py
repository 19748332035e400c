"""`sunlit finance import|chart|rebuild-public`: the village books from the command line.

    sunlit finance import FILE [--village CODE] [--user USERNAME]
    sunlit finance chart load FILE | chart list | chart set VILLAGE YEAR CHART
    sunlit finance rebuild-public [--village CODE]

Thin: the services do the work. An import runs here in the foreground with a progress bar;
the upload page runs the same import as a background task.
"""

from __future__ import annotations

import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from tqdm import tqdm

from sunlit.finance import imports, publication, services
from sunlit.finance.models import Chart
from sunlit.lib import importdesk
from sunlit.lib.errors import ApplicationError
from sunlit.regions.models import Region
from sunlit.transparency.models import Entry


class Command(BaseCommand):
    help = "Import book-keeping exports, load charts of accounts, rebuild the public finance tables."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, metavar="{import,chart,rebuild-public}")
        imp = sub.add_parser("import", help="Import an XLSX or CSV export (all or nothing).")
        imp.add_argument("file", metavar="FILE", help="XLSX, or CSV in UTF-8 (with or without BOM) or GB18030.")
        imp.add_argument(
            "--village",
            metavar="CODE",
            default="",
            help="The village of rows that name none (a file without a village column).",
        )
        imp.add_argument(
            "--user",
            metavar="USERNAME",
            default="",
            help="Import as this person (their jurisdiction applies; recorded as the importer).",
        )
        imp.add_argument("--no-progress", action="store_true", help="No progress bar.")
        chart = sub.add_parser("chart", help="Charts of accounts.")
        chart_sub = chart.add_subparsers(dest="chart_action", required=True, metavar="{load,list}")
        load = chart_sub.add_parser("load", help="Load or update a chart from its YAML file.")
        load.add_argument("file", metavar="FILE", help="e.g. sunlit/finance/data/chart-2023.yaml")
        chart_sub.add_parser("list", help="List the loaded charts.")
        keep = chart_sub.add_parser("set", help="Choose the chart a village keeps for a year (before its vouchers).")
        keep.add_argument("village", metavar="VILLAGE", help="the village's 12-digit code")
        keep.add_argument("year", metavar="YEAR", type=int)
        keep.add_argument("chart_code", metavar="CHART", help="a loaded chart's code, e.g. 2023")
        rebuild = sub.add_parser(
            "rebuild-public", help="Rebuild the public finance tables from the publication log alone."
        )
        rebuild.add_argument("--village", metavar="CODE", default="", help="Only this village.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "import":
                self.import_(options)
            elif options["action"] == "chart":
                self.chart(options)
            else:
                self.rebuild(options["village"])
        except imports.ImportRefused as refusal:
            raise importdesk.refused(self, refusal, options.get("file", "")) from None
        except ApplicationError as e:
            raise CommandError(e.message) from None

    def import_(self, options: dict[str, Any]) -> None:
        done = importdesk.cli_import(self, options, start=imports.batch_start, import_file=imports.import_file)
        if done is None:
            return
        batch, outcome = done
        path = Path(options["file"])
        self.stdout.write(
            _(
                "%(name)s: %(rows)d rows; %(vouchers)d voucher(s) and %(entries)d entries imported, "
                "%(unchanged)d voucher(s) already in the books."
            )
            % {
                "name": path.name,
                "rows": batch.rows_read,
                "vouchers": outcome.vouchers_created,
                "entries": outcome.entries_created,
                "unchanged": outcome.vouchers_unchanged,
            }
        )

    def chart(self, options: dict[str, Any]) -> None:
        if options["chart_action"] == "load":
            chart = services.chart_load(source=Path(options["file"]), by=None)
            self.stdout.write(
                _("Chart %(code)s (%(name)s) loaded: %(n)d accounts.")
                % {"code": chart.code, "name": chart.name, "n": chart.accounts.count()}
            )
            return
        if options["chart_action"] == "set":
            village = Region.objects.filter(code=options["village"]).first()
            if village is None:
                raise CommandError(_("There is no region %(code)s") % {"code": options["village"]})
            services.fiscal_year_set(village=village, year=options["year"], chart_code=options["chart_code"], by=None)
            self.stdout.write(
                _("%(year)d: the books are kept in chart %(chart)s")
                % {"year": options["year"], "chart": options["chart_code"]}
            )
            return
        for chart in Chart.objects.order_by("effective_from"):
            self.stdout.write(
                f"{chart.code}\t{chart.effective_from}\t{chart.accounts.count()}\t{chart.name} {chart.document}"
            )

    def rebuild(self, village: str) -> None:

        entries = Entry.objects.filter(kind=publication.KIND, superseded_by__isnull=True)
        if village:
            entries = entries.filter(chain_id=village)
        count = 0
        for entry in tqdm(
            entries.order_by("id").iterator(chunk_size=200),
            desc="rebuild",
            file=sys.stderr,
            total=entries.count(),
            leave=False,
        ):
            publication.derive(entry)
            count += 1
        self.stdout.write(_("%(n)d published month(s) rebuilt.") % {"n": count})
