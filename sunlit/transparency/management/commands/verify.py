from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sunlit.lib.errors import InvalidInput
from sunlit.regions import codes
from sunlit.transparency.verification import Problem, verify_log


class Command(BaseCommand):
    help = (
        "Recompute the publication log from the database: every chain (snapshot hashes, "
        "entry hashes, links, sequence numbers) and every signed root (Merkle root, tree "
        "size, chain of roots, Ed25519 signature under the current key). Names each entry "
        "and root that no longer matches, and exits non-zero if there is any."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--village",
            metavar="CODE",
            help=(
                "Check only the chains of this region and the regions under it (a village, "
                "township or county code). Signed roots are then NOT checked: each root "
                "covers the entries of every chain, so it can only be recomputed by a full run."
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        prefix = ""
        if options["village"]:
            try:
                prefix = codes.prefix_of(codes.validate(options["village"]))
            except InvalidInput as e:
                raise CommandError(e.message) from e

        def show(problem: Problem) -> None:
            self.stdout.write(str(problem))

        report = verify_log(prefix=prefix, check_roots=not prefix, on_problem=show)
        n_entries, n_chains, n_roots = report.entries, report.chains, report.roots
        counts = _("%(entries)s in %(chains)s") % {
            "entries": ngettext("%(n)d entry", "%(n)d entries", n_entries) % {"n": n_entries},
            "chains": ngettext("%(n)d chain", "%(n)d chains", n_chains) % {"n": n_chains},
        }
        if report.roots_checked:
            counts += ", " + ngettext("%(n)d root", "%(n)d roots", n_roots) % {"n": n_roots}
        else:
            counts += ", " + _("roots not checked (--village)")
        rate = report.entries / report.seconds if report.seconds > 0 else 0
        timing = _("%(seconds).1f s, %(rate)d entries/s") % {"seconds": report.seconds, "rate": rate}
        if report.roots_checked and report.uncovered:
            self.stdout.write(
                ngettext(
                    "%(n)d entry is not yet covered by a signed root.",
                    "%(n)d entries are not yet covered by a signed root.",
                    report.uncovered,
                )
                % {"n": report.uncovered}
            )
        if report.ok:
            self.stdout.write(_("%(counts)s: all match (%(timing)s)") % {"counts": counts, "timing": timing})
            return
        summary = ngettext(
            "%(counts)s: %(n)d problem (%(timing)s)", "%(counts)s: %(n)d problems (%(timing)s)", len(report.problems)
        ) % {"counts": counts, "n": len(report.problems), "timing": timing}
        self.stdout.write(summary)
        # CommandError: exit status 1, for cron and monitoring.
        raise CommandError(_("The publication log does not verify."))
