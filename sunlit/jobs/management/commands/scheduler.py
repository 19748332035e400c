from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import close_old_connections
from django.utils.translation import gettext as _

from sunlit.jobs.registry import all_jobs
from sunlit.jobs.services import jobs_enqueue_due

# Jobs run daily or hourly: half a minute late is on time, and the loop stays cheap.
TICK_SECONDS = 30


class Command(BaseCommand):
    help = (
        "The one scheduler: every 30 seconds, enqueue each periodic job whose interval has "
        "passed (the task worker runs them). Run exactly one, next to `manage.py db_worker`. "
        "--once makes one pass and exits, for cron and tests."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="one pass, then exit")

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["once"]:
            self.stdout.write(
                _("Scheduler started: %(jobs)s") % {"jobs": ", ".join(f"{j.name}/{j.interval}s" for j in all_jobs())}
            )
        try:
            while True:
                for name in jobs_enqueue_due():
                    self.stdout.write(_("Enqueued %(job)s") % {"job": name})
                if options["once"]:
                    return
                time.sleep(TICK_SECONDS)
                # A long-lived process must not keep a connection the server has dropped.
                close_old_connections()
        except KeyboardInterrupt:
            self.stdout.write(_("Scheduler stopped."))
