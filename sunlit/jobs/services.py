"""The scheduler's one write: mark a due job as enqueued, and enqueue it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from sunlit.audit.services import audit_record
from sunlit.jobs.models import JobRun
from sunlit.jobs.registry import Job, all_jobs

if TYPE_CHECKING:
    from sunlit.accounts.models import User


@transaction.atomic
def job_enqueue_if_due(*, job: Job, now: datetime, by: User | None = None) -> bool:
    """Enqueue `job` if its interval has passed since it was last enqueued."""
    # The row lock makes two schedulers started by mistake take turns: the second sees
    # the first one's timestamp and does nothing.
    run, _created = JobRun.objects.select_for_update().get_or_create(name=job.name)
    due_at = run.last_enqueued_at + timedelta(seconds=job.interval) if run.last_enqueued_at else now
    if now < due_at:
        return False
    run.last_enqueued_at = now
    run.save(update_fields=["last_enqueued_at"])
    # With the database task backend the task row commits together with the timestamp.
    job.task.enqueue()
    audit_record(action="job.enqueue", by=by, obj=run, detail={"job": job.name})
    return True


def jobs_enqueue_due(*, now: datetime | None = None, by: User | None = None) -> list[str]:
    """One pass of the scheduler: enqueue every due job; the names of those enqueued."""
    now = now or timezone.now()
    return [job.name for job in all_jobs() if job_enqueue_if_due(job=job, now=now, by=by)]
