"""`sunlit createadmin`: the first administrator of a fresh deployment.

Every later account is granted from the back office by an administrator; this one has
nobody to grant it, so it is made here, on the server, by whoever holds the shell. The
password must be changed at first login (it passed through a terminal or a file), and
the administrator role requires a second factor, set up at that first login.
"""

from __future__ import annotations

import getpass
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts.models import Role, User
from sunlit.accounts.services import membership_grant, user_create
from sunlit.lib.errors import ApplicationError
from sunlit.regions import codes
from sunlit.regions.models import Region


class Command(BaseCommand):
    help = "Create an administrator over a region (the first account of a deployment)."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--username", required=True)
        parser.add_argument(
            "--region",
            required=True,
            metavar="CODE",
            help="12-digit code of the region administered (usually the county).",
        )
        parser.add_argument("--name", default="", help="Full name, e.g. 李建国.")
        parser.add_argument(
            "--password-file", metavar="FILE", help="Read the password from FILE (first line) instead of prompting."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        username = options["username"].strip()
        try:
            code = codes.validate(options["region"])
        except ApplicationError as e:
            raise CommandError(e.message) from None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise CommandError(
                _("No region with code %(code)s: import the region tree first (sunlit regions import FILE).")
                % {"code": code}
            )
        if User.objects.filter(username=username).exists():
            raise CommandError(_("The username %(u)s is taken.") % {"u": username})

        password = self.read_password(options.get("password_file"))
        try:
            validate_password(password, User(username=username, full_name=options["name"]))
        except ValidationError as e:
            raise CommandError(" ".join(e.messages)) from None

        try:
            with transaction.atomic():
                user = user_create(
                    username=username,
                    full_name=options["name"].strip(),
                    password=password,
                    must_change_password=True,
                    by=None,
                )
                membership_grant(
                    user=user,
                    role=Role.ADMIN,
                    region_code=region.code,
                    starts_on=timezone.localdate(),
                    title="系统管理员",
                    by=None,
                )
        except ApplicationError as e:
            raise CommandError(e.message) from None
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Administrator %(u)s created over %(name)s (%(code)s). The password must be changed, "
                    "and an authenticator set up, at first login."
                )
                % {"u": username, "name": region.name, "code": region.code}
            )
        )

    def read_password(self, path: str | None) -> str:
        if path:
            try:
                lines = Path(path).read_text(encoding="utf-8").splitlines()
            except OSError as e:
                raise CommandError(_("Cannot read %(path)s: %(error)s") % {"path": path, "error": e.strerror}) from None
            password = lines[0] if lines else ""
            if not password:
                raise CommandError(_("%(path)s holds no password on its first line.") % {"path": path})
            return password
        if not sys.stdin.isatty():
            raise CommandError(_("No terminal to prompt on: pass --password-file FILE."))
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError(_("The two passwords differ."))
        if not password:
            raise CommandError(_("The password is empty."))
        return password
