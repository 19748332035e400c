"""Background work of the welfare room. Tasks hold no logic: they call the import service."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django_tasks import task

from sunlit.accounts.models import User
from sunlit.welfare import imports
from sunlit.welfare.models import ImportBatch, ImportStatus


@task()
def welfare_import_task(batch_id: int, user_id: int | None) -> dict[str, int]:
    """Run an uploaded import; the batch row carries its progress and outcome."""
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status != ImportStatus.QUEUED:
        return {"skipped": 1}
    by = User.objects.filter(pk=user_id).first() if user_id else None
    with tempfile.TemporaryDirectory(prefix="sunlit-welfare-import-") as tmp:
        try:
            path = Path(batch.file.path)
        except NotImplementedError:
            path = Path(tmp) / "missing"
        if not path.is_file():
            # Storage without local files (object storage, tests): a local copy.
            path = Path(tmp) / (Path(batch.file.name or "upload").name or "upload")
            with batch.file.open("rb") as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        try:
            imports.import_file(batch=batch, path=path, by=by)
        except imports.ImportRefused as refused:
            return {"problems": refused.count}
    return {"payments": batch.payments_created, "members": batch.members_created}
