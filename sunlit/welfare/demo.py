"""Demo welfare register: beneficiary households, their members and payments for every
demo village, and the lists each village published.

Proportions (per village of 280–650 rural households; only beneficiaries are registered):

- 低保 (minimum living allowance): about 4 % of households, 260–720 yuan a month each;
- 特困供养 (extreme-poverty support): about 1 %, one elderly person living alone, 900–1,300 a month;
- 残疾人两项补贴 (disability subsidies): about 2 % of households, one member, 70–150 a month;
- 危房改造 (dilapidated-house renovation): 0–2 one-off grants a year, 15,000–35,000 yuan;
- 临时救助 (temporary assistance): 1–4 a year, 500–5,000 yuan;
- 产业奖补 (industry subsidies): about 5 % of households, once a year, 1,000–5,000 yuan;
- 扶贫小额信贷贴息 (microcredit interest subsidy): about 2 %, each quarter, 300–600 yuan.

Years: 2024–2025 at small scale, 2021–2025 at city scale. Monthly programmes are paid
monthly at small scale; at city scale they are recorded one row per quarter (three
months paid together, dated in the quarter's last month), which keeps the city at about
a quarter of a million payments and the demo well within its time.

A few members die and a few households move out while still being paid (marked
after death / moved out), and each village cadre of the plan declares two close
relatives who receive benefits (their payments marked for review). The payment of a
household whose head applied through a demo case (an approved case of the programme's
item) cites that case; the rest are shown with no authorising case recorded, as records
brought in from before the platform. Every village's lists from 2024 on (the year the
demo's platform starts) are then published through `publish()`: at city scale the lists
of 2021–2023 stay in the register only (8,000 publications would cost the demo a minute
more; 2024–2025 are about 3,300). ID numbers come from `idnumbers.generate` (area 431382) and are stored
sealed, like any other. Deterministic for a seed; a village with households is skipped.
"""

from __future__ import annotations

import random
import sys
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from sunlit.accounts.models import Role, User
from sunlit.audit.services import audit_record
from sunlit.cases.selectors import cases_authorising
from sunlit.finance.publication import insert_rows
from sunlit.lib import idnumbers, names
from sunlit.lib.rooms import DemoContext
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.welfare import programmes as programme_file
from sunlit.welfare import publication
from sunlit.welfare.models import (
    Household,
    Member,
    Payment,
    Programme,
    Relation,
    RelativeDeclaration,
    Status,
)

YEARS = {"small": (2024, 2025), "city": (2021, 2025)}
# The lists published through the log: from 2024, the year the demo's platform starts
# (the demo's cases and memberships begin then); earlier years are in the register only,
# as payments brought in from the paper noticeboards.
PUBLISH_FROM = {"small": 2024, "city": 2024}
AREA = "431382"


@dataclass
class WelfareDemoResult:
    villages: int = 0
    households: int = 0
    members: int = 0
    payments: int = 0
    lists: int = 0
    marked: int = 0
    seconds: float = 0.0


class _Ids:
    """Unique, well-formed ID numbers for one demo run: every village shares the area
    code 431382, so numbers are kept unique across villages (and against the register)."""

    def __init__(self, taken: set[str]) -> None:
        self.rng = random.Random()
        self.used: set[str] = set()
        self.taken = taken  # fingerprints already registered

    def new(self, born: date, female: bool) -> str:
        while True:
            number = idnumbers.generate(self.rng, area=AREA, born=born, female=female)
            if number not in self.used and idnumbers.fingerprint(number) not in self.taken:
                self.used.add(number)
                return number


def _name(rng: random.Random, surname: str | None = None) -> str:
    given = "".join(rng.choice(names.GIVEN) for _ in range(rng.choice((1, 2, 2))))
    return (surname or rng.choice(names.SURNAMES)) + given


def _born(rng: random.Random, low: int, high: int) -> date:
    return date(rng.randint(low, high), 1, 1) + timedelta(days=rng.randrange(365))


@dataclass(slots=True)
class _Pay:
    planned: _Planned
    programme: Programme
    member: Member | None
    period: str
    year: int
    amount: int
    paid_on: date
    channel: str
    case_id: int | None
    after_death: bool
    moved_out: bool
    relative_id: int | None


@dataclass
class _Planned:
    household: Household
    members: list[tuple[Member, str]]  # (member, plain ID number: demo memory only, never stored)
    programmes: list[str]


def _periods(rhythm: str, year: int, quarterly: bool, rng: random.Random) -> list[tuple[str, date, int]]:
    """(period, paid on, months covered) of one year of a programme."""
    if rhythm == "monthly":
        if quarterly:
            return [(f"{year}-Q{q}", date(year, q * 3, rng.randint(5, 20)), 3) for q in range(1, 5)]
        return [(f"{year}-{m:02d}", date(year, m, rng.randint(5, 15)), 1) for m in range(1, 13)]
    if rhythm == "quarterly":
        return [(f"{year}-Q{q}", date(year, q * 3, rng.randint(15, 28)), 1) for q in range(1, 5)]
    month = rng.randint(3, 11)
    return [(str(year), date(year, month, rng.randint(1, 28)), 1)]


def demo_village(
    *,
    village_code: str,
    township: tuple[str, str] | None,
    scale: str,
    seed: int,
    programmes: dict[str, Programme],
    cases: dict[str, list[Any]],
    cadre: Any,
    ids: _Ids,
    result: WelfareDemoResult,
) -> None:
    rng = random.Random(f"{seed}:welfare:{village_code}")
    ids.rng = rng
    first, last = YEARS[scale]
    quarterly = scale == "city"
    size = rng.randint(280, 650)
    want = {
        "dibao": max(2, round(size * rng.uniform(0.03, 0.05))),
        "tekun": max(1, round(size * 0.01)),
        "canji": max(1, round(size * 0.02)),
        "chanye": max(1, round(size * 0.05)),
        "xindai": max(1, round(size * 0.02)),
    }
    now = timezone.now()
    county = codes.county_of(village_code)
    planned: list[_Planned] = []
    number = 0

    def household(*, kind: str, programmes_: list[str]) -> _Planned:
        nonlocal number
        number += 1
        surname = rng.choice(names.SURNAMES)
        h = Household(
            county_code=county,
            village_id=village_code,
            number=f"{number:04d}",
            card_last4=f"{rng.randrange(10_000):04d}",
            created_at=now,
        )
        people: list[tuple[Member, str]] = []

        def person(name: str, relation: str, born: date, female: bool, position: int) -> None:
            plain = ids.new(born, female)
            people.append(
                (
                    Member(
                        name=name,
                        relation=relation,
                        id_fingerprint=idnumbers.fingerprint(plain),
                        id_sealed=idnumbers.seal(plain),
                        id_last4=idnumbers.last4(plain),
                        position=position,
                    ),
                    plain,
                )
            )

        if kind == "alone":  # 特困: one elderly person
            person(_name(rng, surname), Relation.HEAD, _born(rng, 1935, 1955), rng.random() < 0.5, 0)
        else:
            person(_name(rng, surname), Relation.HEAD, _born(rng, 1950, 1980), False, 0)
            if rng.random() < 0.8:
                person(_name(rng), Relation.SPOUSE, _born(rng, 1952, 1982), True, 1)
            for i in range(rng.choice((0, 1, 1, 2, 3))):
                female = rng.random() < 0.5
                person(_name(rng, surname), Relation.CHILD, _born(rng, 1985, 2018), female, 2 + i)
            if rng.random() < 0.2:
                person(_name(rng, surname), Relation.PARENT, _born(rng, 1930, 1950), rng.random() < 0.6, 9)
        p = _Planned(h, people, programmes_)
        planned.append(p)
        return p

    for _ in range(want["dibao"]):
        household(kind="family", programmes_=["dibao"] + (["chanye"] if rng.random() < 0.4 else []))
    for _ in range(want["tekun"]):
        household(kind="alone", programmes_=["tekun"])
    families = [p for p in planned if "dibao" in p.programmes]
    for _ in range(want["canji"]):
        target = rng.choice(families) if families and rng.random() < 0.5 else household(kind="family", programmes_=[])
        if "canji" not in target.programmes:
            target.programmes.append("canji")
    for _ in range(max(0, want["chanye"] - sum("chanye" in p.programmes for p in planned))):
        household(kind="family", programmes_=["chanye"] + (["xindai"] if rng.random() < 0.3 else []))
    for _ in range(max(0, want["xindai"] - sum("xindai" in p.programmes for p in planned))):
        household(kind="family", programmes_=["xindai"])
    one_offs: list[tuple[_Planned, str, int]] = []
    for year in range(first, last + 1):
        for _ in range(rng.choice((0, 1, 1, 2))):
            one_offs.append((household(kind="family", programmes_=[]), "weifang", year))
        for _ in range(rng.randint(1, 4)):
            pool = families if families and rng.random() < 0.5 else None
            target = rng.choice(pool) if pool else household(kind="family", programmes_=[])
            one_offs.append((target, "linshi", year))

    # Applicants of the village's approved cases become the heads of households they
    # authorise (a 低保 case → one 低保 household), so that those payments cite their case.
    authorised: dict[int, dict[str, Any]] = {}
    for code in programmes:
        candidates = [p for p in planned if code in p.programmes or any(o[0] is p and o[1] == code for o in one_offs)]
        for case in cases.get(code, []):
            if not candidates or not case.applicant_name:
                continue
            target = candidates.pop(0)
            head = target.members[0][0]
            head.name = case.applicant_name
            authorised.setdefault(id(target), {})[code] = case

    # Deaths and moves: a few, some still paid afterwards.
    deaths: dict[int, date] = {}
    for p in rng.sample(planned, k=min(len(planned), max(1, len(planned) // 25))):
        member = p.members[-1][0]
        member.status, member.status_on = Status.DECEASED, date(last, rng.randint(1, 10), rng.randint(1, 28))
        deaths[id(p)] = member.status_on
    for p in rng.sample(planned, k=min(len(planned), 1 if len(planned) < 40 else 2)):
        p.household.status, p.household.status_on = Status.MOVED_OUT, date(last, rng.randint(4, 10), 1)

    Household.objects.bulk_create([p.household for p in planned])
    members: list[Member] = []
    for p in planned:
        for m, _plain in p.members:
            m.household = p.household
            members.append(m)
    Member.objects.bulk_create(members, batch_size=1000)

    # The cadre's declared relatives: two beneficiaries of the village.
    relatives: dict[str, RelativeDeclaration] = {}
    if cadre is not None and planned:
        declared = []
        for p in rng.sample(planned, k=min(2, len(planned))):
            m, plain = p.members[0]
            declared.append(
                RelativeDeclaration(
                    cadre=cadre,
                    village_id=village_code,
                    name=m.name,
                    relation=rng.choice(("堂兄", "舅舅", "姐夫", "侄子")),
                    id_fingerprint=m.id_fingerprint,
                    id_sealed=idnumbers.seal(plain),
                    id_last4=m.id_last4,
                    declared_at=now,
                )
            )
        RelativeDeclaration.objects.bulk_create(declared)
        relatives = {d.id_fingerprint: d for d in declared}

    payments: list[_Pay] = []

    def pay(p: _Planned, code: str, period: str, paid_on: date, amount: int, member: Member | None) -> None:
        h = p.household
        who = member or p.members[0][0]
        after_death = who.status == Status.DECEASED and who.status_on is not None and paid_on > who.status_on
        moved = h.status == Status.MOVED_OUT and h.status_on is not None and paid_on > h.status_on
        # Payments stop a month or two after a death or a move (the marked ones), not never.
        stop = (who.status_on if who.status != Status.ACTIVE else None) or h.status_on
        if stop is not None and paid_on > stop + timedelta(days=75):
            return
        relative = None
        if relatives:
            reach = [member.id_fingerprint] if member else [m.id_fingerprint for m, _ in p.members]
            relative = next((relatives[f] for f in reach if f in relatives), None)
        case = authorised.get(id(p), {}).get(code)
        payments.append(
            _Pay(
                p,
                programmes[code],
                member,
                period,
                int(period[:4]),
                amount,
                paid_on,
                "card" if code != "weifang" else "bank",
                case.pk if case else None,
                after_death,
                moved,
                relative.pk if relative else None,
            )
        )

    for p in planned:
        base = {
            "dibao": rng.randint(26, 72) * 1000,
            "tekun": rng.randint(90, 130) * 1000,
            "canji": rng.randint(7, 15) * 1000,
            "chanye": rng.randint(10, 50) * 10_000,
            "xindai": rng.randint(30, 60) * 1000,
        }
        canji_member = p.members[-1][0]
        for code in p.programmes:
            start = rng.randint(first, last) if code in ("dibao", "canji") and rng.random() < 0.3 else first
            for year in range(start, last + 1):
                for period, paid_on, months in _periods(programmes[code].rhythm, year, quarterly, rng):
                    paid_to: Member | None = (
                        canji_member if code == "canji" else (p.members[0][0] if code == "tekun" else None)
                    )
                    pay(p, code, period, paid_on, base[code] * months, paid_to)
    for p, code, year in one_offs:
        amount = rng.randint(15, 35) * 100_000 if code == "weifang" else rng.randint(5, 50) * 10_000
        period = str(year) if code == "weifang" else f"{year}-{rng.randint(1, 12):02d}"
        paid = date(year, int(period[5:]) if len(period) > 4 else rng.randint(4, 11), rng.randint(1, 28))
        if not any(x.planned is p and x.programme.code == code and x.period == period for x in payments):
            pay(p, code, period, paid, amount, None)
    _insert_payments(county, village_code, payments)
    result.lists += _publish(village_code, township, planned, payments, programmes, publish_from=PUBLISH_FROM[scale])
    result.households += len(planned)
    result.members += len(members)
    result.payments += len(payments)
    result.marked += sum(1 for x in payments if x.after_death or x.moved_out or x.relative_id is not None)
    audit_record(
        action="welfare.demo_seed",
        by=None,
        region_code=village_code,
        detail={"households": len(planned), "members": len(members), "payments": len(payments)},
    )


PAYMENT_COLUMNS = (
    "county_code",
    "village_code",
    "programme_id",
    "household_id",
    "member_id",
    "period",
    "year",
    "amount_fen",
    "paid_on",
    "channel",
    "case_id",
    "after_death",
    "moved_out",
    "relative_id",
    "recorded_at",
)


def _insert_payments(county: str, village_code: str, payments: list[_Pay]) -> None:
    """Many rows in few statements (COPY on PostgreSQL): a city has a quarter of a million."""

    at = connection.ops.adapt_datetimefield_value(timezone.now())
    insert_rows(
        Payment._meta.db_table,
        PAYMENT_COLUMNS,
        [
            (
                county,
                village_code,
                p.programme.pk,
                p.planned.household.pk,
                p.member.pk if p.member else None,
                p.period,
                p.year,
                p.amount,
                p.paid_on.isoformat(),
                p.channel,
                p.case_id,
                p.after_death,
                p.moved_out,
                p.relative_id,
                at,
            )
            for p in payments
        ],
    )


def _publish(
    village_code: str,
    township: tuple[str, str] | None,
    planned: list[_Planned],
    payments: list[_Pay],
    programmes: dict[str, Programme],
    *,
    publish_from: int,
) -> int:
    """Publish the village's lists from `publish_from` on, built from the payments just
    made (the same snapshot `list_publish` would read back), through the one `publish()`;
    their aggregate rows are derived from those snapshots by the room's derive function."""

    village_name = Region.objects.filter(code=village_code).values_list("name", flat=True).first() or ""
    by_list: dict[tuple[str, int], list[publication.ListRow]] = {}
    for x in payments:
        if x.year < publish_from:
            continue
        h = x.planned.household
        by_list.setdefault((x.programme.code, x.year), []).append(
            publication.ListRow(
                household=h.number,
                position=x.member.position if x.member else -1,
                name=x.member.name if x.member else x.planned.members[0][0].name,
                period=x.period,
                amount=x.amount,
                paid_on=x.paid_on.isoformat(),
            )
        )
    published = []
    for (code, year), list_rows in sorted(by_list.items()):
        snapshot = publication.build_snapshot(
            village=(village_code, village_name),
            township=township,
            programme=programmes[code],
            year=year,
            rows=list_rows,
        )
        entry = publication.publish_snapshot(
            village_code=village_code, ref=publication.ref(village_code, code, year), snapshot=snapshot, by=None
        )
        published.append((entry, snapshot))
    # The room's one derive function, in one insert: these lists are published for the
    # first time.
    return len(publication.derive_batch(published, fresh=True))


def demo_welfare(
    *, village_codes: list[str], scale: str, seed: int, cadres: dict[str, Any], bar: Any = None
) -> WelfareDemoResult:
    started = time.monotonic()
    result = WelfareDemoResult()
    programmes = {p.code: p for p in Programme.objects.filter(active=True)}
    if not programmes:
        return result
    done = set(Household.objects.filter(village_id__in=village_codes).values_list("village_id", flat=True))
    # Village → programme → the approved cases that may authorise its payments (the power
    # list's `authorises:` says which items do).
    cases: dict[str, dict[str, list[Any]]] = {}
    for programme_code in programmes:
        for case in (
            cases_authorising(purpose=programme_file.purpose(programme_code), village_codes=village_codes)
            .exclude(applicant_name="")
            .select_related("item")
            .order_by("number")
        ):
            cases.setdefault(case.village_id, {}).setdefault(programme_code, []).append(case)
    ids = _Ids(set(Member.objects.values_list("id_fingerprint", flat=True)))

    townships = {
        code: (parent, name)
        for code, parent, name in Region.objects.filter(code__in=village_codes).values_list(
            "code", "parent__code", "parent__name"
        )
        if parent
    }
    for code in village_codes:
        if code in done:
            if bar is not None:
                bar.update(1)
            continue
        with transaction.atomic():
            demo_village(
                village_code=code,
                township=townships.get(code),
                scale=scale,
                seed=seed,
                programmes=programmes,
                cases=cases.get(code, {}),
                cadre=cadres.get(code),
                ids=ids,
                result=result,
            )
        result.villages += 1
        if bar is not None:
            bar.update(1)
    result.seconds = time.monotonic() - started
    return result


def seed(ctx: DemoContext) -> None:
    """The welfare part of `sunlit demo` (the room manifest's demo seeder)."""

    villages = [v.code for t in ctx.plan.townships for v in t.villages if not v.is_community]
    usernames = {a.username: a.region_code for t in ctx.plan.townships for a in t.accounts if a.role == Role.CADRE}
    cadres = {usernames[u.username]: u for u in User.objects.filter(username__in=list(usernames))}
    with tqdm(
        total=len(villages),
        desc="demo welfare",
        unit="village",
        file=sys.stderr,
        disable=None if ctx.progress else True,
        leave=False,
    ) as bar:
        result = demo_welfare(village_codes=villages, scale=ctx.scale, seed=ctx.seed, cadres=cadres, bar=bar)
    if result.villages:
        sys.stderr.write(
            f"Demo welfare: {result.villages} village(s), {result.households} households, {result.members} members, "
            f"{result.payments} payments ({result.marked} marked), {result.lists} lists published, "
            f"in {result.seconds:.0f} s.\n"
        )
    ctx.results["welfare"] = result
