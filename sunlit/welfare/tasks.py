"""Background work of the welfare room. Tasks hold no logic: they call the import service
through the shared import desk (sunlit/lib/importdesk.py)."""

from __future__ import annotations

from django_tasks import task

from sunlit.lib import importdesk
from sunlit.welfare import imports
from sunlit.welfare.models import ImportBatch


@task()
def welfare_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import; the batch row carries its progress and outcome."""
    try:
        done = importdesk.run(
            ImportBatch, batch_id, user_id, prefix="sunlit-welfare-import-", import_file=imports.import_file
        )
    except imports.ImportRefused as refused:
        return {"problems": refused.count}
    if done is None:
        return {"skipped": 1}
    batch, _outcome = done
    return {"payments": batch.payments_created, "members": batch.members_created}
