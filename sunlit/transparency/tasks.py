"""Background work of the publication log. Tasks hold no logic: they call services."""

from __future__ import annotations

from django_tasks import task

from sunlit.transparency.services import root_sign


@task()
def sign_root_task() -> int | None:
    """Sign a root over new entries (the scheduler enqueues this daily); its batch or None."""
    root = root_sign(by=None)
    return root.batch if root else None
