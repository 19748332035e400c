from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role, User
from sunlit.audit.models import AuditEvent
from sunlit.regions.services import region_create

COUNTY = "431382000000"


@pytest.fixture
def county(db: None) -> None:
    for code, name in [("430000000000", "湖南省"), ("431300000000", "娄底市"), (COUNTY, "涟源市")]:
        region_create(code=code, name=name, by=None)


@pytest.fixture
def password_file(tmp_path: Path) -> Path:
    path = tmp_path / "pw"
    path.write_text("lantian-kiosk-7741\n", encoding="utf-8")
    return path


def _run(*args: str) -> str:
    out = StringIO()
    call_command("createadmin", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_it_creates_an_administrator_who_must_change_her_password(county: None, password_file: Path) -> None:
    out = _run("--username", "alice", "--region", COUNTY, "--name", "李建华", "--password-file", str(password_file))
    assert "Administrator alice created over 涟源市" in out
    alice = User.objects.get(username="alice")
    assert alice.full_name == "李建华"
    assert alice.must_change_password
    assert alice.check_password("lantian-kiosk-7741")
    membership = Membership.objects.get(user=alice)
    assert (membership.role, membership.region_id) == (Role.ADMIN, COUNTY)
    assert jurisdiction.can(alice, "region.edit", "431382100201")
    grants = AuditEvent.objects.filter(action="membership.grant", object_id=str(membership.pk))
    assert grants.exists()


def test_it_refuses_an_unknown_region(county: None, password_file: Path) -> None:
    with pytest.raises(CommandError, match="import the region tree first"):
        _run("--username", "alice", "--region", "431382100000", "--password-file", str(password_file))
    assert not User.objects.exists()


def test_it_refuses_a_taken_username(county: None, password_file: Path) -> None:
    _run("--username", "alice", "--region", COUNTY, "--password-file", str(password_file))
    with pytest.raises(CommandError, match="taken"):
        _run("--username", "alice", "--region", COUNTY, "--password-file", str(password_file))


def test_it_refuses_a_weak_password(county: None, tmp_path: Path) -> None:
    weak = tmp_path / "pw"
    weak.write_text("123\n", encoding="utf-8")
    with pytest.raises(CommandError):
        _run("--username", "alice", "--region", COUNTY, "--password-file", str(weak))
    assert not User.objects.exists()


def test_it_will_not_prompt_without_a_terminal(county: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("sys.stdin", StringIO(""))
    with pytest.raises(CommandError, match="--password-file"):
        _run("--username", "alice", "--region", COUNTY)
