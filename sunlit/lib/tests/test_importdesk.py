"""The shared import desk: a task runs its batch once, from a local copy of the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile

from sunlit.finance.imports import batch_start
from sunlit.finance.models import ImportBatch
from sunlit.lib import importdesk

pytestmark = pytest.mark.django_db


def test_it_runs_a_queued_batch_once_from_a_local_copy(regions: Any) -> None:
    batch = batch_start(filename="books.csv", by=None)
    batch.file.save("books.csv", ContentFile(b"a,b\n1,2\n"), save=True)
    seen: list[bytes] = []

    def import_file(*, batch: ImportBatch, path: Path, by: Any) -> str:
        seen.append(path.read_bytes())
        ImportBatch.objects.filter(pk=batch.pk).update(status="done")
        return "outcome"

    done = importdesk.run(ImportBatch, batch.pk, None, prefix="t-", import_file=import_file)
    assert done is not None and done[1] == "outcome" and seen == [b"a,b\n1,2\n"]
    # Delivered again (a worker restarted): the batch has started, nothing runs twice.
    assert importdesk.run(ImportBatch, batch.pk, None, prefix="t-", import_file=import_file) is None
    assert len(seen) == 1
