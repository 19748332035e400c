"""Write a book-keeping export of N entries for the demo city's villages (bench input).

    python bench/make_finance_file.py OUT.csv [--entries 1060000] [--format csv|xlsx] [--encoding utf-8|gb18030]

Deterministic (fixed seed). Vouchers of two or three entries, 2018–2025, for the 250
villages of `sunlit demo --scale city` (codes from the demo plan, so no database is
needed). Spending stays under the case limit: a fresh database has no cases to cite.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from collections.abc import Iterator
from pathlib import Path

HEADER = ["村代码", "日期", "凭证号", "摘要", "科目编码", "借方金额", "贷方金额", "对方单位", "结算方式"]
EXPENSES = [
    ("支付{m}月电费", "541", "国网涟源市供电公司"),
    ("购买办公用品", "541", "涟源市文具店"),
    ("村道硬化材料款", "154", "涟源市建材公司"),
    ("慰问困难群众", "551", ""),
    ("山塘清淤人工费", "154", "涟源市水利工程队"),
    ("防汛物资", "551", "湄江五金店"),
]
INCOMES = [
    ("收到村级组织运转经费", "522", "乡镇财政所"),
    ("收到土地承包费", "511", "承包户"),
    ("收到银行存款利息", "531", "涟源农村商业银行"),
]


def villages() -> list[str]:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sunlit.settings")
    import django

    django.setup()
    from sunlit.demo.services import demo_plan  # pure: the plan reads no database

    plan = demo_plan(scale="city", seed=2017)
    return [v.code for t in plan.townships for v in t.villages]


def rows(entries: int, seed: int = 1) -> Iterator[list[str]]:
    """Balanced vouchers of two or three entries, about `entries` in all."""
    rng = random.Random(seed)
    codes = villages()
    per_village = -(-entries // len(codes))
    total = 0
    for village in codes:
        numbers: dict[int, int] = {}
        done = 0
        # Dates in order within a village: an export lists vouchers as they were numbered.
        days = sorted(
            (rng.randrange(2018, 2026), rng.randrange(1, 13), rng.randrange(1, 29)) for _ in range(per_village)
        )
        for year, month, day in days:
            if done >= per_village or total >= entries:
                break
            numbers[year] = numbers.get(year, 0) + 1
            if rng.random() < 0.3:
                summary, account, party = rng.choice(INCOMES)
                fen = rng.randrange(10_000, 10_000_000)
                lines = [("102", fen, 0), (account, 0, fen)]
            else:
                summary, account, party = rng.choice(EXPENSES)
                fen = rng.randrange(1_000, 500_000)  # at most 5,000 yuan: no case needed
                lines = [(account, fen, 0), ("102", 0, fen)]
                if rng.random() < 0.1:
                    part = fen // 3
                    lines = [(account, fen - part, 0), ("541", part, 0), ("102", 0, fen)]
            for acct, debit, credit in lines:
                yield [
                    village,
                    f"{year}-{month:02d}-{day:02d}",
                    str(numbers[year]),
                    summary.format(m=month),
                    acct,
                    f"{debit / 100:.2f}" if debit else "",
                    f"{credit / 100:.2f}" if credit else "",
                    party,
                    "",
                ]
            done += len(lines)
            total += len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out")
    parser.add_argument("--entries", type=int, default=1_060_000)
    parser.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    parser.add_argument("--encoding", choices=("utf-8", "utf-8-sig", "gb18030"), default="utf-8")
    args = parser.parse_args()
    if args.format == "csv":
        with open(args.out, "w", encoding=args.encoding, newline="") as f:
            writer = csv.writer(f)
            writer.writerow(HEADER)
            writer.writerows(rows(args.entries))
        return
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet, count, sheets = None, 0, 0
    for row in rows(args.entries):
        if sheet is None or count >= 1_000_000:
            sheets += 1
            sheet = book.create_sheet(f"凭证{sheets}")
            sheet.append(HEADER)
            count = 0
        sheet.append(row)
        count += 1
    book.save(args.out)


if __name__ == "__main__":
    main()
