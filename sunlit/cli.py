"""The `sunlit` command: Django's management commands under the project's own name.

`sunlit verify`, `sunlit demo --scale city`, `sunlit regions export` … are ordinary
management commands; this wrapper only fixes the settings module so that an operator
never has to know about manage.py.
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlit.settings")
    from django.core.management import execute_from_command_line

    # A copy: sys.argv itself must keep the script's real path. Django's autoreloader (the
    # worker in DEBUG) restarts the process from sys.argv[0]; renaming it to the bare
    # "sunlit" made it look for ./sunlit and crash anywhere but the directory holding it.
    args = ["sunlit", *(sys.argv[1:] if argv is None else argv)]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
