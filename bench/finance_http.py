"""Bench: the public village-month page, its JSON and a township search, under wrk; and the
same two queries served by Datasette from the same data.

    .venv/bin/python bench/finance_http.py --var DIR [--database-url URL] [--sqlite FILE]
        [--village CODE] [--period YYYY-MM] [--township CODE] [--query 硬化] [--seconds 15]

DIR is the SUNLIT_VAR_DIR of a database that `sunlit demo --scale city` filled (SQLite:
DIR/sunlit.sqlite3; PostgreSQL: pass --database-url). The app runs under gunicorn with
production settings (SUNLIT_PRODUCTION=True, DEBUG off, collected static files, the local
memory cache), sync workers = 2 × cores, on loopback. wrk: 2 threads, 16 connections,
a warm-up, then --seconds per URL. Search is measured twice: served from the page cache
as configured, and with SUNLIT_FINANCE_PAGE_CACHE_SECONDS=0 so every request runs the
bigram-index query. Datasette (installed into var/bench-venv on first use) serves the
SQLite file (--sqlite, default DIR/sunlit.sqlite3) with two canned queries: the month's
first 50 entries, and LIKE '%q%' over the township's entries. Only loopback traffic;
every server started here is stopped here.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
BENCH_VENV = ROOT / "var" / "bench-venv"
WRK = shutil.which("wrk") or "/usr/bin/wrk"

MONTH_SQL = (
    "select date, number, line, summary, account_code, account_name, side, amount, counterparty "
    "from finance_publishedentry where county_code = :county and village_code = :village and period = :period "
    "order by number, line limit 50"
)
SEARCH_SQL = (
    "select date, village_code, number, line, summary, counterparty, account_code, side, amount "
    "from finance_publishedentry where county_code = :county and township_code = :township "
    "and (summary like '%' || :q || '%' or counterparty like '%' || :q || '%') "
    "order by date desc, id desc limit 50"
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_up(url: str, process: subprocess.Popen[bytes], seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"the server exited ({process.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 - loopback only
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"{url} did not answer in {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wrk(url: str, seconds: int) -> dict[str, float]:
    subprocess.run([WRK, "-t2", "-c16", "-d3s", url], capture_output=True, check=True)  # warm-up
    out = subprocess.run(
        [WRK, "-t2", "-c16", f"-d{seconds}s", "--latency", url], capture_output=True, text=True, check=True
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        value, unit = float(m.group(1)), m.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50": ms("50"), "p99": ms("99"), "errors": float(errors.group(1)) if errors else 0.0}


def sunlit(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    log = open(Path(env["SUNLIT_VAR_DIR"]) / f"gunicorn-{port}.log", "wb")
    return subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "sunlit.wsgi",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def datasette(sqlite: Path, port: int) -> subprocess.Popen[bytes]:
    if not (BENCH_VENV / "bin" / "datasette").exists():
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(BENCH_VENV / "bin" / "pip"), "install", "-q", "datasette"], check=True)
    name = sqlite.stem
    metadata = {"databases": {name: {"queries": {"month": {"sql": MONTH_SQL}, "search": {"sql": SEARCH_SQL}}}}}
    meta = sqlite.parent / "datasette-metadata.json"
    meta.write_text(json.dumps(metadata), encoding="utf-8")
    log = open(sqlite.parent / "datasette.log", "wb")
    # "Tuned": immutable (no locking, counts cached), more SQL threads, a long time limit.
    return subprocess.Popen(
        [
            str(BENCH_VENV / "bin" / "datasette"),
            "serve",
            "--immutable",
            str(sqlite),
            "-m",
            str(meta),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "--setting",
            "num_sql_threads",
            "4",
            "--setting",
            "sql_time_limit_ms",
            "10000",
            "--setting",
            "default_cache_ttl",
            "60",
        ],
        cwd=sqlite.parent,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--var", required=True, type=Path)
    parser.add_argument("--database-url", default="")
    parser.add_argument("--sqlite", type=Path)
    parser.add_argument("--village", default="431382101201")
    parser.add_argument("--period", default="2025-06")
    parser.add_argument("--township", default="431382101000")
    parser.add_argument("--query", default="硬化")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument("--no-datasette", action="store_true")
    parser.add_argument("--only", default="", help="Only the sunlit URLs whose label contains this (e.g. month).")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUNLIT_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(
        SUNLIT_VAR_DIR=str(args.var),
        SUNLIT_PRODUCTION="True",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        SUNLIT_ID_KEY=base64.b64encode(os.urandom(32)).decode(),
        SUNLIT_REPORTS_SECRET=secrets.token_urlsafe(32),
        DJANGO_SETTINGS_MODULE=os.environ.get("DJANGO_SETTINGS_MODULE", "sunlit.settings"),
    )
    if os.environ.get("PYTHONPATH"):
        env["PYTHONPATH"] = os.environ["PYTHONPATH"]
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    subprocess.run(
        [str(VENV / "python"), "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    q = urllib.parse.quote(args.query)
    paths = {
        "month page": f"/v/{args.village}/finance/{args.period}/",
        "month JSON (first 50 entries)": f"/v/{args.village}/finance/{args.period}.json",
        f"township search {args.query}": f"/t/{args.township}/finance/search/?q={q}",
        f"township search {args.query} (JSON)": f"/t/{args.township}/finance/search.json?q={q}",
    }
    results: dict[str, dict[str, float]] = {}
    for cached in (True, False):
        if args.only and not cached and "search" not in args.only:
            continue
        port = free_port()
        run_env = {**env, "SUNLIT_FINANCE_PAGE_CACHE_SECONDS": "60" if cached else "0"}
        server = sunlit(run_env, port, args.workers)
        try:
            wait_up(f"http://127.0.0.1:{port}{paths['month page']}", server)
            for label, path in paths.items():
                if not cached and not label.startswith("township search"):
                    continue
                if args.only and args.only not in label:
                    continue
                name = f"sunlit {label}" + ("" if cached else " — no page cache")
                results[name] = wrk(f"http://127.0.0.1:{port}{path}", args.seconds)
                print(f"{name}: {results[name]}", flush=True)
        finally:
            stop(server)
    if not args.no_datasette:
        sqlite = (args.sqlite or (args.var / "sunlit.sqlite3")).resolve()
        port = free_port()
        server = datasette(sqlite, port)
        base = f"http://127.0.0.1:{port}/{sqlite.stem}"
        county = args.village[:6] + "000000"
        period = args.period.replace("-", "")
        try:
            month = f"{base}/month.json?county={county}&village={args.village}&period={period}"
            wait_up(month, server)
            search = f"{base}/search.json?county={county}&township={args.township}&q={q}"
            for name, url in (
                ("datasette month JSON (first 50 entries)", month),
                (f"datasette township search {args.query} (JSON)", search),
            ):
                results[name] = wrk(url, args.seconds)
                print(f"{name}: {results[name]}", flush=True)
        finally:
            stop(server)
        for ours, theirs in (
            ("sunlit month JSON (first 50 entries)", "datasette month JSON (first 50 entries)"),
            (f"sunlit township search {args.query} (JSON)", f"datasette township search {args.query} (JSON)"),
            (
                f"sunlit township search {args.query} (JSON) — no page cache",
                f"datasette township search {args.query} (JSON)",
            ),
        ):
            if ours in results and theirs in results:
                print(f"ratio {ours} / {theirs}: {results[ours]['rps'] / results[theirs]['rps']:.1f}×")
    print(json.dumps(results, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
