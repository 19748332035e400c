"""Background work of the finance room. Tasks hold no logic: they call the import service
through the shared import desk (sunlit/lib/importdesk.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django_tasks import task

from sunlit.finance import imports
from sunlit.finance.models import ImportBatch
from sunlit.lib import importdesk


@task()
def finance_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import once; the batch row carries its progress and outcome."""
    try:
        outcome = importdesk.run_queued(ImportBatch, batch_id, user_id, import_file=imports.import_file)
    except imports.ImportRefused as refused:
        return {"problems": refused.count}
    if outcome is None:
        return {"skipped": 1}
    return {"vouchers": outcome.vouchers_created, "entries": outcome.entries_created}


@task()
def fail_stalled_imports_task() -> int:
    """End the imports whose worker was killed mid-run (the scheduler enqueues this hourly)."""
    return importdesk.fail_stalled(ImportBatch, older_than=timedelta(seconds=settings.SUNLIT_IMPORT_STALLED_AFTER))
