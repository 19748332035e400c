from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.management import call_command

from sunlit.jobs import registry
from sunlit.jobs.models import JobRun
from sunlit.jobs.services import jobs_enqueue_due
from sunlit.regions.services import region_create
from sunlit.transparency.models import SignedRoot
from sunlit.transparency.services import publish
from sunlit.transparency.tasks import sign_root_task

pytestmark = pytest.mark.django_db

START = datetime(2024, 5, 1, 16, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def village(settings: Any, tmp_path: Path) -> str:
    settings.SUNLIT_SIGNING_KEY_PATH = tmp_path / "key.pem"
    settings.SUNLIT_ROOT_SIGNING_INTERVAL = 24 * 3600
    region_create(code="431382000000", name="涟源市", by=None)
    region_create(code="431382100000", name="桥头河镇", by=None)
    region_create(code="431382100201", name="石门村", by=None)
    return "431382100201"


def scheduler_once() -> str:
    out = io.StringIO()
    call_command("scheduler", "--once", stdout=out)
    return out.getvalue()


def test_it_knows_the_sign_root_job() -> None:
    job = registry.get("sign_root")
    assert job.task is sign_root_task
    assert job.interval == 24 * 3600


def test_it_enqueues_a_job_that_never_ran(village) -> None:
    publish(chain=village, kind="notice", ref="n1", snapshot={"a": 1}, by=None)
    with time_machine.travel(START, tick=False):
        output = scheduler_once()
    assert "sign_root" in output
    assert JobRun.objects.get(name="sign_root").last_enqueued_at == START
    # The test settings run tasks at once: the root is there.
    assert SignedRoot.objects.get().tree_size == 1


def test_it_does_not_run_a_job_again_before_its_interval(village) -> None:
    with time_machine.travel(START, tick=False):
        scheduler_once()
    publish(chain=village, kind="notice", ref="n1", snapshot={"a": 1}, by=None)
    # A restarted scheduler reads the last run from the database.
    with time_machine.travel(START + timedelta(hours=23), tick=False):
        assert "sign_root" not in scheduler_once()
    assert not SignedRoot.objects.exists()
    with time_machine.travel(START + timedelta(hours=24), tick=False):
        assert "sign_root" in scheduler_once()
    assert SignedRoot.objects.count() == 1


def test_it_follows_the_interval_setting(village, settings) -> None:
    settings.SUNLIT_ROOT_SIGNING_INTERVAL = 60
    # Other rooms' jobs run on their own intervals: only sign_root's is under test.
    assert "sign_root" in jobs_enqueue_due(now=START)
    assert "sign_root" not in jobs_enqueue_due(now=START + timedelta(seconds=59))
    assert "sign_root" in jobs_enqueue_due(now=START + timedelta(seconds=60))
