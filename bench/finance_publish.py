"""Bench: what one month's publication costs — `transparency.publish` of a month snapshot,
and deriving the public tables from it — the two steps `sunlit demo --scale city` does
24,000 times.

    .venv/bin/python bench/finance_publish.py [--database-url URL] [--months 2000] [--entries 44]

Uses a throwaway SQLite file under var/bench/ (or the PostgreSQL database `sunlit_bench_publish`
beside the server of --database-url, dropped afterwards). Snapshots are shaped like the
demo's: `--entries` entries in vouchers of two, Chinese summaries, balances of 15 accounts.
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
    parser.add_argument("--months", type=int, default=2000)
    parser.add_argument("--entries", type=int, default=44)
    args = parser.parse_args()
    work = ROOT / "var" / "bench" / "publish"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    os.environ.update(
        SUNLIT_VAR_DIR=str(work), DJANGO_SETTINGS_MODULE="sunlit.settings", DEBUG="False", LOG_LEVEL="WARNING"
    )
    admin = None
    if args.database_url:
        import psycopg

        parts = urlsplit(args.database_url)
        admin = urlunsplit(parts._replace(path="/postgres"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS sunlit_bench_publish WITH (FORCE)")
            conn.execute("CREATE DATABASE sunlit_bench_publish")
        os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path="/sunlit_bench_publish"))
    try:
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, check=True)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        run(args.months, args.entries)
    finally:
        if admin:
            import psycopg
            from django.db import connections

            connections.close_all()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS sunlit_bench_publish WITH (FORCE)")
        shutil.rmtree(work, ignore_errors=True)


def run(months: int, entries: int) -> None:
    from django.db import transaction

    from sunlit.finance import periods, publication
    from sunlit.regions.services import region_create

    region_create(code="431382000000", name="涟源市", by=None)
    region_create(code="431382101000", name="六亩塘镇", by=None)
    villages = [region_create(code=f"431382101{200 + i:03d}", name=f"村{i}", by=None) for i in range(1, 11)]
    snapshots = []
    for m in range(months):
        village = villages[m % len(villages)]
        year, month = 2018 + (m // len(villages)) // 12, (m // len(villages)) % 12 + 1
        period = year * 100 + month
        vouchers = [
            {
                "year": year,
                "number": n + 1,
                "date": f"{year}-{month:02d}-{n % 28 + 1:02d}",
                "summary": f"支付{month}月电费{n}",
                "kind": "normal",
                "corrects": None,
                "payment_method": "bank",
                "direction": "expense",
                "amount": 12_345 + n,
                "case": None,
                "review": {"on": "", "opinion": "同意"},
                "receipts": [],
                "entries": [
                    {
                        "line": 1,
                        "account": "541",
                        "account_name": "管理费用",
                        "sub_account": "",
                        "side": "D",
                        "amount": 12_345 + n,
                        "summary": f"支付{month}月电费{n % 7}",
                        "counterparty": "国网涟源市供电公司",
                    },
                    {
                        "line": 2,
                        "account": "102",
                        "account_name": "银行存款",
                        "sub_account": "",
                        "side": "C",
                        "amount": 12_345 + n,
                        "summary": f"支付{month}月电费{n % 7}",
                        "counterparty": "国网涟源市供电公司",
                    },
                ],
            }
            for n in range(entries // 2)
        ]
        snapshots.append(
            (
                village.code,
                period,
                {
                    "schema": publication.SCHEMA,
                    "title": periods.text(period),
                    "village": {"code": village.code, "name": village.name},
                    "township": {"code": "431382101000", "name": "六亩塘镇"},
                    "period": periods.text(period),
                    "chart": {"code": "2004", "name": "村集体经济组织会计制度"},
                    "currency": "CNY",
                    "unit": "fen",
                    "closed_on": "",
                    "signed_off_on": f"{periods.deadline(period)}",
                    "signoff_opinion": "同意",
                    "totals": {
                        "income": 0,
                        "expense": 0,
                        "debit": 0,
                        "credit": 0,
                        "vouchers": len(vouchers),
                        "entries": entries,
                    },
                    "balances": [
                        {
                            "account": str(101 + i),
                            "name": "x",
                            "side": "D",
                            "cash": "",
                            "opening": i,
                            "debit": 0,
                            "credit": 0,
                            "closing": i,
                        }
                        for i in range(15)
                    ],
                    "vouchers": vouchers,
                },
            )
        )
    published = []
    started = time.perf_counter()
    with transaction.atomic():
        for code, period, snapshot in snapshots:
            published.append(publication.publish_snapshot(village_code=code, period=period, snapshot=snapshot, by=None))
    publish_s = time.perf_counter() - started
    started = time.perf_counter()
    cache: dict[str, int] = {}
    with transaction.atomic():
        for entry, (_code, _period, snapshot) in zip(published, snapshots, strict=True):
            publication.derive(entry, snapshot, fresh=True, text_cache=cache)
    derive_s = time.perf_counter() - started
    n = len(snapshots)
    print(
        f"{n} months of {entries} entries: publish() {publish_s / n * 1000:.2f} ms each, derive "
        f"{derive_s / n * 1000:.2f} ms each; at 24,000 months: publish {publish_s / n * 24_000:.0f} s, derive "
        f"{derive_s / n * 24_000:.0f} s"
    )


if __name__ == "__main__":
    main()
