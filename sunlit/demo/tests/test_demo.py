"""The demo: deterministic for a seed, idempotent, one account per role. Small scale only."""

from __future__ import annotations

import base64
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django.db import transaction
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.audit.models import AuditEvent
from sunlit.demo.services import (
    CITY,
    SMALL,
    DemoAccount,
    DemoResult,
    _width,
    demo_accounts_table,
    demo_plan,
    demo_seed,
    totp_key,
    totp_secret,
)
from sunlit.lib.errors import ApplicationError
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.models import Entry, SignedRoot

MODELS = (Region, User, Membership, TOTPDevice, StaticToken, Entry, SignedRoot, AuditEvent)


class Rollback(Exception):
    pass


def _snapshot() -> tuple[list[tuple[str, str, bool, str, str]], list[tuple[str, str]], list[str]]:
    regions = list(Region.objects.order_by("code").values_list("code", "name", "is_community", "phone", "address"))
    users = list(User.objects.order_by("username").values_list("username", "full_name"))
    keys = list(TOTPDevice.objects.order_by("user__username").values_list("key", flat=True))
    return regions, users, keys


class TestPlan:
    def test_it_is_the_same_for_the_same_seed(self) -> None:
        assert demo_plan(scale=CITY, seed=7) == demo_plan(scale=CITY, seed=7)

    def test_it_differs_in_names_for_another_seed(self) -> None:
        one, other = demo_plan(scale=SMALL, seed=1), demo_plan(scale=SMALL, seed=2)
        assert [r.code for r in one.regions()] == [r.code for r in other.regions()]
        assert [r.name for r in one.regions()] != [r.name for r in other.regions()]
        assert [a.full_name for a in one.accounts()] != [a.full_name for a in other.accounts()]

    def test_it_plans_lianyuan_at_city_scale(self) -> None:
        plan = demo_plan(scale=CITY, seed=1)
        assert [r.name for r in plan.top] == ["湖南省", "娄底市", "涟源市"]
        assert plan.top[2].code == "431382000000"
        assert len(plan.townships) == 20
        sizes = [len(t.villages) for t in plan.townships]
        assert sum(sizes) == 250
        assert min(sizes) >= 8 and max(sizes) <= 18 and len(set(sizes)) > 3
        villages = [v for t in plan.townships for v in t.villages]
        assert 3 <= sum(v.is_community for v in villages) <= 15
        for t in plan.townships:
            names = [v.name for v in t.villages]
            assert len(set(names)) == len(names)
            for v in t.villages:
                assert codes.parent_code(v.code) == t.township.code
                assert v.code[9] == ("0" if v.is_community else "2")
                assert v.phone.startswith("0738-4") and len(v.phone) == 12
                assert v.address
        kinds = {t.township.code[6] for t in plan.townships}
        assert kinds == {"0", "1", "2"}  # 街道, 镇, 乡

    def test_it_plans_one_account_per_role_per_township_at_city_scale(self) -> None:
        plan = demo_plan(scale=CITY, seed=1)
        for t in plan.townships:
            assert sorted(a.role for a in t.accounts) == sorted(
                [Role.CADRE, Role.SUPERVISOR, Role.TOWNSHIP_OFFICIAL, Role.INSPECTOR, Role.OPERATOR]
            )
        # The county official takes county-level steps (低保 approval …).
        assert {a.role for a in plan.county_accounts} == {
            Role.ADMIN,
            Role.INSPECTOR,
            Role.OPERATOR,
            Role.TOWNSHIP_OFFICIAL,
        }
        usernames = [a.username for a in plan.accounts()]
        assert len(usernames) == len(set(usernames)) == 104

    def test_it_starts_the_city_with_the_small_scale_villages(self) -> None:
        # A city seeded over a small demo (same seed) agrees with what is already there.
        small, city = demo_plan(scale=SMALL, seed=3), demo_plan(scale=CITY, seed=3)
        city_villages = {v.code: v for t in city.townships for v in t.villages}
        for t in small.townships:
            for v in t.villages:
                assert city_villages[v.code] == v

    def test_it_refuses_an_unknown_scale(self) -> None:
        with pytest.raises(ApplicationError):
            demo_plan(scale="nation", seed=1)


@pytest.mark.django_db
class TestSeed:
    def test_it_creates_the_small_tree(self) -> None:
        result = demo_seed(scale=SMALL, seed=1, progress=False)
        assert result.regions_created == 3 + 2 + 6
        assert Region.objects.filter(level=codes.TOWNSHIP).count() == 2
        assert Region.objects.filter(level=codes.VILLAGE).count() == 6
        assert Region.objects.get(code="431382101000").name == "六亩塘镇"
        assert Region.objects.get(code="431382102000").name == "石马山镇"

    def test_it_gives_the_same_data_for_the_same_seed(self) -> None:
        try:
            with transaction.atomic():
                demo_seed(scale=SMALL, seed=5, progress=False)
                first = _snapshot()
                raise Rollback
        except Rollback:
            pass
        assert not Region.objects.exists()
        demo_seed(scale=SMALL, seed=5, progress=False)
        assert _snapshot() == first

    def test_it_creates_nothing_the_second_time(self) -> None:
        demo_seed(scale=SMALL, seed=1, progress=False)
        counts = [m.objects.count() for m in MODELS]
        again = demo_seed(scale=SMALL, seed=1, progress=False)
        assert (again.regions_created, again.users_created, again.published) == (0, 0, 0)
        assert not again.root_signed
        assert [m.objects.count() for m in MODELS] == counts
        # The second run still reports the accounts, recovery codes included.
        assert [a.recovery_codes for a in again.accounts if a.totp_secret]
        assert all(a.password == "sunlit-demo-2026" for a in again.accounts)

    def test_it_creates_one_account_per_role(self) -> None:
        result = demo_seed(scale=SMALL, seed=1, progress=False)
        assert {a.role for a in result.accounts} == set(Role.values)
        by_name = {a.username: a for a in result.accounts}
        assert set(by_name) == {
            "cadre-431382101201",
            "cadre-431382102201",
            "supervisor-431382101201",
            "township-431382101",
            "inspector-431382101",
            "operator-431382",
            "admin-431382",
            "township-431382",
        }
        cadre_a, cadre_b = (User.objects.get(username=u) for u in ("cadre-431382101201", "cadre-431382102201"))
        assert jurisdiction.can(cadre_a, "record.create", "431382101201")
        assert not jurisdiction.can(cadre_a, "record.create", "431382102201")
        assert jurisdiction.can(cadre_b, "record.create", "431382102201")
        membership = Membership.objects.get(user=cadre_a)
        assert membership.title == "书记" and str(membership.starts_on) == "2024-01-01"

    def test_it_shares_one_password_and_forces_no_change(self) -> None:
        demo_seed(scale=SMALL, seed=1, password="another-demo-pass", progress=False)
        hashes = set(User.objects.values_list("password", flat=True))
        assert len(hashes) == 1
        assert check_password("another-demo-pass", hashes.pop())
        assert not User.objects.filter(must_change_password=True).exists()

    def test_it_gives_officials_a_computable_second_factor(self) -> None:
        result = demo_seed(scale=SMALL, seed=1, progress=False)
        with_otp = {a.username for a in result.accounts if a.totp_secret}
        assert with_otp == {
            "township-431382101",
            "inspector-431382101",
            "operator-431382",
            "admin-431382",
            "township-431382",
        }
        official = User.objects.get(username="township-431382101")
        device = TOTPDevice.objects.get(user=official, confirmed=True)
        assert device.key == totp_key(1, official.username)
        secret = next(a.totp_secret for a in result.accounts if a.username == official.username)
        assert secret == totp_secret(device.key)
        assert device.verify_token(f"{totp(bytes.fromhex(device.key)):06d}")
        assert not TOTPDevice.objects.filter(user__username="cadre-431382101201").exists()

    def test_it_lets_a_demo_official_into_the_office_with_the_printed_secrets(self, client: Client) -> None:
        result = demo_seed(scale=SMALL, seed=1, progress=False)
        admin = next(a for a in result.accounts if a.role == Role.ADMIN)
        response = client.post("/accounts/login/", {"username": admin.username, "password": admin.password})
        assert response.status_code == 302
        assert client.get("/office/").status_code == 302  # second factor first
        key = base64.b32decode(admin.totp_secret + "=" * (-len(admin.totp_secret) % 8))
        client.post("/accounts/otp/", {"token": f"{totp(key):06d}"})
        assert client.get("/office/").status_code == 200

    def test_it_publishes_every_profile_and_signs_a_root(self) -> None:
        result = demo_seed(scale=SMALL, seed=1, progress=False)
        published = set(Entry.objects.filter(kind="region.profile").values_list("ref", flat=True))
        assert published == set(
            Region.objects.filter(level__in=[codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE]).values_list(
                "code", flat=True
            )
        )
        assert result.published == len(published) == 9
        assert result.root_signed and SignedRoot.objects.exists()

    def test_it_refuses_to_run_in_production(self) -> None:
        with override_settings(PRODUCTION=True), pytest.raises(ApplicationError):
            demo_seed(scale=SMALL, seed=1, progress=False)
        assert not Region.objects.exists()


@pytest.mark.django_db
class TestCommand:
    def test_it_prints_and_writes_the_accounts(self, settings: object, tmp_path: Path) -> None:
        settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
        out = StringIO()
        call_command("demo", "--scale", "small", "--seed", "1", "--no-progress", stdout=out)
        text = (tmp_path / "demo-accounts.txt").read_text(encoding="utf-8")
        assert text in out.getvalue()
        assert "cadre-431382101201" in text and "sunlit-demo-2026" in text
        assert "Recovery codes" in text
        assert (tmp_path / "demo-accounts.txt").stat().st_mode & 0o077 == 0

    def test_it_does_nothing_if_not_empty(self, settings: object, tmp_path: Path) -> None:
        settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
        demo_seed(scale=SMALL, seed=1, progress=False)
        out = StringIO()
        call_command("demo", "--scale", "city", "--if-empty", stdout=out)
        assert "database already has data" in out.getvalue()
        assert Region.objects.count() == 11
        assert not (tmp_path / "demo-accounts.txt").exists()


def test_it_aligns_the_table_for_chinese_names() -> None:
    result = DemoResult(
        scale=SMALL,
        seed=1,
        accounts=[
            DemoAccount(
                role="cadre",
                username="cadre-431382101201",
                full_name="王建国",
                title="书记",
                region_code="431382101201",
                region_name="六亩塘镇 石门村",
                password="pw",
            ),
            DemoAccount(
                role="admin",
                username="admin-431382",
                full_name="欧阳春",
                title="系统管理员",
                region_code="431382000000",
                region_name="涟源市",
                password=None,
                totp_secret="ABC",
            ),
        ],
    )
    lines = demo_accounts_table(result).splitlines()
    row_a, row_b = lines[4], lines[5]
    assert _width(row_a[: row_a.index("pw")]) == _width(row_b[: row_b.index("(unchanged)")])
