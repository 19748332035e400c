"""Demo cases: every item of the list exercised, in every state, over the years.

Cases go through the real services (case_open, case_act, objections, withdrawals) with
the simulated clock of sunlit.lib.clock, one village at a time in time order, so each
village's hash chain reads forward in time. Outcomes follow a plan drawn from the seed:
most cases are approved (some after a return for correction), some rejected, a few
withdrawn; recent ones are still open — some overdue, some paused by an objection.
"""

from __future__ import annotations

import heapq
import io
import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw
from tqdm import tqdm

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Role, User
from sunlit.accounts.services import membership_grant, user_create
from sunlit.cases import services
from sunlit.cases.engine import MeetingCounts
from sunlit.cases.flows import item_of, step_of
from sunlit.cases.models import Case
from sunlit.lib.clock import Clock, simulated_clock
from sunlit.lib.rooms import DemoContext
from sunlit.powers.flow import Step
from sunlit.powers.models import PowerItem
from sunlit.powers.selectors import current_version
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.workdays.calendar import add_working_days, is_working_day

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Memberships of the demo start on 2024-01-01: history starts the first working day after.
HISTORY_STARTS = datetime(2024, 1, 2, 9, 0, tzinfo=SHANGHAI)

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "建国秀英春华志强桂兰德明玉珍海燕红梅国庆小平金花永福淑芬文斌丽娟长生桂香"
SUBJECTS = {
    "major": [
        "{village}通组公路硬化",
        "{village}村部维修",
        "{village}山塘清淤扩容",
        "{village}路灯安装",
        "{village}集体林地承包",
        "{village}光伏电站收益分配",
        "{village}自来水管网改造",
    ],
    "daily": ["{village}{year}年第{q}季度村务公开", "{village}{year}年{m}月财务公开", "{village}村委会印章使用"],
    "service": ["{name}申请", "{name}家庭申请"],
}


@dataclass
class Plan:
    """What will happen to one case: where it ends, and when it starts."""

    item: Any
    opens_at: datetime
    ends: str  # approved | rejected | withdrawn | open | paused | stalled (overdue)
    returns: float  # the chance of a return for correction at a step that allows one
    reject_at: int  # for rejected: the n-th approval decision rejects
    withdraw_after: int  # for withdrawn: after this many actions
    case: Case | None = None
    actions: int = 0
    decisions: int = 0
    returned: set[str] = field(default_factory=set)


@dataclass
class DemoCases:
    opened: int = 0
    actions: int = 0
    states: dict[str, int] = field(default_factory=dict)


def _png(kind: str) -> bytes:
    """A small scan-like image per attachment kind (the same bytes for the same kind)."""
    image = Image.new("RGB", (120, 80), (245, 243, 236))
    draw = ImageDraw.Draw(image)
    draw.rectangle((4, 4, 115, 75), outline=(150, 40, 40), width=2)
    for y in range(16, 70, 10):
        draw.line((12, y, 108, y), fill=(90, 90, 90))
    draw.text((12, 6), kind[:16], fill=(150, 40, 40))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _at_work(moment: datetime, rng: random.Random) -> datetime:
    """The same day in office hours, or the next working day's."""
    local = moment.astimezone(SHANGHAI)
    day = local.date()
    if local.time() > time(17, 0) or not is_working_day(day):
        day = add_working_days(day, 1)
    earliest = local.time() if day == local.date() and local.time() > time(9, 0) else time(9, 0)
    minutes = rng.randint(0, max(0, (17 * 60) - (earliest.hour * 60 + earliest.minute) - 1))
    start = datetime.combine(day, earliest, SHANGHAI)
    return start + timedelta(minutes=minutes)


def _next_time(after: datetime, step: Step, rng: random.Random) -> datetime:
    if step.publicity_days:
        # A notice comes down once its days are over (plus the time to take it down).
        return _at_work(after + timedelta(days=step.publicity_days, hours=rng.randint(1, 30)), rng)
    limit = max(1, step.days)
    # Most steps are done in time; about one in eight takes longer than allowed.
    days = rng.randint(1, limit) if rng.random() > 0.12 else limit + rng.randint(1, 6)
    due = add_working_days(after.astimezone(SHANGHAI).date(), days)
    return _at_work(datetime.combine(due, time(9, 0), SHANGHAI), rng)


def _meeting(step: Step, rng: random.Random) -> MeetingCounts:
    if step.meeting == "villagers":
        expected, households = rng.randint(400, 1400), rng.randint(150, 420)
        present = expected // 2 + rng.randint(expected // 10, expected // 3)
        households_present = households * 2 // 3 + rng.randint(1, households // 4)
    else:
        expected = {"committees": rng.randint(5, 9), "party_members": rng.randint(25, 70)}.get(
            step.meeting or "", rng.randint(25, 45)
        )
        present = expected - rng.randint(0, max(0, expected // 8))
        households = households_present = 0
    against = rng.randint(0, max(0, present // 12))
    abstain = rng.randint(0, max(0, present // 15))
    return MeetingCounts(
        expected=expected,
        present=present,
        votes_for=present - against - abstain,
        votes_against=against,
        votes_abstain=abstain,
        households_expected=households or None,
        households_present=households_present or None,
    )


class _Staff:
    """Who may act in one village: the demo's accounts plus non-login staff."""

    def __init__(self, village: str, people: Sequence[User]) -> None:
        self.village = village
        # The most local first: a township step goes to a township official before a
        # county one, who stays free for the county's own decision.
        self.people = sorted(
            people, key=lambda p: -max((len(codes.prefix_of(m.region_id)) for m in p.memberships.all()), default=0)
        )

    def actor(self, case: Case, step: Step) -> User:
        # As a real village does: whoever opened or requested the case, or recorded what a
        # decision judges, leaves the decision to a colleague (services.decision_refusal).
        for person in self.people:
            if not jurisdiction.holds_role(person, step.role, self.village, step.level):
                continue
            if services.decision_refusal(case, step, person):
                continue
            return person
        raise RuntimeError(
            f"demo staff of {self.village} cannot complete {step.key} of {case.number}: "
            f"pool {[p.username for p in self.people]}"
        )

    def opener(self, level: str) -> User:
        role = Role.TOWNSHIP_OFFICIAL if level == "township" else Role.CADRE
        return next(p for p in self.people if jurisdiction.holds_role(p, role, self.village, level))


def _plans(
    items: Sequence[Any],
    village: Any,
    count: int,
    rng: random.Random,
    now: datetime,
    must: Sequence[Any],
    paused_too: bool,
) -> list[Plan]:
    span = (now - HISTORY_STARTS).total_seconds()
    plans = []
    chosen = list(must) + [rng.choice(items) for _ in range(max(0, count - len(must)))]
    paused = [i for i in items if _early_notice(i)][:1] if paused_too else []
    for index, item in enumerate(chosen):
        roll = rng.random()
        recent = roll < 0.3 or index % 7 == 3
        if recent:
            # Opened in the last three months: still running, some overdue, some paused.
            opens = now - timedelta(days=rng.randint(3, 95))
            ends = "paused" if rng.random() < 0.12 else "open"
        else:
            opens = HISTORY_STARTS + timedelta(seconds=rng.uniform(0, span * 0.9))
            r = rng.random()
            ends = "approved" if r < 0.78 else "rejected" if r < 0.93 else "withdrawn"
        plans.append(
            Plan(
                item=item,
                opens_at=_at_work(opens, rng),
                ends=ends,
                returns=0.15 if rng.random() < 0.5 else 0.0,
                reject_at=rng.randint(1, 3),
                withdraw_after=rng.randint(1, 3),
            )
        )
    for item in paused:
        # One case paused by an objection to its notice, and one left on its first step past
        # its deadline, whatever the dice said.
        plans.append(
            Plan(
                item=item,
                opens_at=_at_work(now - timedelta(days=40), rng),
                ends="paused",
                returns=0.0,
                reject_at=9,
                withdraw_after=99,
            )
        )
        plans.append(
            Plan(
                item=item,
                opens_at=_at_work(now - timedelta(days=75), rng),
                ends="stalled",
                returns=0.0,
                reject_at=9,
                withdraw_after=99,
            )
        )
    return plans


def _early_notice(item: Any) -> bool:
    """A notice among the item's first three steps: reached within weeks of opening."""
    steps = item_of(item).flow.steps
    return item_of(item).level == "village" and any(s.publicity_days for s in steps[:3])


def _subject(item: Any, village: Any, rng: random.Random, when: datetime) -> tuple[str, str]:
    flow_item = item_of(item)
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    template = rng.choice(SUBJECTS[flow_item.category])
    subject = template.format(
        village=village.name,
        year=when.year,
        q=(when.month - 1) // 3 + 1,
        m=when.month,
        name=f"{name}{flow_item.name_zh.split('（')[0]}",
    )
    return subject[:200], name if flow_item.needs_applicant else ""


def demo_village_cases(
    *,
    village: Any,
    items: Sequence[Any],
    staff: Sequence[User],
    count: int,
    must: Sequence[Any],
    rng: random.Random,
    clock: Clock,
    now: datetime,
    result: DemoCases,
    paused_too: bool = False,
) -> None:
    """Open and advance one village's cases, all events in time order."""
    people = _Staff(village.code, staff)
    plans = _plans(items, village, count, rng, now, must, paused_too)
    queue: list[tuple[datetime, int]] = [(p.opens_at, i) for i, p in enumerate(plans) if p.opens_at < now]
    heapq.heapify(queue)
    while queue:
        moment, index = heapq.heappop(queue)
        plan = plans[index]
        clock.set(moment)
        if plan.case is None:
            flow_item = item_of(plan.item)
            subject, applicant = _subject(plan.item, village, rng, moment)
            plan.case = services.case_open(
                item=plan.item,
                village_code=village.code,
                subject=subject,
                amount_fen=rng.randint(20, 3000) * 10_000 if flow_item.needs_amount else None,
                applicant_name=applicant,
                applicant_id_last4=f"{rng.randint(0, 9999):04d}" if applicant else "",
                by=people.opener(flow_item.level),
            )
            result.opened += 1
        else:
            if not _advance(plan, people, rng):
                continue
        case = plan.case
        case.refresh_from_db()
        step = step_of(case)
        if step is None:
            continue
        nxt = _next_time(moment, step, rng)
        if plan.ends == "paused" and step.publicity_days and case.publicity_ends_at:
            # Someone objects while the notice is up, and nobody has resolved it yet.
            clock.set(moment + timedelta(hours=1))
            if timezone.now() < min(now, case.publicity_ends_at):
                services.case_objection_record(
                    case=case, text="村民反映：申请人家庭收入情况与公示内容不符，请核实。", by=people.opener("village")
                )
                result.actions += 1
                continue
        if nxt < now and plan.ends != "stalled":
            heapq.heappush(queue, (nxt, index))
    for plan in plans:
        result.actions += plan.actions
        if plan.case is not None:
            plan.case.refresh_from_db(fields=["state"])
            result.states[plan.case.state] = result.states.get(plan.case.state, 0) + 1


def _advance(plan: Plan, people: _Staff, rng: random.Random) -> bool:
    """Take the case's next action; False once it is closed."""
    case = plan.case
    assert case is not None
    case.refresh_from_db()
    if case.is_closed:
        return False
    step = step_of(case)
    assert step is not None
    if plan.ends == "withdrawn" and plan.actions >= plan.withdraw_after:
        services.case_withdraw(case=case, reason="申请人主动撤回申请", by=people.opener("village"))
        return False
    outcome = "approve"
    if step.approval:
        plan.decisions += 1
        if plan.ends == "rejected" and plan.decisions >= plan.reject_at and "reject" in step.outcomes:
            outcome = "reject"
        elif "return" in step.outcomes and step.key not in plan.returned and rng.random() < plan.returns:
            plan.returned.add(step.key)
            outcome = "return"
    uploads = (
        [
            services.Upload(kind=a.kind, filename=f"{a.kind}.png", data=_png(a.kind))
            for a in step.attachments
            if a.required
        ]
        if outcome == "approve"
        else []
    )
    services.case_act(
        case=case,
        step_key=step.key,
        expected_version=case.version,
        outcome=outcome,
        decision={
            "approve": "经审核，符合条件，同意。",
            "reject": "经核查，不符合条件，不予通过。",
            "return": "材料不全，退回补正。",
        }[outcome],
        minutes="会议由村党组织书记主持，到会人员逐人签字，表决结果当场公布。",
        meeting=_meeting(step, rng) if step.meeting or {"attendance", "votes"} & set(step.records) else None,
        attachments=uploads,
        by=people.actor(case, step),
    )
    plan.actions += 1
    return True


def _staff(village_codes: Sequence[str], printed: Sequence[User]) -> dict[str, list[User]]:
    """Non-login staff so every step of every item has someone to take it.

    The printed demo accounts (one per role per township) can log in; the staff here have
    no usable password: they are the other cadres, committee members and officials in
    whose names the history was written. Separation of duties needs several per level.
    """

    rng = random.Random("staff")
    made: dict[str, User] = {}

    def person(username: str, role: str, region: str, title: str) -> User:
        if username in made:
            return made[username]
        user = User.objects.filter(username=username).first()
        if user is None:
            full_name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(2))
            user = user_create(
                username=username, full_name=full_name, password=None, must_change_password=False, by=None
            )
            membership_grant(user=user, role=role, region_code=region, starts_on=date(2024, 1, 1), title=title, by=None)
        made[username] = user
        return user

    pools: dict[str, list[User]] = {}
    for code in village_codes:
        township = codes.parent_code(code) or ""
        county = codes.county_of(code)
        local = [p for p in printed if jurisdiction.can(p, "region.view", code)]
        pools[code] = [
            *local,
            person(f"staff-cadre-{code}-1", Role.CADRE, code, "主任"),
            person(f"staff-cadre-{code}-2", Role.CADRE, code, "会计"),
            person(f"staff-supervisor-{code}-1", Role.SUPERVISOR, code, "监委会委员"),
            person(f"staff-supervisor-{code}-2", Role.SUPERVISOR, code, "监委会委员"),
            person(f"staff-township-{township[:9]}-1", Role.TOWNSHIP_OFFICIAL, township, "分管副镇长"),
            person(f"staff-township-{township[:9]}-2", Role.TOWNSHIP_OFFICIAL, township, "民政办主任"),
            person(f"staff-township-{township[:9]}-3", Role.TOWNSHIP_OFFICIAL, township, "经管站会计"),
            person(f"staff-county-{county[:6]}-1", Role.TOWNSHIP_OFFICIAL, county, "民政局副局长"),
            person(f"staff-county-{county[:6]}-2", Role.TOWNSHIP_OFFICIAL, county, "农业农村局股长"),
        ]
    for code in village_codes:
        # The seal keeper: RC-03 needs three cadres (whoever requests the seal neither approves
        # nor stamps, and the approver does not stamp too). Made after the others, so their
        # names stay those of earlier demos.
        pools[code].append(person(f"staff-cadre-{code}-3", Role.CADRE, code, "文书"))
    return pools


def demo_cases(
    *, village_codes: Sequence[str], per_village: int, seed: int, clock: Clock, progress: Any = None
) -> DemoCases:
    """Cases for the given villages (nothing if any case exists: the demo is idempotent)."""
    result = DemoCases()
    version = current_version()
    if version is None or Case.objects.exists():
        return result
    real_now = clock.real_now()
    items = list(
        PowerItem.objects.filter(version=version, township__isnull=True).select_related("version").order_by("position")
    )
    printed = list(User.objects.filter(memberships__isnull=False).exclude(username__startswith="staff-").distinct())
    pools = _staff(village_codes, printed)
    villages = {r.code: r for r in Region.objects.filter(code__in=village_codes)}
    for number, code in enumerate(village_codes):
        rng = random.Random(f"{seed}:cases:{code}")
        # Every item is exercised somewhere: item i goes to village i mod n first.
        must = [item for i, item in enumerate(items) if i % len(village_codes) == number]
        with transaction.atomic():
            demo_village_cases(
                village=villages[code],
                items=items,
                staff=pools[code],
                count=max(per_village, len(must)),
                must=must,
                rng=rng,
                clock=clock,
                now=real_now,
                result=result,
                paused_too=number == 0,
            )
        if progress is not None:
            progress.update(1)
    return result


# Cases per village: small covers every item and state; city gives a few thousand.
CASES_PER_VILLAGE = {"small": 6, "city": 8}


def seed(ctx: DemoContext) -> None:
    """The cases' part of `sunlit demo`: every item exercised, in every state, over the
    years, on the simulated clock; the counts go to ctx.results["cases"]."""
    villages = [v.code for t in ctx.plan.townships for v in t.villages]
    with (
        simulated_clock() as clock,
        tqdm(
            total=len(villages),
            desc="demo cases",
            unit="village",
            file=sys.stderr,
            disable=None if ctx.progress else True,
            leave=False,
        ) as bar,
    ):
        clock.set(ctx.epoch)
        ctx.results["cases"] = demo_cases(
            village_codes=villages,
            per_village=CASES_PER_VILLAGE[ctx.scale],
            seed=ctx.seed,
            clock=clock,
            progress=bar,
        )
