"""The periodic jobs: what runs, how often, and which task it enqueues.

Each room declares its jobs in its manifest (room.py, `jobs`); the one scheduler
(`sunlit scheduler`) reads them all from the room registry. A job names its task by
dotted path so that nothing here imports the rooms whose work it schedules, and its
interval by setting name so that tests and deployments change it in one place.
"""

from __future__ import annotations

from sunlit.lib import rooms
from sunlit.lib.rooms import Job

__all__ = ["Job", "all_jobs", "get"]


def all_jobs() -> tuple[Job, ...]:
    return rooms.registry().jobs


def get(name: str) -> Job:
    for job in all_jobs():
        if job.name == name:
            return job
    raise KeyError(f"no periodic job named {name!r}")
