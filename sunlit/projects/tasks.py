"""Background work of the projects room. Tasks hold no logic: they call the import service."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django_tasks import task

from sunlit.accounts.models import User
from sunlit.projects import imports
from sunlit.projects.models import ImportBatch, ImportStatus


@task()
def projects_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import; the batch row carries its progress and outcome."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.QUEUED:
        return {"skipped": 1}
    by = User.objects.filter(pk=user_id).first() if user_id else None
    with tempfile.TemporaryDirectory(prefix="sunlit-projects-") as tmp:
        path = Path(tmp) / (Path(batch.file.name or "upload").name or "upload")
        with batch.file.open("rb") as source, path.open("wb") as target:
            shutil.copyfileobj(source, target, 1 << 20)
        try:
            outcome = imports.import_file(batch=batch, path=path, by=by, publish=True)
        except imports.ImportRefused as refused:
            return {"problems": refused.count}
    return {"projects": outcome.projects_created}
