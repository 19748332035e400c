from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from sunlit.lib import env

ROOT = Path(__file__).resolve().parents[3]


def start(**variables: str) -> subprocess.CompletedProcess[str]:
    """Import the real settings in a fresh interpreter, as start-up would."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY")}
    environment.update(variables)
    return subprocess.run(
        [sys.executable, "-c", "import sunlit.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_refuses_a_boolean_that_is_not_true_or_false(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNLIT_X", "ture")
    with pytest.raises(ImproperlyConfigured, match="SUNLIT_X='ture' is not a boolean"):
        env.envbool("SUNLIT_X", False)


def test_it_refuses_a_number_that_is_not_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SUNLIT_N", "ten")
    with pytest.raises(ImproperlyConfigured, match="SUNLIT_N='ten' is not a whole number"):
        env.envint("SUNLIT_N", 1)
    monkeypatch.setenv("SUNLIT_N", "0")
    with pytest.raises(ImproperlyConfigured, match="at least 1"):
        env.envint("SUNLIT_N", 1, minimum=1)


def test_it_reads_secrets_from_a_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "key").write_text("s3cret\n")
    monkeypatch.setenv("SUNLIT_K_FILE", str(tmp_path / "key"))
    assert env.envstr("SUNLIT_K", "default") == "s3cret"


def test_it_stops_start_up_on_a_bad_variable_naming_it() -> None:
    result = start(DEBUG="yes please")
    assert result.returncode != 0
    assert "DEBUG='yes please' is not a boolean" in result.stderr


def test_it_refuses_production_with_debug_default_key_or_no_hosts() -> None:
    result = start(SUNLIT_PRODUCTION="True", DEBUG="True")
    assert result.returncode != 0
    assert "DEBUG must be False" in result.stderr
    assert "SECRET_KEY must be set" in result.stderr
    assert "ALLOWED_HOSTS must name" in result.stderr


def test_it_starts_in_production_with_safe_values() -> None:
    result = start(SUNLIT_PRODUCTION="True", SECRET_KEY="x" * 50, ALLOWED_HOSTS="sunlit.example.cn")
    assert result.returncode == 0, result.stderr


def test_it_refuses_a_database_url_for_an_unsupported_engine() -> None:
    result = start(DATABASE_URL="mysql://root@127.0.0.1/sunlit")
    assert result.returncode != 0 and "supports PostgreSQL" in result.stderr


def test_it_documents_every_variable_in_env_example() -> None:
    import re

    documented = (ROOT / ".env.example").read_text(encoding="utf-8")
    used = set(
        re.findall(r'env(?:str|bool|int|list|choice)\(\s*"([A-Z_]+)"', (ROOT / "sunlit/settings.py").read_text())
    )
    missing = sorted(v for v in used if not re.search(rf"^#?\s*{v}=", documented, re.M))
    assert not missing, f"undocumented in .env.example: {missing}"


def test_it_passes_djangos_deployment_checks_in_production(tmp_path: Path) -> None:
    """HTTPS redirect, HSTS, secure cookies …: `check --deploy` has nothing to say."""
    environment = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DEBUG", "SECRET_KEY")}
    environment.update(
        SUNLIT_PRODUCTION="True",
        SECRET_KEY="k" * 40 + "0123456789abcdefghij",
        ALLOWED_HOSTS="sunlit.example.cn",
        SUNLIT_REPORTS_SECRET="s" * 40,
        SUNLIT_ID_KEY="AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
        SUNLIT_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="sunlit.settings",
    )
    result = subprocess.run(
        [sys.executable, "-m", "sunlit", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
