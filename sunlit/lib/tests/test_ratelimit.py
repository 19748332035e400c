"""The rate-limit counters are shared by every web worker and exact under concurrency."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from sunlit.lib.ratelimit import HourlyCounter, Limit

# Two processes, each its own Django and its own connection to one SQLite file, take
# places under one limit at the same time: exactly `limit` are granted in all.
_WORKER = textwrap.dedent(
    """
    import sys, django
    from django.conf import settings
    settings.configure(
        INSTALLED_APPS=["sunlit.lib"], SECRET_KEY="x" * 50, USE_TZ=True,
        SUNLIT_RATELIMIT_STORE=sys.argv[2],
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}},
        DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": sys.argv[1],
                   "OPTIONS": {"timeout": 30, "transaction_mode": "IMMEDIATE"}}},
    )
    django.setup()
    if sys.argv[3] == "migrate":
        from django.core.management import call_command
        call_command("migrate", verbosity=0)
        sys.exit(0)
    from sunlit.lib.ratelimit import HourlyCounter, Limit
    c = HourlyCounter("t")
    granted = sum(c.take([Limit("ip", "10.0.0.1", 20)]) is not None for _ in range(30))
    print(granted)
    """
)


def _run(tmp_path: Path, store: str) -> int:
    db = str(tmp_path / f"{store}.sqlite3")
    env_args: dict[str, Any] = {"cwd": str(Path(__file__).resolve().parents[3]), "text": True}
    subprocess.run([sys.executable, "-c", _WORKER, db, store, "migrate"], check=True, **env_args)
    procs = [
        subprocess.Popen([sys.executable, "-c", _WORKER, db, store, "take"], stdout=subprocess.PIPE, **env_args)
        for _ in range(2)
    ]
    return sum(int(p.communicate(timeout=60)[0].strip()) for p in procs)


def test_it_holds_a_limit_exactly_across_two_processes(tmp_path: Path) -> None:
    assert _run(tmp_path, "database") == 20


def test_it_would_let_twice_the_limit_through_with_a_per_process_cache(tmp_path: Path) -> None:
    # The store of issue #14: each worker's own memory (the control for the test above).
    assert _run(tmp_path, "redis") == 40


@pytest.mark.django_db
def test_it_gives_back_a_place_and_refuses_with_nothing_taken() -> None:
    c = HourlyCounter("unit")
    both = [Limit("a", "x", 2), Limit("b", "x", 1)]
    first = c.take(both)
    assert first is not None
    assert c.take(both) is None  # b is full: a's place is handed back
    assert c.count("a", "x") == 1
    c.give_back(first)
    assert (c.count("a", "x"), c.count("b", "x")) == (0, 0)
    assert c.take(both) is not None


@pytest.mark.django_db
def test_it_keeps_what_it_counts_out_of_the_keys() -> None:
    from sunlit.lib.models import RateCounter

    HourlyCounter("unit").bump("number", "110101199003074514")
    assert "110101199003074514" not in RateCounter.objects.get().key
