"""No import stays "running" for ever: each importing room's manifest schedules the job that
ends the batches whose worker was killed mid-run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from django.utils.module_loading import import_string

from sunlit.jobs.registry import get
from sunlit.lib.importbatch import ImportStatus

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("room", ["finance", "projects", "welfare"])
def test_it_ends_an_import_whose_worker_died(room: str, settings: Any) -> None:
    settings.SUNLIT_IMPORT_STALLED_AFTER = 3600
    batch_model = import_string(f"sunlit.{room}.models.ImportBatch")
    now = timezone.now()

    def batch(started: timedelta) -> Any:
        return batch_model.objects.create(
            sha256="0" * 64,
            filename="x.xlsx",
            created_at=now - started,
            started_at=now - started,
            status=ImportStatus.RUNNING,
        )

    dead, alive = batch(timedelta(hours=2)), batch(timedelta(minutes=5))
    job = get(f"{room}_imports_stalled")
    assert job.interval == settings.SUNLIT_IMPORT_STALLED_INTERVAL
    assert job.task.enqueue().return_value == 1
    dead.refresh_from_db()
    alive.refresh_from_db()
    assert dead.status == ImportStatus.FAILED and dead.problem_count == 1 and dead.finished_at
    assert alive.status == ImportStatus.RUNNING
