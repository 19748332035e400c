"""Bench: anonymous reports filed under load on loopback — none lost, none duplicated —
and the same while PostgreSQL restarts mid-run.

    .venv/bin/python bench/reports_load.py [--clients 8] [--seconds 30] [--workers N]
        [--admin-url postgres://postgres@127.0.0.1:5432/postgres] [--no-restart] [--keep]

Creates the database `sunlit_bench_reports` beside --admin-url's (dropped first if a run
was interrupted), migrates it and seeds it with `sunlit demo --scale small` (the demo
refuses production mode, so these two run without it, on the same database and secret),
then serves the app under gunicorn with production settings (SUNLIT_PRODUCTION=True,
DEBUG=False, a random SECRET_KEY and SUNLIT_REPORTS_SECRET, ALLOWED_HOSTS=127.0.0.1,
collected static files; sync workers = 2 × cores) on 127.0.0.1 only.

Each of --clients threads opens the filing form once (CSRF cookie and token, the device
cookie), then files anonymous reports about the demo's villages back to back for
--seconds, each with its own idempotency key. Every --drop-every'th filing the client
hangs up before the answer (a lost response on a village network) and sends it again
with the same key 1.5 s later. A connection error or a 5xx is retried with the SAME key
(backoff 0.1 s doubling to 2 s) until a receipt comes back, for up to --grace seconds
after the run; a 4xx is counted and not retried.

Then the database is read directly: every acknowledged filing must be there exactly once
(its key's HMAC in reports_report.idempotency_hash, its text once), the receipt each
client was shown must be the one its key derives, and a sample of receipts must open
their report (argon2id hash). Run 1 is steady; run 2 restarts PostgreSQL once halfway
(`pg_ctlcluster --skip-systemctl-redirect <version> main restart`, fast mode: in-flight
transactions roll back and clients are told 500 → retry).

The per-IP/per-device filing limit (SUNLIT_REPORTS_FILINGS_PER_IP, 30 an hour) would
answer 429 to a flood from one address: the bench raises it through the environment to
10,000,000 (no code change); counters are per worker with the local memory cache.

A restart breaks every session on the cluster, so the second run first waits (up to
--wait-quiet seconds) until no other database on it has had a session for 30 s in a row,
and is skipped otherwise (--force-restart overrides). At the end the servers started here
are stopped, the database is dropped (unless --keep) and PostgreSQL is started again if it
is not running.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import psycopg
from argon2.low_level import Type, hash_secret_raw

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv" / "bin"
DB_NAME = "sunlit_bench_reports"
HOST = "127.0.0.1"
VILLAGES = ["431382101201", "431382101202", "431382101203", "431382102201", "431382102202", "431382102203"]
CATEGORIES = ["finance", "project", "welfare", "conduct", "other"]
FILINGS_LIMIT = "10000000"
ARGON2_SAMPLE = 40
# After hanging up, a client waits this long before sending again: long enough that the
# first attempt has normally been stored, so the retry is answered from it.
DROP_PAUSE = 1.5
# Seconds without any other session on the cluster before the bench restarts it.
QUIET_FOR = 30


# --- Server and database ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def pg_version() -> str:
    versions = sorted(os.listdir("/etc/postgresql"), key=lambda v: float(v) if v.replace(".", "").isdigit() else 0)
    if not versions:
        sys.exit("no PostgreSQL cluster under /etc/postgresql")
    return versions[-1]


def pg_running(admin_url: str) -> bool:
    try:
        with psycopg.connect(admin_url, connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except psycopg.OperationalError:
        return False


def pg_ensure_running(admin_url: str, version: str) -> None:
    for _ in range(60):
        if pg_running(admin_url):
            return
        subprocess.run(
            ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", "start"], capture_output=True, check=False
        )
        time.sleep(1)
    sys.exit("PostgreSQL does not answer")


def others_connected(admin_url: str) -> list[str]:
    """Databases other people's sessions are using on this cluster right now."""
    with psycopg.connect(admin_url) as conn:
        rows = conn.execute(
            "select datname, count(*) from pg_stat_activity where datname is not null and datname <> %s "
            "and datname <> current_database() and pid <> pg_backend_pid() group by datname",
            (DB_NAME,),
        ).fetchall()
    return [f"{name} ({n})" for name, n in rows]


def wait_for_quiet(admin_url: str, seconds: int, quiet_for: int = QUIET_FOR) -> list[str]:
    """Wait until no other database has had a session for `quiet_for` seconds in a row.

    A restart breaks every session on the cluster: other people's test runs too. One look
    is not enough: a benchmark between two servers holds no session for a moment."""
    deadline = time.monotonic() + seconds
    quiet_since = None
    said = ""
    while True:
        busy = others_connected(admin_url)
        now = time.monotonic()
        if busy:
            quiet_since = None
            if ", ".join(busy) != said:
                said = ", ".join(busy)
                print(f"waiting for other sessions to leave PostgreSQL before restarting it: {said}")
        elif quiet_since is None:
            quiet_since = now
        elif now - quiet_since >= quiet_for:
            return []
        if now > deadline:
            return busy or ["(not quiet long enough)"]
        time.sleep(2)


def db_url(admin_url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(admin_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def db_execute(admin_url: str, sql: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql)


def manage(env: dict[str, str], *args: str) -> None:
    done = subprocess.run([str(VENV / "sunlit"), *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"sunlit {' '.join(args)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def start_gunicorn(env: dict[str, str], port: int, workers: int, log: Path) -> subprocess.Popen[bytes]:
    out = log.open("ab")
    return subprocess.Popen(
        [
            str(VENV / "gunicorn"),
            "sunlit.wsgi",
            "-w",
            str(workers),
            "-b",
            f"{HOST}:{port}",
            "--access-logfile",
            "/dev/null",
            "--graceful-timeout",
            "5",
        ],
        cwd=ROOT,
        env=env,
        stdout=out,
        stderr=subprocess.STDOUT,
    )


def wait_up(port: int, process: subprocess.Popen[bytes], seconds: int = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            sys.exit(f"gunicorn exited ({process.returncode})")
        try:
            status, _, _ = request(port, "GET", "/reports/new/")
            if status == 200:
                return
        except OSError:
            pass
        time.sleep(0.3)
    sys.exit(f"gunicorn did not answer on port {port} in {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- HTTP ---------------------------------------------------------------------------------


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 30,
) -> tuple[int, dict[str, list[str]], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        got: dict[str, list[str]] = {}
        for name, value in response.getheaders():
            got.setdefault(name.lower(), []).append(value)
        return response.status, got, response.read().decode("utf-8", "replace")
    finally:
        conn.close()


def cookies_from(headers: dict[str, list[str]]) -> dict[str, str]:
    # The cookies are marked Secure in production; over loopback http the bench sends
    # them back itself, as the TLS-terminating proxy would let a browser do.
    out = {}
    for line in headers.get("set-cookie", []):
        name, _, rest = line.partition("=")
        out[name.strip()] = rest.split(";", 1)[0]
    return out


# --- Clients ------------------------------------------------------------------------------


@dataclass
class Filing:
    key: str
    text: str
    receipt: str = ""
    status: int = 0  # the final answer: 200, a 4xx, or 0 (gave up)
    attempts: int = 0
    first_sent: float = 0.0
    latency: float = 0.0  # first attempt → receipt, retries included
    done_at: float = 0.0
    last_try_wall: float = 0.0  # time.time() when the last attempt was sent
    dropped: bool = False  # the client hung up before its first answer, then retried
    error: str = ""


@dataclass
class Tally:
    filings: list[Filing] = field(default_factory=list)
    connection_errors: int = 0
    server_errors: Counter[int] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


RECEIPT = re.compile(r'data-receipt="([0-9]{16})"')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# The filing key is minted by the server for the device that renders the form (never made
# by the client): each filing GETs a fresh form with the client's cookies and takes its key.
FORM_KEY = re.compile(r'name="key" value="([^"]+)"')


def hang_up(port: int, body: bytes, headers: dict[str, str]) -> None:
    conn = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        conn.request("POST", "/reports/new/", body=body, headers=headers)
    except (OSError, http.client.HTTPException):
        pass
    finally:
        conn.close()


def client(
    port: int, number: int, marker: str, start: float, end: float, grace: float, drop_every: int, tally: Tally
) -> None:
    status, headers, html = request(port, "GET", "/reports/new/")
    token = TOKEN.search(html)
    if status != 200 or token is None:
        raise RuntimeError(f"client {number}: the form did not load ({status})")
    jar = cookies_from(headers)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    form_headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    seq = 0
    while time.monotonic() < end:
        seq += 1
        status, _headers, form = request(port, "GET", "/reports/new/", headers={"Cookie": cookie})
        found = FORM_KEY.search(form)
        if status != 200 or found is None:
            raise RuntimeError(f"client {number}: the form did not give a key ({status})")
        key = found[1]
        filing = Filing(key=key, text=f"{marker} c{number} n{seq}: 村里的账目有疑问，请核查。")
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token[1],
                "key": key,
                "kind": "village",
                "ref": VILLAGES[(number + seq) % len(VILLAGES)],
                "category": CATEGORIES[seq % len(CATEGORIES)],
                "text": filing.text,
                "identity": "anonymous",
            }
        ).encode()
        filing.first_sent = time.monotonic() - start
        sent_at = time.monotonic()
        delay = 0.1
        if drop_every and (seq + number * 3) % drop_every == 0:  # staggered across clients
            # A village network losing the answer: the report may be stored, the
            # receipt never arrives; the client tries again with the same key.
            filing.dropped = True
            filing.attempts += 1
            hang_up(port, body, form_headers)
            time.sleep(DROP_PAUSE)
        while True:
            filing.attempts += 1
            filing.last_try_wall = time.time()
            try:
                status, headers, html = request(port, "POST", "/reports/new/", body, form_headers)
            except (OSError, http.client.HTTPException) as e:
                status, html = 0, ""
                with tally.lock:
                    tally.connection_errors += 1
                filing.error = type(e).__name__
            if status == 200:
                match = RECEIPT.search(html)
                if match:
                    filing.receipt, filing.status = match[1], 200
                    filing.latency = time.monotonic() - sent_at
                    filing.done_at = time.monotonic() - start
                    break
                filing.error = "200 without a receipt"
            elif 400 <= status < 500:
                filing.status = status
                filing.error = re.sub(r"\s+", " ", html)[:300]
                break
            elif status >= 500:
                with tally.lock:
                    tally.server_errors[status] += 1
            if time.monotonic() > end + grace:
                break  # gave up: status stays 0
            time.sleep(delay)  # the same key again: a retry, never a second report
            delay = min(delay * 2, 2.0)
        with tally.lock:
            tally.filings.append(filing)


# --- Checking the database ----------------------------------------------------------------


def mac(secret: str, purpose: bytes, value: bytes) -> bytes:
    return hmac.new(secret.encode(), purpose + b"\0" + value, hashlib.sha256).digest()


def receipt_for(secret: str, key: str) -> str:
    return str(int.from_bytes(mac(secret, b"receipt", key.encode()), "big") % 10**16).zfill(16)


def receipt_hash(secret: str, receipt: str) -> str:
    salt = mac(secret, b"argon2-salt", b"")[:16]
    return hash_secret_raw(
        secret=receipt.encode(), salt=salt, time_cost=2, memory_cost=19456, parallelism=1, hash_len=32, type=Type.ID
    ).hex()


def check(url: str, secret: str, marker: str, tally: Tally) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select idempotency_hash, text, receipt_hash, received_at from reports_report where text like %s",
            (marker + " %",),
        ).fetchall()
    by_hash = Counter(r[0] for r in rows)
    by_text = Counter(r[1] for r in rows)
    receipt_hashes = {r[0]: r[2] for r in rows}
    received = {r[0]: r[3].timestamp() for r in rows}
    acked = [f for f in tally.filings if f.status == 200]
    lost, wrong_receipt = [], []
    for f in acked:
        digest = mac(secret, b"idempotency", f.key.encode()).hex()
        if by_hash[digest] != 1 or by_text[f.text] != 1:
            lost.append(f)
        if f.receipt != receipt_for(secret, f.key):
            wrong_receipt.append(f)
    sample = acked[:: max(1, len(acked) // ARGON2_SAMPLE)][:ARGON2_SAMPLE]
    unopenable = [
        f
        for f in sample
        if receipt_hashes.get(mac(secret, b"idempotency", f.key.encode()).hex()) != receipt_hash(secret, f.receipt)
    ]
    acked_hashes = {mac(secret, b"idempotency", f.key.encode()).hex() for f in acked}
    # A retry answered from the report an earlier attempt stored (not a second one).
    replayed = [
        f
        for f in acked
        if f.attempts > 1 and received.get(mac(secret, b"idempotency", f.key.encode()).hex(), 1e18) < f.last_try_wall
    ]
    return {
        "rows": len(rows),
        "lost": len(lost),
        "duplicated": sum(n - 1 for n in by_text.values() if n > 1) + sum(n - 1 for n in by_hash.values() if n > 1),
        "wrong_receipt": len(wrong_receipt),
        "receipts_checked": len(sample),
        "receipts_unopenable": len(unopenable),
        "stored_unacknowledged": sum(1 for h in by_hash if h not in acked_hashes),
        "replayed": len(replayed),
    }


# --- One run ------------------------------------------------------------------------------


def run(
    name: str,
    args: argparse.Namespace,
    env: dict[str, str],
    url: str,
    secret: str,
    var: Path,
    restart_version: str = "",
) -> dict[str, Any]:
    port = free_port()
    server = start_gunicorn(env, port, args.workers, var / f"gunicorn-{name}.log")
    restart: dict[str, Any] = {}
    try:
        wait_up(port, server)
        marker = f"bench-{name}-{secrets.token_hex(4)}"
        tally = Tally()
        start = time.monotonic()
        end = start + args.seconds
        threads = [
            threading.Thread(
                target=client, args=(port, n, marker, start, end, args.grace, args.drop_every, tally), daemon=True
            )
            for n in range(args.clients)
        ]
        for t in threads:
            t.start()
        if restart_version:
            time.sleep(args.seconds / 2)
            restart["at"] = time.monotonic() - start
            done = subprocess.run(
                ["pg_ctlcluster", "--skip-systemctl-redirect", restart_version, "main", "restart"],
                capture_output=True,
                text=True,
                check=False,
            )
            restart["took"] = time.monotonic() - start - restart["at"]
            restart["rc"] = done.returncode
            if done.returncode != 0:
                print(f"pg_ctlcluster restart failed: {done.stderr.strip()}", file=sys.stderr)
        for t in threads:
            t.join(timeout=args.seconds + args.grace + 60)
        wall = time.monotonic() - start
    finally:
        stop(server)
    acked = [f for f in tally.filings if f.status == 200]
    in_window = [f for f in acked if f.first_sent < args.seconds]
    # Latency of filings answered at the first try; retried ones (on purpose or not) apart.
    latencies = sorted(f.latency for f in acked if f.attempts == 1)
    retried = [f for f in acked if f.attempts > 1]
    result = {
        "name": name,
        "clients": args.clients,
        "seconds": args.seconds,
        "workers": args.workers,
        "attempted": len(tally.filings),
        "acknowledged": len(acked),
        "per_second": len(in_window) / args.seconds,
        "wall": wall,
        "p50_ms": 1000 * statistics.median(latencies) if latencies else 0.0,
        "p99_ms": 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] if latencies else 0.0,
        "max_ms": 1000 * latencies[-1] if latencies else 0.0,
        "retried": len(retried),
        "retry_attempts": sum(f.attempts - 1 for f in tally.filings),
        "retried_max_ms": 1000 * max((f.latency for f in retried), default=0.0),
        "dropped": sum(1 for f in tally.filings if f.dropped),
        "timeline": [sum(1 for f in acked if i * 5 <= f.done_at < (i + 1) * 5) for i in range(int(wall // 5) + 1)],
        "connection_errors": tally.connection_errors,
        "server_errors": dict(tally.server_errors),
        "refused_4xx": Counter(f.status for f in tally.filings if 400 <= f.status < 500),
        "gave_up": sum(1 for f in tally.filings if f.status == 0),
        "restart": restart,
        **check(url, secret, marker, tally),
    }
    errors = [f.error for f in tally.filings if 400 <= f.status < 500][:3]
    if errors:
        result["first_4xx"] = errors
    return result


def show(r: dict[str, Any]) -> None:
    print(f"\n== {r['name']}: {r['clients']} clients × {r['seconds']} s, gunicorn {r['workers']} sync workers")
    if r["restart"]:
        restart = r["restart"]
        print(
            f"   PostgreSQL restarted at t={restart['at']:.1f} s (pg_ctlcluster took {restart['took']:.1f} s,"
            f" rc={restart['rc']})"
        )
    print(
        f"   acknowledged {r['acknowledged']} of {r['attempted']} filings; sustained {r['per_second']:.1f} "
        f"submissions/s (started in the window); wall {r['wall']:.1f} s"
    )
    print(
        f"   latency of filings answered at the first try: p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, "
        f"max {r['max_ms']:.0f} ms; retried filings had their receipt within {r['retried_max_ms']:.0f} ms"
    )
    print(f"   receipts per 5 s: {' '.join(str(n) for n in r['timeline'])}")
    print(
        f"   answers dropped by the client on purpose {r['dropped']}; retried filings {r['retried']} "
        f"({r['retry_attempts']} retries), {r['replayed']} answered from the report an earlier try stored; "
        f"connection errors "
        f"{r['connection_errors']}; 5xx {r['server_errors'] or 0}; 4xx {dict(r['refused_4xx']) or 0}; "
        f"gave up {r['gave_up']}"
    )
    print(
        f"   database: {r['rows']} rows; lost {r['lost']}; duplicated {r['duplicated']}; wrong receipts "
        f"{r['wrong_receipt']}; receipts that open their report {r['receipts_checked'] - r['receipts_unopenable']}"
        f"/{r['receipts_checked']}; stored but unacknowledged {r['stored_unacknowledged']}"
    )
    if r.get("first_4xx"):
        print(f"   first 4xx bodies: {r['first_4xx']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=30)
    parser.add_argument("--grace", type=int, default=60, help="seconds a client keeps retrying after the run")
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1))
    parser.add_argument(
        "--drop-every",
        type=int,
        default=25,
        help="hang up before the answer on every Nth filing, then retry it (0: never)",
    )
    parser.add_argument("--admin-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--no-restart", action="store_true", help="skip the run that restarts PostgreSQL")
    parser.add_argument("--keep", action="store_true", help="keep the database and var dir")
    parser.add_argument(
        "--wait-quiet",
        type=int,
        default=600,
        help="seconds to wait for other sessions to leave the cluster before restarting it",
    )
    parser.add_argument(
        "--force-restart", action="store_true", help="restart PostgreSQL even while other sessions use it"
    )
    args = parser.parse_args()
    if urllib.parse.urlsplit(args.admin_url).hostname not in ("127.0.0.1", "localhost", "::1"):
        sys.exit("loopback only: --admin-url must point at 127.0.0.1")
    if not 1 <= args.clients <= 64 or not 1 <= args.seconds <= 300:
        sys.exit("bounded: 1-64 clients, 1-300 seconds")

    version = pg_version()
    pg_ensure_running(args.admin_url, version)
    url = db_url(args.admin_url, DB_NAME)
    var = Path(tempfile.mkdtemp(prefix="sunlit-bench-reports-"))
    secret = secrets.token_urlsafe(32)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SUNLIT_", "DJANGO_")) and k != "DATABASE_URL"}
    env.update(
        SUNLIT_VAR_DIR=str(var),
        SUNLIT_PRODUCTION="True",
        DEBUG="False",
        SECRET_KEY=secrets.token_urlsafe(40),
        ALLOWED_HOSTS=HOST,
        LOG_LEVEL="WARNING",
        DATABASE_URL=url,
        SUNLIT_REPORTS_SECRET=secret,
        SUNLIT_ID_KEY=base64.b64encode(os.urandom(32)).decode(),
        SUNLIT_REPORTS_FILINGS_PER_IP=FILINGS_LIMIT,
        DJANGO_SETTINGS_MODULE="sunlit.settings",
    )
    results = []
    try:
        db_execute(args.admin_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        db_execute(args.admin_url, f'CREATE DATABASE "{DB_NAME}"')
        t = time.monotonic()
        # The demo refuses production mode: seed with the same database and secret, then
        # serve in production mode.
        seed_env = {**env, "SUNLIT_PRODUCTION": "False", "SUNLIT_DEMO": "True"}
        manage(seed_env, "migrate", "--noinput", "-v0")
        manage(seed_env, "demo", "--scale", "small")
        manage(env, "collectstatic", "--noinput", "-v0")
        print(
            f"database {DB_NAME} created, migrated and seeded (demo small) in {time.monotonic() - t:.0f} s; "
            f"PostgreSQL {version}; {os.cpu_count()} cores"
        )
        results.append(run("steady", args, env, url, secret, var))
        show(results[-1])
        busy = [] if args.no_restart or args.force_restart else wait_for_quiet(args.admin_url, args.wait_quiet)
        if busy:
            print(
                f"\nthe restart run is skipped: other sessions use this cluster ({', '.join(busy)}); "
                "run again when they are done, or pass --force-restart"
            )
        elif not args.no_restart:
            results.append(run("postgres-restart", args, env, url, secret, var, restart_version=version))
            show(results[-1])
    finally:
        pg_ensure_running(args.admin_url, version)
        if not args.keep:
            db_execute(args.admin_url, f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
            shutil.rmtree(var, ignore_errors=True)
        else:
            print(f"kept: {url} and {var}")
    bad = [
        r["name"]
        for r in results
        if r["lost"] or r["duplicated"] or r["wrong_receipt"] or r["receipts_unopenable"] or r["gave_up"]
    ]
    print("\nOK: no accepted report lost, none duplicated" if not bad else f"\nFAILED: {bad}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
