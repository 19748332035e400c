"""Browser journeys against a real server, driven by Playwright with Debian's Chromium.

The server runs in a subprocess (its own database, seeded by `manage.py demo`), so these
tests never touch pytest-django's test database and ask for none of its fixtures.

Fixtures for journeys:

    base_url    the server's root, e.g. "http://127.0.0.1:40123" (one server per session)
    new_page    new_page(viewport=PHONE, locale="zh-CN", **context_options) -> Page:
                a fresh browser context (no cookies) for each call
    screenshot  screenshot(page, "name") saves docs/screenshots/name.png

Every test under e2e/ is marked `e2e` and put in one xdist group, so a parallel run
starts one server, on one worker.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"width": 390, "height": 844}
KIOSK = {"width": 1080, "height": 1920}
SERVER_START_SECONDS = 60


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PostgresDatabase:
    """A throwaway database beside the one DATABASE_URL names: `<name>_e2e`."""

    def __init__(self, url: str, worker: str) -> None:
        parts = urlsplit(url)
        base = parts.path.lstrip("/") or "sunlit"
        # One server per xdist worker that runs journeys (normally just one: see above).
        self.name = f"{base}_e2e" if worker in ("", "master", "gw0") else f"{base}_e2e_{worker}"
        self.url = urlunsplit(parts._replace(path=f"/{self.name}"))
        self.admin_url = urlunsplit(parts._replace(path="/postgres"))

    def _execute(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(sql)

    def create(self) -> None:
        self.drop()
        self._execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        self._execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def _run(args: list[str], env: dict[str, str], log: Path) -> None:
    with log.open("a", encoding="utf-8") as out:
        out.write(f"$ {' '.join(args)}\n")
        out.flush()
        done = subprocess.run(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=600, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args[1:])} failed ({done.returncode}):\n{_tail(log)}")


def _tail(log: Path, lines: int = 40) -> str:
    return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])


def _wait_until_up(url: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited ({server.returncode}):\n{_tail(log)}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.25)
    raise RuntimeError(f"the server did not answer {url} in {SERVER_START_SECONDS} s:\n{_tail(log)}")


@pytest.fixture(scope="session")
def e2e_env(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Iterator[dict[str, str]]:
    """The environment of the server and its management commands: a fresh var dir and
    database, the demo data loaded."""
    var = tmp_path_factory.mktemp("e2e-var")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "PYTEST_", "SUNLIT_")) and k not in ("DATABASE_URL", "DEBUG")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="sunlit.settings",
        DEBUG="True",
        SUNLIT_VAR_DIR=str(var),
        SUNLIT_DEMO="True",
        PYTHONUNBUFFERED="1",
    )
    database: PostgresDatabase | None = None
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres://", "postgresql://")):
        database = PostgresDatabase(url, worker_id)
        database.create()
        env["DATABASE_URL"] = database.url
    log = var / "e2e-server.log"
    try:
        _run([sys.executable, "manage.py", "migrate", "--noinput"], env, log)
        _run([sys.executable, "manage.py", "demo", "--scale", "small", "--seed", "1"], env, log)
        env["E2E_LOG"] = str(log)
        yield env
    finally:
        if database is not None:
            database.drop()


@pytest.fixture(scope="session")
def base_url(e2e_env: dict[str, str]) -> Iterator[str]:
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    log = Path(e2e_env["E2E_LOG"])
    with log.open("a", encoding="utf-8") as out:
        server = subprocess.Popen(
            [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--insecure"],
            cwd=ROOT,
            env=e2e_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_until_up(url + "/", server, log)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Chromium from Debian (never a downloaded build), one per test.

    Per test rather than per session: Playwright's sync API keeps an event loop running
    while it is open, and Django refuses database work in a thread with a running loop, so
    a browser left open would break the unit tests that run after it on the same worker.
    """
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (never `playwright install`)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser: Any, base_url: str) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []

    def _new(viewport: dict[str, int] = PHONE, locale: str = "zh-CN", **options: Any) -> Any:
        options.setdefault("has_touch", viewport == KIOSK or viewport["width"] < 800)
        context = browser.new_context(viewport=viewport, locale=locale, base_url=base_url, **options)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot() -> Callable[[Any, str], Path]:
    def _shoot(page: Any, name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), animations="disabled", caret="hide")
        return path

    return _shoot
