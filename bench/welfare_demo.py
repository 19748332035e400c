"""Bench: what the welfare register adds to `sunlit demo --scale city` — 250 villages'
beneficiary households, members, payments (quarterly rows) and published lists.

    .venv/bin/python bench/welfare_demo.py [--database-url URL] [--villages N] [--profile]

Uses a throwaway SQLite file under var/bench/welfare/ (or the PostgreSQL database
`sunlit_bench_welfare` beside the server of --database-url, dropped afterwards). Only
the region tree is made first (no cases, books or projects), so the time is the welfare
generator's own: `demo_welfare` over the city plan's villages.

Measured 2026-11-28 on the 2-core build machine while two other sessions were running
tests (so an upper bound): 242 villages, 14,807 households, 47,615 members, 222,017
payments, 3,280 lists published — SQLite 46 s, PostgreSQL 65 s. Most of it is the 3,280
`publish()` calls (about 14 ms each on PostgreSQL: the chain lock, the head, the entry and
its audit row); `--profile` shows the rest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default="")
    parser.add_argument("--villages", type=int, default=250, help="only the plan's first N villages")
    parser.add_argument("--profile", action="store_true", help="print where the time goes (cProfile)")
    args = parser.parse_args()
    work = ROOT / "var" / "bench" / "welfare"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ.update(
        SUNLIT_VAR_DIR=str(work), DJANGO_SETTINGS_MODULE="sunlit.settings", DEBUG="False", LOG_LEVEL="WARNING"
    )
    os.environ.pop("DATABASE_URL", None)
    admin = None
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sunlit_bench_welfare WITH (FORCE)")
            conn.execute("CREATE DATABASE sunlit_bench_welfare")
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/sunlit_bench_welfare"))
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from sunlit.demo.services import demo_plan
        from sunlit.regions.services import region_create
        from sunlit.welfare.demo import demo_welfare

        plan = demo_plan(scale="city", seed=1)
        for region in plan.regions():
            region_create(code=region.code, name=region.name, is_community=region.is_community, by=None)
        villages = [v.code for t in plan.townships for v in t.villages if not v.is_community][: args.villages]
        started = time.monotonic()
        if args.profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            result = profiler.runcall(demo_welfare, village_codes=villages, scale="city", seed=1, cadres={})
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(35)
        else:
            result = demo_welfare(village_codes=villages, scale="city", seed=1, cadres={})
        seconds = time.monotonic() - started
        print(
            f"{result.villages} villages: {result.households} households, {result.members} members, "
            f"{result.payments} payments, {result.lists} lists published in {seconds:.1f} s"
        )
    finally:
        if admin is not None:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS sunlit_bench_welfare WITH (FORCE)")


if __name__ == "__main__":
    main()
