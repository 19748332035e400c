"""Background work of the projects room. Tasks hold no logic: they call the import service
through the shared import desk (sunlit/lib/importdesk.py)."""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django_tasks import task

from sunlit.lib import importdesk
from sunlit.projects import imports
from sunlit.projects.models import ImportBatch


@task()
def projects_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import once (publishing what it records); the batch row carries its
    progress and outcome."""
    try:
        outcome = importdesk.run_queued(
            ImportBatch, batch_id, user_id, import_file=partial(imports.import_file, publish=True)
        )
    except imports.ImportRefused as refused:
        return {"problems": refused.count}
    if outcome is None:
        return {"skipped": 1}
    return {"projects": outcome.projects_created}


@task()
def fail_stalled_imports_task() -> int:
    """End the imports whose worker was killed mid-run (the scheduler enqueues this hourly)."""
    return importdesk.fail_stalled(ImportBatch, older_than=timedelta(seconds=settings.SUNLIT_IMPORT_STALLED_AFTER))
