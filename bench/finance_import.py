"""Bench: import one book-keeping export of ~1.06 million entries, on SQLite or PostgreSQL.

    .venv/bin/python bench/finance_import.py [--db sqlite|postgres] [--entries 1060000] [--format csv|xlsx]
        [--file PATH]

Builds a fresh database in var/bench/ (SQLite) or `sunlit_bench` (PostgreSQL at
BENCH_PG, default postgres://postgres@127.0.0.1:5432), creates the demo city's regions
(no books), writes the file with bench/make_finance_file.py, then times
`sunlit finance import FILE` under /usr/bin/time (wall seconds, peak resident memory),
and imports the same file a second time (nothing changes). A script, not a timed test:
the numbers go into bench/README.md by hand. The PostgreSQL database is dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REGIONS = """
from sunlit.demo.services import demo_plan
from sunlit.regions.services import region_create
for r in demo_plan(scale="city", seed=2017).regions():
    region_create(code=r.code, name=r.name, phone=r.phone, address=r.address, is_community=r.is_community, by=None)
"""


def run(args: list[str], env: dict[str, str], **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=ROOT, env=env, text=True, capture_output=True, check=True, **kw)  # type: ignore[call-overload]


def timed(args: list[str], env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS (MB) and stdout of a command, measured by /usr/bin/time -v."""
    done = subprocess.run(
        ["/usr/bin/time", "-v", *args], cwd=ROOT, env=env, text=True, capture_output=True, check=False
    )
    if done.returncode != 0:
        sys.exit(f"{' '.join(args)} failed:\n{done.stderr[-3000:]}")
    elapsed = re.search(r"Elapsed \(wall clock\) time.*?: (?:(\d+):)?(\d+):([\d.]+)", done.stderr)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    assert elapsed and rss
    hours, minutes, seconds = elapsed.groups()
    wall = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    return wall, int(rss.group(1)) // 1024, done.stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--entries", type=int, default=1_060_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--keep", action="store_true", help="Keep the database afterwards.")
    parser.add_argument(
        "--file",
        type=Path,
        help="Import this file (written earlier by make_finance_file.py) "
        "instead of writing a new one: a 1.06 M-row XLSX takes minutes to write.",
    )
    args = parser.parse_args()

    work = ROOT / "var" / "bench" / f"import-{args.db}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        SUNLIT_VAR_DIR=str(work), DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "sunlit.settings")
    )
    if args.db == "postgres":
        import psycopg

        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sunlit_bench WITH (FORCE)")
            conn.execute("CREATE DATABASE sunlit_bench")
        env["DATABASE_URL"] = f"{PG}/sunlit_bench"
    try:
        print(f"[{args.db}] migrate, regions …", flush=True)
        run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env)
        run([PYTHON, "manage.py", "shell", "-c", REGIONS], env)
        data = args.file.resolve() if args.file else work / f"books.{args.format}"
        started = time.monotonic()
        if not args.file:
            run(
                [
                    PYTHON,
                    "bench/make_finance_file.py",
                    str(data),
                    "--entries",
                    str(args.entries),
                    "--format",
                    args.format,
                ],
                env,
            )
        size = data.stat().st_size / 1024 / 1024
        print(
            f"[{args.db}] {'using' if args.file else 'wrote'} {data.name}: {size:.0f} MB"
            f"{'' if args.file else f' in {time.monotonic() - started:.0f} s'}",
            flush=True,
        )
        wall, rss, out = timed([PYTHON, "manage.py", "finance", "import", str(data), "--no-progress"], env)
        print(f"[{args.db}] import: {wall:.1f} s, peak RSS {rss} MB — {out}", flush=True)
        wall, rss, out = timed([PYTHON, "manage.py", "finance", "import", str(data), "--no-progress"], env)
        print(f"[{args.db}] same file again: {wall:.1f} s, peak RSS {rss} MB — {out}", flush=True)
    finally:
        if args.db == "postgres" and not args.keep:
            import psycopg

            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS sunlit_bench WITH (FORCE)")
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
