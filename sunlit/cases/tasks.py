"""Background work of the cases room. Tasks hold no logic: they call services."""

from __future__ import annotations

from django_tasks import task

from sunlit.cases.services import cases_remind_overdue


@task()
def remind_overdue_task() -> int:
    """Remind the people who can act on overdue steps (the scheduler enqueues this daily)."""
    return cases_remind_overdue()
