"""Background work of the reports room. Tasks hold no logic: they call services."""

from __future__ import annotations

from django_tasks import task

from sunlit.reports.services import reports_sweep


@task()
def sweep_task() -> dict[str, int]:
    """Reminders before deadlines and escalation after them (the scheduler runs it hourly)."""
    return reports_sweep()
