"""Demo projects: every village's construction projects with tenders, bids, contracts,
amendments, milestones, payments and acceptance reports, published through `publish()`.

City scale is Lianyuan's volume: about 2,500 projects over 2018–2025 (2,528 projects,
510 million yuan: about 200,000 yuan each, skewed: many small road-hardening, water and
lighting projects, a few large ones). Small scale is a handful per village in 2024–2025.
Deterministic for a seed; a village that already has projects is skipped.

Realistic proportions, and a few deliberately bad projects for the risk engine: paid
more than the contract, most money paid before acceptance, a large direct award with a
single quote, a short notice period, change orders above 10 %, the lowest bid
disqualified. Payments are linked to the village's demo finance vouchers where a
construction expense of the same village and year exists (the payment then takes the
voucher's amount and date); the others carry no voucher, as imported history does.

Speed: the working tables are written a village at a time with bulk inserts; each
project is then published through the one `transparency.publish` from its snapshot.
"""

from __future__ import annotations

import hashlib
import io
import math
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from PIL import Image, ImageDraw
from tqdm import tqdm

from sunlit.cases.selectors import cases_authorising
from sunlit.finance.demo import _font
from sunlit.finance.models import Voucher
from sunlit.lib import idnumbers
from sunlit.lib.rooms import DemoContext
from sunlit.projects import publication, services
from sunlit.projects.models import (
    Acceptance,
    Amendment,
    Bid,
    BidStatus,
    Contract,
    ContractorKind,
    Document,
    DocumentKind,
    Funding,
    Method,
    Milestone,
    Payment,
    Project,
    PublishedProject,
    Source,
    Status,
    Tender,
)
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.services import root_sign

SCALES = {"small": ((2024, 2025), 4), "city": (tuple(range(2018, 2026)), 10)}
MEAN_YUAN = 200_000
CATEGORIES = (
    ("road", 34),
    ("water", 20),
    ("lighting", 12),
    ("environment", 10),
    ("building", 8),
    ("industry", 9),
    ("purchase", 5),
    ("other", 2),
)
NAMES = {
    "road": ("{a}组至{b}组道路硬化", "通组公路硬化", "入户路硬化", "村主干道拓宽"),
    "water": ("安全饮水提质改造", "山塘清淤扩容", "灌溉渠道硬化", "{a}组饮水管网延伸"),
    "lighting": ("太阳能路灯安装", "村主干道亮化"),
    "environment": ("垃圾收集点建设", "村庄人居环境整治", "污水处理池建设"),
    "building": ("村部维修改造", "村综合服务中心建设", "文化广场建设"),
    "industry": ("油茶基地建设", "蔬菜大棚建设", "光伏发电项目"),
    "purchase": ("垃圾清运车采购", "办公设备采购", "防汛物资采购"),
    "other": ("村史馆布展", "护坡挡土墙修建"),
}
CONTRACTORS = (
    "湘中建筑工程有限公司",
    "娄底市路桥建设有限公司",
    "涟源市水利工程队",
    "涟源市宏达建设有限公司",
    "涟源市恒通市政工程有限公司",
    "湖南蓝田建设工程有限公司",
    "涟源市伏口建筑有限公司",
    "娄底市新化路桥有限公司",
    "涟源市金石建材有限公司",
    "湄江建设工程有限公司",
)
INDIVIDUALS = ("李国平", "刘建军", "王志明", "曾德华", "梁长青", "吴新民")
SUPERVISORS = ("镇纪委", "镇经管站", "镇财政所", "镇规划办")
SECTORS = {"road": "镇交通站", "water": "镇水利站", "industry": "镇农业综合服务中心"}
INSPECTORS = ("村党支部书记", "村委会主任", "村务监督委员会主任", "村民代表", "镇项目监管办")
DIRECT_REASONS = ("抢险救灾，工期紧急", "金额较小，经村民代表会议决定直接委托", "原施工单位续建")
DISQUALIFY = ("资质不符", "报价文件未密封", "未按时递交", "未提供项目经理证书")
AMEND = ("增加排水沟", "路面加宽", "增加挡土墙", "设计变更", "材料价格上涨")
VOUCHER_SUMMARIES = ("村道硬化工程款", "组级公路硬化工程进度款", "山塘清淤工程款")


@dataclass
class DemoResult:
    villages: int = 0
    projects: int = 0
    accepted: int = 0
    payments: int = 0
    linked: int = 0
    reports: int = 0
    seconds: float = 0.0


def _rng(seed: int, purpose: str) -> random.Random:
    return random.Random(hashlib.sha256(f"{seed}:projects:{purpose}".encode()).digest())


def credit_code(name: str) -> str:
    """A well-formed unified social credit code for a demo company (check character valid)."""
    digest = int(hashlib.sha256(name.encode()).hexdigest(), 16)
    body = "91431382"
    for _ in range(9):
        digest, r = divmod(digest, len(services.CREDIT_CHARS))
        body += services.CREDIT_CHARS[r]
    return body + services.credit_check_character(body)


def report_image(*, project: str, village: str, day: date, inspectors: list[str], seed: str) -> bytes:
    """A small acceptance-report-like JPEG: title, facts, a red stamp."""

    rng = random.Random(seed)
    image = Image.new("RGB", (360, 480), (253, 252, 246 - rng.randrange(12)))
    draw = ImageDraw.Draw(image)
    font = _font()
    draw.rectangle((6, 6, 353, 473), outline=(120, 110, 90), width=2)
    draw.text((120, 18), "验 收 报 告", fill=(20, 20, 20), font=font)
    lines = [
        f"项目：{project[:14]}",
        f"{project[14:28]}" if len(project) > 14 else "",
        f"村：{village}",
        f"验收日期：{day.isoformat()}",
        "验收结论：合格",
        "验收人员：",
        *["  " + n for n in inspectors[:4]],
    ]
    for i, text in enumerate(x for x in lines if x):
        draw.text((24, 64 + i * 32), text, fill=(40, 40, 60), font=font)
    x, y = 220 + rng.randrange(30), 360 + rng.randrange(20)
    draw.ellipse((x, y, x + 90, y + 90), outline=(190, 30, 30), width=3)
    draw.text((x + 10, y + 34), "验收专用", fill=(190, 30, 30), font=font)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=70, optimize=True)
    return out.getvalue()


def _budget(rng: random.Random, category: str) -> int:
    """Yuan, log-normal around MEAN_YUAN: many small projects, a few large ones."""
    sigma = 1.05
    mu = math.log(MEAN_YUAN) - sigma * sigma / 2
    value = rng.lognormvariate(
        mu
        + (0.35 if category in ("building", "industry") else 0.0)
        - (0.5 if category in ("lighting", "purchase") else 0.0),
        sigma,
    )
    return int(min(8_000_000, max(10_000, value)) // 100 * 100)


def _vouchers(village_codes: list[str]) -> dict[tuple[str, int], list[tuple[int, date, int]]]:
    """Construction expenses in the demo books: (village, year) → [(id, date, amount fen)]."""

    found: dict[tuple[str, int], list[tuple[int, date, int]]] = defaultdict(list)
    rows = (
        Voucher.objects.filter(village_id__in=village_codes, summary__in=VOUCHER_SUMMARIES, kind="normal")
        .annotate(amount=Max("entries__amount"))
        .values_list("id", "village_id", "year", "date", "amount")
        .order_by("date", "id")
    )
    for pk, village, year, day, amount in rows:
        found[(village, year)].append((pk, day, int(amount or 0)))
    return found


def _cases(village_codes: list[str]) -> dict[str, list[int]]:
    """Per village: the approved cases that may authorise a project, oldest first."""
    found: dict[str, list[int]] = defaultdict(list)
    for pk, village in (
        cases_authorising(purpose=services.PURPOSE, village_codes=village_codes)
        .values_list("id", "village_id")
        .order_by("id")
    ):
        found[village].append(pk)
    return found


def demo_projects(*, village_codes: list[str], scale: str, seed: int, bar: Any = None) -> DemoResult:
    started = time.monotonic()
    years, per_village = SCALES[scale]
    result = DemoResult()
    have = set(Project.objects.filter(village_id__in=village_codes).values_list("village_id", flat=True).distinct())
    villages = {r.code: r for r in Region.objects.filter(code__in=village_codes)}
    vouchers = _vouchers(village_codes)
    cases = _cases(village_codes)
    # The demo's history ends with its last year: that year's projects are at every stage.
    today = min(timezone.localdate(), date(years[-1], 11, 30))
    for code in sorted(village_codes):
        if code in have or code not in villages:
            if bar is not None:
                bar.update(1)
            continue
        with transaction.atomic():
            _village(
                villages[code],
                years=years,
                per_village=per_village,
                seed=seed,
                scale=scale,
                vouchers=vouchers,
                cases=cases.get(code, []),
                today=today,
                result=result,
            )
        result.villages += 1
        if bar is not None:
            bar.update(1)
    result.seconds = time.monotonic() - started
    return result


def _village(
    village: Region,
    *,
    years: tuple[int, ...],
    per_village: int,
    seed: int,
    scale: str,
    vouchers: dict[tuple[str, int], list[tuple[int, date, int]]],
    cases: list[int],
    today: date,
    result: DemoResult,
) -> None:
    code = village.code
    rng = _rng(seed, code)
    count = max(1, round(per_village * rng.uniform(0.5, 1.5)))
    plans = []
    now = timezone.now()
    for _ in range(count):
        year = years[min(len(years) - 1, int(rng.random() * len(years)))]
        category = rng.choices([c for c, _w in CATEGORIES], [w for _c, w in CATEGORIES])[0]
        plans.append((year, category))
    plans.sort()
    projects: list[Project] = []
    for i, (year, category) in enumerate(plans, start=1):
        budget = _budget(rng, category) * 100
        start = date(year, rng.randrange(2, 8), rng.randrange(1, 28))
        name = rng.choice(NAMES[category]).format(a=rng.randrange(1, 6), b=rng.randrange(6, 12))
        # Drawn whether or not a case is there to take: the rest of the village's data must
        # not depend on how many cases the cases demo approved.
        authorised = rng.random() < 0.9
        projects.append(
            Project(
                county_code=codes.county_of(code),
                village=village,
                number=f"{code[6:]}-{year}-{i:03d}",
                name=f"{village.name}{name}",
                category=category,
                year=year,
                budget=budget,
                case_id=cases.pop(0) if cases and authorised else None,
                location=f"{village.name}{rng.randrange(1, 12)}组",
                planned_start=start,
                planned_end=start + timedelta(days=rng.randrange(60, 200)),
                status=Status.PLANNED,
                source=Source.DEMO,
                created_at=now,
                updated_at=now,
            )
        )
    Project.objects.bulk_create(projects)
    funding: list[Funding] = []
    tenders: list[tuple[Project, Tender, list[Bid], int]] = []
    for p in projects:
        funding += _funding(rng, p)
    Funding.objects.bulk_create(funding)
    contracts: list[tuple[Project, Contract, dict[str, Any]]] = []
    for p in projects:
        plan = _stage(rng, p, today)
        if plan["stage"] == Status.PLANNED:
            continue
        tender, bids, winner = _tender(rng, p)
        tenders.append((p, tender, bids, winner))
        if plan["stage"] == Status.TENDERING:
            p.status = Status.TENDERING
            continue
        opened = tender.opened_on or p.planned_start or date(p.year, 3, 1)
        winner_bid = bids[winner]
        signed = opened + timedelta(days=rng.randrange(3, 15))
        if winner_bid.bidder in INDIVIDUALS:
            number = idnumbers.generate(
                rng,
                area=code[:6],
                born=date(rng.randrange(1962, 1990), rng.randrange(1, 13), rng.randrange(1, 28)),
                female=False,
            )
            identity = {
                "contractor_kind": ContractorKind.INDIVIDUAL,
                "id_fingerprint": idnumbers.fingerprint(number),
                "id_sealed": idnumbers.seal(number),
                "id_last4": idnumbers.last4(number),
            }
        else:
            identity = {"contractor_kind": ContractorKind.ORGANISATION, "credit_code": credit_code(winner_bid.bidder)}
        contract = Contract(
            project=p, contractor=winner_bid.bidder, value=winner_bid.quote, signed_on=signed, **identity
        )
        contracts.append((p, contract, plan))
    Tender.objects.bulk_create([t for _p, t, _b, _w in tenders])
    for _p, t, bids, _w in tenders:
        for b in bids:
            b.tender = t
    Bid.objects.bulk_create([b for _p, _t, bids, _w in tenders for b in bids])
    for p, t, bids, w in tenders:
        t.winner = bids[w] if p.status != Status.TENDERING else None
    Tender.objects.bulk_update([t for _p, t, _b, _w in tenders], ["winner"])
    Contract.objects.bulk_create([c for _p, c, _plan in contracts])
    amendments: list[Amendment] = []
    milestones: list[Milestone] = []
    payments: list[Payment] = []
    acceptances: list[Acceptance] = []
    for p, contract, plan in contracts:
        value = contract.value
        if rng.random() < 0.15:
            pct = rng.uniform(0.11, 0.25) if rng.random() < 0.2 else rng.uniform(0.02, 0.09)
            change = int(value * pct) // 100 * 100
            amendments.append(
                Amendment(
                    contract=contract,
                    signed_on=contract.signed_on + timedelta(days=40),
                    value_change=change,
                    reason=rng.choice(AMEND),
                )
            )
            value += change
        start = contract.signed_on + timedelta(days=rng.randrange(5, 20))
        steps = [
            (start, "开工", rng.randrange(5, 15)),
            (start + timedelta(days=rng.randrange(30, 60)), "主体完成", rng.randrange(50, 80)),
        ]
        finish = steps[-1][0] + timedelta(days=rng.randrange(20, 60))
        done = plan["stage"] == Status.ACCEPTED
        if done or (plan["stage"] == Status.BUILDING and finish <= today):
            steps.append((finish, "完工", 100))
        steps = [s for s in steps if s[0] <= today]
        if plan["stage"] == Status.CONTRACTED or not steps:
            steps, plan["stage"], done = [], Status.CONTRACTED, False
        for day, title, progress in steps:
            milestones.append(Milestone(project=p, date=day, title=title, progress=progress))
        p.status = plan["stage"]
        p.actual_start = steps[0][0] if steps else None
        accepted_on = finish + timedelta(days=rng.randrange(5, 25)) if done else None
        if accepted_on is not None and accepted_on > today:
            accepted_on, done = None, False
            p.status = Status.BUILDING
        # Payments: an advance, a progress payment, the balance after acceptance (3 % kept
        # as a warranty). The bad ones: overpaid, or nearly everything before acceptance.
        bad = plan.get("bad", "")
        share = [0.3, 0.4, 0.27]
        if bad == "overpaid":
            share = [0.3, 0.4, rng.uniform(0.38, 0.45)]
        elif bad == "early":
            share = [0.3, 0.65, 0.02]
        dates = [contract.signed_on + timedelta(days=rng.randrange(3, 15))]
        if len(steps) >= 2:
            dates.append(steps[1][0] + timedelta(days=rng.randrange(2, 10)))
        if bad == "early" and len(dates) == 2:
            dates[1] = min(dates[1], (accepted_on or today) - timedelta(days=1))
        if accepted_on is not None:
            dates.append(accepted_on + timedelta(days=rng.randrange(5, 40)))
        total = 0
        linkable = vouchers.get((p.village_id, p.year), [])
        for n, day in enumerate(dates):
            if day > today:
                continue
            amount = int(value * share[n]) // 100 * 100
            voucher_id = None
            match = next((v for v in linkable if v[1] >= day - timedelta(days=20) and 0 < v[2] <= value - total), None)
            if match is not None and bad == "":
                linkable.remove(match)
                voucher_id, day, amount = match
                result.linked += 1
            if bad != "overpaid":
                amount = min(amount, value - total)
            if amount <= 0:
                continue
            total += amount
            payments.append(
                Payment(
                    county_code=p.county_code,
                    village_code=p.village_id,
                    project=p,
                    voucher_id=voucher_id,
                    amount=amount,
                    paid_on=day,
                    over_contract=total > value,
                    before_acceptance=accepted_on is None or day < accepted_on,
                    source=Source.DEMO,
                )
            )
        if done and accepted_on is not None:
            p.actual_end = accepted_on
            names = rng.sample(INSPECTORS, 3)
            acceptances.append(Acceptance(project=p, accepted_on=accepted_on, inspectors=names, opinion="工程质量合格"))
    Amendment.objects.bulk_create(amendments)
    Milestone.objects.bulk_create(milestones)
    Payment.objects.bulk_create(payments)
    Acceptance.objects.bulk_create(acceptances)
    reports = []
    for a in acceptances:
        p = a.project
        content = report_image(
            project=p.name.removeprefix(village.name),
            village=village.name,
            day=a.accepted_on,
            inspectors=list(a.inspectors),
            seed=f"{seed}:{p.number}",
        )
        sha = hashlib.sha256(content).hexdigest()
        name = f"projects/documents/{sha[:2]}/{sha}.jpg"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(content))
        reports.append(
            Document(
                project=p,
                kind=DocumentKind.ACCEPTANCE,
                title=str(DocumentKind.ACCEPTANCE.label),
                file=name,
                thumbnail="",
                content_type="image/jpeg",
                sha256=sha,
                size=len(content),
                original_name="验收报告.jpg",
                uploaded_at=now,
            )
        )
    Document.objects.bulk_create(reports)
    for a, d in zip(acceptances, reports, strict=True):
        a.report = d
    Acceptance.objects.bulk_update(acceptances, ["report"])
    Project.objects.bulk_update(projects, ["status", "actual_start", "actual_end"])
    # Published through the one spine, each from its snapshot; the village's projects are
    # loaded for their snapshots in one go, and their public rows written together.
    public = [p.pk for p in projects if not (p.status == Status.PLANNED and rng.random() < 0.5)]
    rows, published = [], []
    for p in publication.loaded(Project.objects.filter(pk__in=public)).order_by("pk"):
        snapshot = publication.snapshot_of(p)
        entry = publication.publish_snapshot(project=p, snapshot=snapshot, by=None)
        rows.append(publication.derive_row(entry, snapshot))
        p.publication = entry
        published.append(p)
    PublishedProject.objects.bulk_create(rows)
    Project.objects.bulk_update(published, ["publication"])
    result.projects += len(projects)
    result.accepted += len(acceptances)
    result.payments += len(payments)
    result.reports += len(reports)


def _funding(rng: random.Random, p: Project) -> list[Funding]:
    kinds = ["fiscal"]
    if rng.random() < (0.6 if p.year <= 2020 else 0.4):
        kinds.append("poverty")
    if rng.random() < 0.3:
        kinds.append("collective")
    if rng.random() < 0.05:
        kinds.append("donation")
    if len(kinds) > 1 and rng.random() < 0.3:
        kinds.remove("fiscal")
    weights = [rng.uniform(0.5, 3) for _ in kinds]
    total = sum(weights)
    amounts = [int(p.budget * w / total) // 100 * 100 for w in weights]
    amounts[0] += p.budget - sum(amounts)
    return [Funding(project=p, kind=k, amount=a) for k, a in zip(kinds, amounts, strict=True)]


def _stage(rng: random.Random, p: Project, today: date) -> dict[str, Any]:
    """How far the project got; finished ones dominate the past years."""
    age = today.year - p.year
    roll = rng.random()
    if age >= 1:
        stage = Status.ACCEPTED if roll < 0.96 else Status.BUILDING
    elif roll < 0.2:
        stage = Status.PLANNED
    elif roll < 0.3:
        stage = Status.TENDERING
    elif roll < 0.4:
        stage = Status.CONTRACTED
    elif roll < 0.65:
        stage = Status.BUILDING
    else:
        stage = Status.ACCEPTED
    bad = rng.random()
    return {"stage": stage, "bad": "overpaid" if bad < 0.012 else "early" if bad < 0.03 else ""}


def _tender(rng: random.Random, p: Project) -> tuple[Tender, list[Bid], int]:
    yuan = p.budget // 100
    if yuan >= 400_000:
        method = Method.OPEN if rng.random() < 0.9 else Method.DIRECT  # the rare large direct award
    elif yuan >= 100_000:
        method = rng.choices([Method.INVITED, Method.QUOTES, Method.DIRECT], [45, 50, 5])[0]
    else:
        method = rng.choices([Method.QUOTES, Method.DIRECT], [80, 20])[0]
    notice = (p.planned_start or date(p.year, 3, 1)) - timedelta(days=rng.randrange(25, 45))
    days = {Method.OPEN: 20, Method.INVITED: 10, Method.QUOTES: 7, Method.DIRECT: 0}[method]
    if method != Method.DIRECT and rng.random() < 0.04:
        days = rng.randrange(2, 5)  # a short notice period
    deadline = notice + timedelta(days=days)
    supervisors = [*SUPERVISORS, SECTORS.get(p.category, "镇农村经营服务站")] if method != Method.DIRECT else []
    tender = Tender(
        project=p,
        method=method,
        notice_on=notice if method != Method.DIRECT else None,
        deadline_on=deadline if method != Method.DIRECT else None,
        opened_on=deadline + timedelta(days=1),
        direct_reason=rng.choice(DIRECT_REASONS) if method == Method.DIRECT else "",
        supervisors=supervisors,
    )
    pool = list(CONTRACTORS)
    if yuan < 100_000:
        pool += list(INDIVIDUALS)
    count = 1 if method == Method.DIRECT else rng.randrange(3, 7 if method == Method.OPEN else 5)
    names = rng.sample(pool, count)
    bids = [
        Bid(
            bidder=n,
            quote=int(p.budget * rng.uniform(0.86, 0.995)) // 100 * 100,
            submitted_on=deadline - timedelta(days=rng.randrange(0, 3)) if method != Method.DIRECT else None,
        )
        for n in names
    ]
    bids.sort(key=lambda b: b.quote)
    if len(bids) >= 3 and rng.random() < 0.1:
        bids[0].status, bids[0].reason = BidStatus.DISQUALIFIED, rng.choice(DISQUALIFY)
    winner = next(i for i, b in enumerate(bids) if b.status == BidStatus.VALID)
    return tender, bids, winner


def seed(ctx: DemoContext) -> None:
    """The projects part of `sunlit demo` (the room manifest's demo seeder after the
    books): every village of the plan, with a progress bar and a closing line on stderr."""

    villages = [v.code for t in ctx.plan.townships for v in t.villages]
    with tqdm(
        total=len(villages),
        desc="demo projects",
        unit="village",
        file=sys.stderr,
        disable=None if ctx.progress else True,
        leave=False,
    ) as bar:
        result = demo_projects(village_codes=villages, scale=ctx.scale, seed=ctx.seed, bar=bar)
    if result.projects:
        root_sign(by=None)
        sys.stderr.write(
            f"Demo projects: {result.villages} village(s), {result.projects} projects ({result.accepted} accepted, "
            f"{result.reports} acceptance reports), {result.payments} payments ({result.linked} linked to vouchers), "
            f"in {result.seconds:.0f} s.\n"
        )
    ctx.results["projects"] = result
