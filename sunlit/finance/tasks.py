"""Background work of the finance room. Tasks hold no logic: they call the import service
through the shared import desk (sunlit/lib/importdesk.py)."""

from __future__ import annotations

from django_tasks import task

from sunlit.finance import imports
from sunlit.finance.models import ImportBatch
from sunlit.lib import importdesk


@task()
def finance_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import; the batch row carries its progress and outcome."""
    try:
        done = importdesk.run(
            ImportBatch, batch_id, user_id, prefix="sunlit-finance-import-", import_file=imports.import_file
        )
    except imports.ImportRefused as refused:
        return {"problems": refused.count}
    if done is None:
        return {"skipped": 1}
    _batch, outcome = done
    return {"vouchers": outcome.vouchers_created, "entries": outcome.entries_created}
