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

    args = sys.argv if argv is None else ["sunlit", *argv]
    args[0] = "sunlit"
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
