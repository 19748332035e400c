"""Deterministic synthetic data: Lianyuan's region tree and one account per role.

`demo_plan` is pure: the same scale and seed give the same regions, names and accounts,
with no database, clock or global random state involved. `demo_seed` applies a plan
through the ordinary services (so every row has its audit event and every profile is
published through the one publication log), skipping whatever already exists by code or
username: running it twice creates nothing the second time.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import random
import sys
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from tqdm import tqdm

from sunlit.accounts.models import Membership, Role, User
from sunlit.accounts.services import membership_grant, recovery_codes_regenerate, user_create
from sunlit.audit.services import audit_record
from sunlit.lib import names, rooms
from sunlit.lib.clock import simulated_clock
from sunlit.lib.errors import ApplicationError
from sunlit.lib.rooms import DemoContext
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.regions.services import region_create, region_publish_profile
from sunlit.transparency.services import root_sign

SMALL, CITY = "small", "city"
SCALES = (SMALL, CITY)
# Where the demo's history starts (memberships start 2024-01-01).
DEMO_EPOCH = datetime(2024, 1, 1, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DEFAULT_SEED = 2017  # the year Lianyuan's platform started
DEFAULT_PASSWORD = "sunlit-demo-2026"  # noqa: S105 (printed to the user on purpose)
# Memberships start on a fixed day so that a seed gives the same data on any date.
MEMBERSHIP_START = date(2024, 1, 1)
CITY_VILLAGES = 250
CITY_PER_TOWNSHIP = (8, 18)

# Usernames are role + the region's significant code prefix, so that tests and guides can
# name any demo account without reading the table: cadre-431382101201, township-431382101.
ROLE_SLUG = {
    Role.CADRE: "cadre",
    Role.SUPERVISOR: "supervisor",
    Role.TOWNSHIP_OFFICIAL: "township",
    Role.INSPECTOR: "inspector",
    Role.OPERATOR: "operator",
    Role.ADMIN: "admin",
}
ROLE_ZH = {
    Role.CADRE: "村干部",
    Role.SUPERVISOR: "村务监督委员会",
    Role.TOWNSHIP_OFFICIAL: "乡镇干部",
    Role.INSPECTOR: "纪检监察",
    Role.OPERATOR: "指挥中心",
    Role.ADMIN: "管理员",
}
CADRE_TITLES = ("书记", "主任", "会计")


@dataclass(frozen=True)
class PlannedRegion:
    code: str
    name: str
    is_community: bool = False
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class PlannedAccount:
    username: str
    full_name: str
    role: str
    region_code: str
    title: str


@dataclass(frozen=True)
class PlannedTownship:
    township: PlannedRegion
    villages: tuple[PlannedRegion, ...]
    accounts: tuple[PlannedAccount, ...]


@dataclass(frozen=True)
class DemoPlan:
    scale: str
    seed: int
    top: tuple[PlannedRegion, ...]  # province, prefecture, county
    townships: tuple[PlannedTownship, ...]
    county_accounts: tuple[PlannedAccount, ...]

    def regions(self) -> Iterator[PlannedRegion]:
        yield from self.top
        for t in self.townships:
            yield t.township
            yield from t.villages

    def accounts(self) -> Iterator[PlannedAccount]:
        # The county's first: the administrator is whom a newcomer logs in as.
        yield from self.county_accounts
        for t in self.townships:
            yield from t.accounts


@dataclass
class DemoAccount:
    role: str
    username: str
    full_name: str
    title: str
    region_code: str
    region_name: str
    password: str | None  # None: the account existed before with another password
    totp_secret: str = ""
    recovery_codes: list[str] = field(default_factory=list)


@dataclass
class DemoResult:
    scale: str
    seed: int
    regions_created: int = 0
    users_created: int = 0
    published: int = 0
    root_signed: bool = False
    cases_opened: int = 0
    case_actions: int = 0
    accounts: list[DemoAccount] = field(default_factory=list)


# --- the plan (pure) ----------------------------------------------------------------------


def _rng(seed: int, purpose: str) -> random.Random:
    # One generator per purpose and township: a township's villages do not depend on how
    # many townships came before it, so the small scale's villages are the city's first.
    return random.Random(f"sunlit-demo:{seed}:{purpose}")


def _phone(rng: random.Random) -> str:
    return f"0738-4{rng.randrange(1_000_000):06d}"


def _village_name(rng: random.Random, taken: set[str]) -> str:
    while True:
        first, second = rng.choice(names.VILLAGE_FIRST), rng.choice(names.VILLAGE_SECOND)
        name = f"{first}{second}村"
        if first != second and name not in taken:
            taken.add(name)
            return name


def _township_units(
    seed: int, code: str, name: str, *, villages: int, communities: int
) -> tuple[PlannedRegion, tuple[PlannedRegion, ...]]:
    rng = _rng(seed, code)
    prefix = code[:9]
    office = "办事处" if name.endswith("街道") else "人民政府"
    township = PlannedRegion(code=code, name=name, phone=_phone(rng), address=f"湖南省涟源市{name}{office}")
    units = []
    taken: set[str] = set()
    # Each village draws its name, phone and address in turn, so the first villages are
    # the same whatever the count.
    for i in range(1, villages + 1):
        vname = _village_name(rng, taken)
        units.append(
            PlannedRegion(
                code=f"{prefix}{200 + i:03d}",
                name=vname,
                phone=_phone(rng),
                address=f"涟源市{name}{vname}{rng.randint(1, 12)}组 村级综合服务平台",
            )
        )
    for i, cname in enumerate(rng.sample(names.COMMUNITY_NAMES, communities), start=1):
        units.append(
            PlannedRegion(
                code=f"{prefix}{i:03d}",
                name=f"{cname}社区",
                is_community=True,
                phone=_phone(rng),
                address=f"涟源市{name}{rng.choice(names.ROADS)}{rng.randint(1, 300)}号 社区服务中心",
            )
        )
    return township, tuple(sorted(units, key=lambda r: r.code))


def _city_sizes(seed: int, count: int) -> list[int]:
    """`count` townships of 8–18 villages each, summing to exactly 250, unevenly."""
    rng = _rng(seed, "sizes")
    low, high = CITY_PER_TOWNSHIP
    sizes = [low] * count
    for _ in range(CITY_VILLAGES - low * count):
        sizes[rng.choice([i for i, s in enumerate(sizes) if s < high])] += 1
    return sizes


class _People:
    """Full names, unique within one demo, from the surname and given-name lists."""

    def __init__(self, seed: int) -> None:
        self.rng = _rng(seed, "people")
        self.used: set[str] = set()

    def name(self) -> str:
        while True:
            given = "".join(self.rng.choice(names.GIVEN) for _ in range(self.rng.choice((1, 2, 2))))
            full = self.rng.choice(names.SURNAMES) + given
            if full not in self.used:
                self.used.add(full)
                return full


def _account(people: _People, role: str, code: str, title: str) -> PlannedAccount:
    username = f"{ROLE_SLUG[Role(role)]}-{codes.prefix_of(code)}"
    return PlannedAccount(username=username, full_name=people.name(), role=role, region_code=code, title=title)


def demo_plan(*, scale: str, seed: int) -> DemoPlan:
    if scale not in SCALES:
        raise ApplicationError(f"Unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    county_code = names.COUNTY[0]
    rng = _rng(seed, "county")
    top = (
        PlannedRegion(*names.PROVINCE),
        PlannedRegion(*names.PREFECTURE),
        PlannedRegion(*names.COUNTY, phone=_phone(rng), address="湖南省涟源市人民政府"),
    )
    people = _People(seed)
    if scale == SMALL:
        chosen = [t for t in names.TOWNSHIPS if t[0].startswith("1")][:2]
        sizes, communities = [3] * len(chosen), [0] * len(chosen)
    else:
        chosen = list(names.TOWNSHIPS)
        sizes = _city_sizes(seed, len(chosen))
        # 街道 are urban: several 社区; a few towns have one around the town seat.
        towns = [i for i, (c, _) in enumerate(chosen) if c.startswith("1")]
        seats = set(rng.sample(towns, 3))
        communities = [rng.randint(4, 6) if c < "100" else (1 if i in seats else 0) for i, (c, _) in enumerate(chosen)]

    townships = []
    for index, ((suffix, name), size, community_count) in enumerate(zip(chosen, sizes, communities, strict=True)):
        code = f"{county_code[:6]}{suffix}000"
        township, units = _township_units(
            seed, code, name, villages=size - community_count, communities=community_count
        )
        first = min(u.code for u in units)
        accounts = [_account(people, Role.CADRE, first, CADRE_TITLES[index % 3])]
        if scale == CITY or index == 0:
            accounts += [
                _account(people, Role.SUPERVISOR, first, "监委会主任"),
                _account(people, Role.TOWNSHIP_OFFICIAL, code, "经管站站长"),
                _account(people, Role.INSPECTOR, code, "纪委书记"),
            ]
        if scale == CITY:
            accounts.append(_account(people, Role.OPERATOR, code, "综治中心联络员"))
        townships.append(PlannedTownship(township, units, tuple(accounts)))

    county_accounts = [_account(people, Role.ADMIN, county_code, "系统管理员")]
    if scale == CITY:
        county_accounts.append(_account(people, Role.INSPECTOR, county_code, "纪委监委干部"))
    county_accounts.append(_account(people, Role.OPERATOR, county_code, "指挥中心值班员"))
    # County-level steps of the list (低保 approval by the civil-affairs bureau …) are taken
    # by an official whose membership is held at the county. Drawn last: the names drawn
    # before stay the same for a seed.
    county_accounts.append(_account(people, Role.TOWNSHIP_OFFICIAL, county_code, "民政局社会救助股股长"))
    return DemoPlan(scale=scale, seed=seed, top=top, townships=tuple(townships), county_accounts=tuple(county_accounts))


def totp_key(seed: int, username: str) -> str:
    """The demo's TOTP key for an account: 20 bytes, hex, derived so anyone can recompute it.

    That is the point (the demo table and the browser tests compute codes from it) and
    why the demo refuses to run in production.
    """
    return hmac.new(b"sunlit-demo-totp", f"{seed}:{username}".encode(), hashlib.sha256).digest()[:20].hex()


def totp_secret(hex_key: str) -> str:
    """The base32 form that authenticator apps (and oathtool -b) take."""
    return base64.b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")


# --- applying a plan ----------------------------------------------------------------------


def demo_seed(
    *,
    scale: str,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    progress: bool = True,
) -> DemoResult:
    if settings.PRODUCTION:
        # Every demo password and TOTP key is public: such accounts must never exist
        # on a real deployment.
        raise ApplicationError("The demo refuses to run with SUNLIT_PRODUCTION=True.")
    plan = demo_plan(scale=scale, seed=seed)
    result = DemoResult(scale=scale, seed=seed)
    # Hashed once (argon2 is deliberately slow) and given to every new account below.
    hashed = make_password(password)
    otp_roles = set(settings.SUNLIT_OTP_REQUIRED_ROLES)

    existing_regions = set(
        Region.objects.filter(code__in=[r.code for r in plan.regions()]).values_list("code", flat=True)
    )
    existing_users = set(
        User.objects.filter(username__in=[a.username for a in plan.accounts()]).values_list("username", flat=True)
    )

    def make_regions(planned: tuple[PlannedRegion, ...], *, publish: bool) -> None:
        for r in planned:
            if r.code in existing_regions:
                continue
            region = region_create(
                code=r.code, name=r.name, phone=r.phone, address=r.address, is_community=r.is_community, by=None
            )
            result.regions_created += 1
            if publish:
                region_publish_profile(region=region, by=None)
                result.published += 1

    def make_accounts(planned: tuple[PlannedAccount, ...]) -> None:
        created = []
        for a in planned:
            if a.username in existing_users:
                user = User.objects.get(username=a.username)
            else:
                # No password here: one bulk update below instead of one argon2 per user.
                user = user_create(
                    username=a.username, full_name=a.full_name, password=None, must_change_password=False, by=None
                )
                created.append(user.pk)
            held = Membership.objects.filter(user=user, role=a.role, region_id=a.region_code)
            if not held.exists():
                membership_grant(
                    user=user,
                    role=a.role,
                    region_code=a.region_code,
                    starts_on=MEMBERSHIP_START,
                    title=a.title,
                    by=None,
                )
            if a.role in otp_roles:
                _second_factor(user, seed)
        if created:
            User.objects.filter(pk__in=created).update(password=hashed)
            for pk in created:
                audit_record(
                    action="user.password_set",
                    by=None,
                    object_type="accounts.user",
                    object_id=str(pk),
                    detail={"demo": True},
                )
        result.users_created += len(created)

    with simulated_clock() as clock:
        # The region tree and the list exist from the start of the demo's history, so each
        # village's public record reads forward in time.
        clock.set(DEMO_EPOCH)
        top_regions = plan.top
        total = sum(1 + len(t.villages) for t in plan.townships) + len(top_regions)
        with tqdm(
            total=total,
            desc=f"demo {scale}",
            unit="region",
            file=sys.stderr,
            disable=None if progress else True,
            leave=False,
        ) as bar:
            with transaction.atomic():
                make_regions(top_regions[:2], publish=False)
                # The county is the deployment's top: its profile heads the portal.
                make_regions(top_regions[2:], publish=True)
                make_accounts(plan.county_accounts)
            bar.update(len(top_regions))
            for t in plan.townships:
                with transaction.atomic():  # one per township: a crash leaves whole townships
                    make_regions((t.township, *t.villages), publish=True)
                    make_accounts(t.accounts)
                bar.update(1 + len(t.villages))

    # Then every room's data, dependencies first (each room's manifest names its seeder):
    # the power list, the cases on the simulated clock, the books published month by month,
    # projects, benefits … each stamped so that every village's record reads forward in time.
    ctx = DemoContext(plan=plan, scale=scale, seed=seed, progress=progress, epoch=DEMO_EPOCH)
    for _room, seeder in rooms.demo_seeders():
        seeder(ctx)
    cases = ctx.results.get("cases")
    result.cases_opened = cases.opened if cases else 0
    result.case_actions = cases.actions if cases else 0

    if result.regions_created or result.users_created:
        audit_record(
            action="demo.seed",
            by=None,
            detail={
                "scale": scale,
                "seed": seed,
                "regions_created": result.regions_created,
                "users_created": result.users_created,
            },
        )
    if result.published or result.cases_opened:
        root_sign(by=None)
        result.root_signed = True

    result.accounts = _accounts_report(plan, password, existing_users, otp_roles)
    return result


def _second_factor(user: User, seed: int) -> None:
    """A confirmed authenticator with the demo's derivable key, and recovery codes."""
    if not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        device = TOTPDevice.objects.create(
            user=user, name="demo authenticator", confirmed=True, key=totp_key(seed, user.username)
        )
        audit_record(action="otp.totp_confirm", by=None, obj=device, detail={"demo": True})
    if not StaticToken.objects.filter(device__user=user).exists():
        recovery_codes_regenerate(user=user)


def _accounts_report(plan: DemoPlan, password: str, existing: set[str], otp_roles: set[str]) -> list[DemoAccount]:
    planned = list(plan.accounts())
    users = {u.username: u for u in User.objects.filter(username__in=[a.username for a in planned])}
    regions = dict(Region.objects.filter(code__in={a.region_code for a in planned}).values_list("code", "name"))
    # Villages are shown with their township: "六亩塘镇 石门村" (names repeat across townships).
    township_names = dict(
        Region.objects.filter(
            code__in={
                codes.parent_code(a.region_code) for a in planned if codes.level_of(a.region_code) == codes.VILLAGE
            }
        ).values_list("code", "name")
    )
    devices = {
        d.user_id: d.key for d in TOTPDevice.objects.filter(user__in=users.values(), confirmed=True).order_by("id")
    }
    recovery: dict[int, list[str]] = {}
    for user_id, token in (
        StaticToken.objects.filter(device__user__in=users.values())
        .order_by("id")
        .values_list("device__user_id", "token")
    ):
        recovery.setdefault(user_id, []).append(token)

    # Accounts made by an earlier run keep their password: say so if it was another one.
    # Demo accounts share one hash, so this is one check, not one per account.
    verdicts: dict[str, bool] = {}
    report = []
    for a in planned:
        user = users[a.username]
        known: str | None = password
        if a.username in existing:
            if user.password not in verdicts:
                verdicts[user.password] = check_password(password, user.password)
            known = password if verdicts[user.password] else None
        parent = codes.parent_code(a.region_code) or ""
        region_name = regions.get(a.region_code, "")
        if parent in township_names:
            region_name = f"{township_names[parent]} {region_name}"
        needs_otp = a.role in otp_roles
        report.append(
            DemoAccount(
                role=a.role,
                username=a.username,
                full_name=user.full_name,
                title=a.title,
                region_code=a.region_code,
                region_name=region_name,
                password=known,
                totp_secret=totp_secret(devices[user.pk]) if needs_otp and user.pk in devices else "",
                recovery_codes=recovery.get(user.pk, []) if needs_otp else [],
            )
        )
    return report


# --- the table shown by `make run` ------------------------------------------------------


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def demo_accounts_table(result: DemoResult, *, with_recovery_codes: bool | None = None) -> str:
    """The demo accounts as a plain-text table (CJK-aware column widths)."""
    if with_recovery_codes is None:
        with_recovery_codes = result.scale == SMALL
    header = ("role", "角色", "username", "name", "title", "region", "password", "TOTP secret")
    rows = [
        (
            a.role,
            ROLE_ZH.get(Role(a.role), ""),
            a.username,
            a.full_name,
            a.title,
            f"{a.region_name} ({a.region_code})",
            a.password or "(unchanged)",
            a.totp_secret or "-",
        )
        for a in result.accounts
    ]
    widths = [max(_width(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = [
        f"Sunlit demo accounts (scale {result.scale}, seed {result.seed})",
        "",
        "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines += [
        "",
        "Township officials, inspectors, operators and administrators need a second factor:",
        "add the TOTP secret to an authenticator app, or run: oathtool --totp -b SECRET",
    ]
    if with_recovery_codes:
        lines += ["", "Recovery codes (each works once instead of a TOTP code):"]
        lines += [f"  {a.username}: {' '.join(a.recovery_codes)}" for a in result.accounts if a.recovery_codes]
    return "\n".join(lines) + "\n"
