"""`sunlit powers load`: prints every problem with its line and exits non-zero, or the version."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from sunlit.powers.models import PowerListVersion
from sunlit.powers.tests.conftest import MINI, line_of, mutate

pytestmark = pytest.mark.django_db


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("powers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_loads_the_default_list(regions: Any) -> None:
    out, _err = run("load", "--default")
    assert "as version 1" in out and "10 major decisions, 3 daily management, 15 convenience services" in out
    out, _err = run("load", "--default")
    assert "already the current list (version 1); nothing changed" in out
    assert PowerListVersion.objects.count() == 1


def test_it_loads_a_file_with_a_label(regions: Any, tmp_path: Path) -> None:
    path = tmp_path / "list.yaml"
    path.write_text(MINI, encoding="utf-8")
    out, _err = run("load", str(path), "--label", "2025 年修订")
    assert f"Loaded {path} as version 1 (2025 年修订)" in out
    assert PowerListVersion.objects.get().label == "2025 年修订"


def test_it_prints_every_problem_with_its_line_and_fails(regions: Any, tmp_path: Path) -> None:
    bad = mutate("role: township_official, level: county", "role: mayor, level: county")
    bad = mutate("time_limit_days: 20", "time_limit_days: twenty", bad)
    path = tmp_path / "bad.yaml"
    path.write_text(bad, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match=r"2 problem\(s\) in .*bad.yaml; nothing was loaded"):
        call_command("powers", "load", str(path), stdout=StringIO(), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines == [
        f"{path}: line {line_of('time_limit_days: twenty', bad)}: item BM-01: time_limit_days must be a whole "
        "number, not text",
        f"{path}: line {line_of('role: mayor', bad)}: item BM-01, step county: unknown role 'mayor' (expected one "
        "of: cadre, supervisor, township_official, inspector, operator, admin)",
    ]
    assert not PowerListVersion.objects.exists()


def test_it_refuses_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.yaml"
    path.write_bytes("label: 清单\n".encode("gb18030"))
    with pytest.raises(CommandError, match="line 1 is not UTF-8"):
        run("load", str(path))


def test_it_wants_a_file_or_default(tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="Give either a FILE or --default"):
        run("load")
    with pytest.raises(CommandError, match="Cannot read"):
        run("load", str(tmp_path / "missing.yaml"))
