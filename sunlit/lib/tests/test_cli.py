"""The `sunlit` command as an operator runs it: from anywhere, through its console script."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]

# What pip writes for the `sunlit` entry point (pyproject's [project.scripts]).
CONSOLE_SCRIPT = """import re
import sys
from sunlit.cli import main
if __name__ == '__main__':
    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])
    sys.exit(main())
"""


def test_it_runs_the_worker_with_its_autoreloader_from_another_directory(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "sunlit"
    script.parent.mkdir()
    script.write_text(CONSOLE_SCRIPT)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {
        # Its own SQLite under a temporary var directory, whatever DATABASE_URL the suite runs on.
        **{k: v for k, v in os.environ.items() if k != "DATABASE_URL"},
        "PYTHONPATH": str(REPO),
        "DJANGO_SETTINGS_MODULE": "sunlit.settings",
        "DEBUG": "True",  # the autoreloader is on in DEBUG
        "SUNLIT_VAR_DIR": str(tmp_path / "var"),
    }
    proc = subprocess.Popen(
        [sys.executable, str(script), "db_worker", "--no-startup-delay"],
        cwd=elsewhere,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # the reloader starts a child: stop both together
    )
    try:
        time.sleep(3)
        alive = proc.poll() is None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
        output = proc.communicate(timeout=10)[0].decode(errors="replace")
    # Before the fix: "RuntimeError: Script sunlit does not exist." and exit status 1.
    assert "Script sunlit does not exist" not in output
    assert alive, output
