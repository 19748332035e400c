"""Run a Sunlit command with the clock moved N days ahead (test support only).

A notice period lasts days; a browser journey cannot wait them out. The journey restarts
the server through this launcher, so the same database is served "a week later". It is
test code: production code has no clock switch.

    python e2e/serve_at.py DAYS runserver 127.0.0.1:PORT --noreload
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

import time_machine

if __name__ == "__main__":
    days = float(sys.argv[1])
    with time_machine.travel(datetime.now(UTC) + timedelta(days=days), tick=True):
        from sunlit.cli import main

        main(sys.argv[2:])
