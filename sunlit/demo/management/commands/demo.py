"""`sunlit demo --scale small|city`: Lianyuan's region tree and one account per role.

Thin: the generation lives in sunlit.demo.services. `make run` calls it with --if-empty
so that a fresh checkout starts with a city to look at, and a used database is left alone.
"""

from __future__ import annotations

import os
from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sunlit.demo.services import (
    DEFAULT_PASSWORD,
    DEFAULT_SEED,
    SCALES,
    demo_accounts_table,
    demo_seed,
)
from sunlit.lib.errors import ApplicationError
from sunlit.regions.models import Region

ACCOUNTS_FILE = "demo-accounts.txt"


class Command(BaseCommand):
    help = "Create deterministic demo data (regions, accounts) for a seed; safe to re-run."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--scale",
            choices=SCALES,
            default="small",
            help="small: 2 townships, 6 villages; city: 20 townships, 250 villages.",
        )
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help=f"Same seed, same data (default {DEFAULT_SEED})."
        )
        parser.add_argument(
            "--password",
            default=DEFAULT_PASSWORD,
            help=f"The one password of every demo account (default {DEFAULT_PASSWORD}).",
        )
        parser.add_argument("--if-empty", action="store_true", help="Do nothing if the database already has regions.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Region.objects.exists():
            self.stdout.write("database already has data; the demo was not seeded.")
            return
        try:
            result = demo_seed(
                scale=options["scale"],
                seed=options["seed"],
                password=options["password"],
                progress=not options["no_progress"],
            )
        except ApplicationError as e:
            raise CommandError(e.message) from None

        table = demo_accounts_table(result)
        path = settings.VAR_DIR / ACCOUNTS_FILE
        # The file holds passwords and TOTP secrets: readable by this user only.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(table)
        self.stdout.write(table, ending="")
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo {result.scale} (seed {result.seed}): {result.regions_created} region(s) and "
                f"{result.users_created} account(s) created, {result.published} profile(s) published, "
                f"{result.cases_opened} case(s) opened with {result.case_actions} step(s) taken"
                f"{', root signed' if result.root_signed else ''}. Accounts written to {path}."
            )
        )
