from __future__ import annotations

from django_tasks import task

SWEPT: list[str] = []


@task()
def sweep_task() -> None:
    SWEPT.append("swept")
