"""The periodic jobs: what runs, how often, and which task it enqueues.

One list, read by the one scheduler (`sunlit scheduler`). A job names its task by dotted
path so that this module imports nothing from the rooms whose work it schedules, and its
interval by setting name so that tests and deployments change it in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Job:
    name: str
    interval_setting: str
    task_path: str

    @property
    def interval(self) -> int:
        """Seconds between two runs."""
        return int(getattr(settings, self.interval_setting))

    @property
    def task(self) -> Any:
        return import_string(self.task_path)


JOBS: tuple[Job, ...] = (
    # Seal the day's publications in a signed Merkle root.
    Job("sign_root", "SUNLIT_ROOT_SIGNING_INTERVAL", "sunlit.transparency.tasks.sign_root_task"),
    # Remind whoever can act on a case step that is past its due date (once a day per step).
    Job("cases_remind_overdue", "SUNLIT_CASES_REMIND_INTERVAL", "sunlit.cases.tasks.remind_overdue_task"),
    # Villagers' reports: remind before the accept/reply deadlines, escalate after.
    Job("reports_sweep", "SUNLIT_REPORTS_SWEEP_INTERVAL", "sunlit.reports.tasks.sweep_task"),
)


def get(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(f"no periodic job named {name!r}")
