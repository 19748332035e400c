"""The import desk the finance, projects and welfare rooms share: a file uploaded in the
back office is kept under its batch, imported by a background task, and watched on a
page that polls its progress. Each room keeps its own batch model, import service, task
and templates; this module holds what was the same in all three.

A batch model here is a concrete sunlit/lib/importbatch.py ImportBatchBase with its `file`.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.core.files.base import File
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sunlit.accounts import jurisdiction
from sunlit.lib.importbatch import ImportStatus


def batch_or_404(model: Any, request: HttpRequest, pk: int, view_action: str) -> Any:
    """The batch, if its uploader asks or someone who may `view_action` its village;
    anyone else is told it does not exist."""
    batch = model.objects.filter(pk=pk).first()
    if batch is None:
        raise Http404
    mine = batch.uploaded_by_id == request.user.pk
    if not mine and not (batch.default_village and jurisdiction.can(request.user, view_action, batch.default_village)):
        raise Http404
    return batch


def progress(request: HttpRequest, template: str, batch: Any) -> HttpResponse:
    """The fragment an import page polls (htmx) until the import ends: never cached."""
    response = render(request, template, {"batch": batch})
    response["Cache-Control"] = "no-store"
    return response


def start_upload(
    request: HttpRequest, upload: Any, *, default_village: str, start: Callable[..., Any], task: Any, page: str
) -> HttpResponse:
    """Begin a batch for an uploaded file, keep its bytes under the batch's id (the hash
    is known once read), queue the import, and go to its page (URL name `page`).
    A refusal by `start` (ApplicationError) propagates for the form to show."""
    batch = start(filename=upload.name, default_village=default_village, by=request.user)
    batch.file.save(f"{batch.pk}-{(upload.name or 'upload')[-80:]}", File(upload), save=True)
    task.enqueue(batch.pk, request.user.pk)
    return redirect(page, pk=batch.pk)


@contextmanager
def local_copy(batch: Any, prefix: str) -> Iterator[Path]:
    """The batch's file as a local path: the stored file itself, or a copy streamed from
    storage that has no local files (object storage, the tests' in-memory storage)."""
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        try:
            path = Path(batch.file.path)
        except NotImplementedError:
            path = Path(tmp) / "missing"
        if not path.is_file():
            path = Path(tmp) / (Path(batch.file.name or "upload").name or "upload")
            with batch.file.open("rb") as source, path.open("wb") as target:
                shutil.copyfileobj(source, target, 1 << 20)
        yield path


def run(
    model: Any, batch_id: int, user_id: int | None, *, prefix: str, import_file: Callable[..., Any]
) -> tuple[Any, Any] | None:
    """A task's body: run the queued batch once (a task delivered twice finds it started
    and does nothing). Returns (batch, outcome), or None when skipped; `import_file`'s
    refusal (ApplicationError, e.g. ImportRefused) propagates."""
    from sunlit.accounts.models import User

    batch = model.objects.get(pk=batch_id)
    if batch.status != ImportStatus.QUEUED:
        return None
    by = User.objects.filter(pk=user_id).first() if user_id else None
    with local_copy(batch, prefix) as path:
        return batch, import_file(batch=batch, path=path, by=by)


# --- the command line: `sunlit <room> import FILE [--village CODE] [--user NAME] --------------


def cli_import(
    command: Any, options: dict[str, Any], *, start: Callable[..., Any], import_file: Callable[..., Any]
) -> tuple[Any, Any] | None:
    """Run an import in the foreground with a progress bar. Returns (batch, outcome), or
    None when the file had been imported before (the command has said so). Bad options
    raise CommandError; the import's refusal (ImportRefused) propagates to `refused`."""
    import sys

    from django.core.management.base import CommandError
    from django.utils.translation import gettext as _
    from tqdm import tqdm

    from sunlit.accounts.models import User

    path = Path(options["file"])
    if not path.is_file():
        raise CommandError(_("Cannot read %(path)s") % {"path": path})
    by = None
    if options.get("user"):
        by = User.objects.filter(username=options["user"], is_active=True).first()
        if by is None:
            raise CommandError(_("No active account %(name)s") % {"name": options["user"]})
    batch = start(filename=path.name, default_village=options.get("village", ""), by=by)
    with tqdm(
        total=100,
        desc=path.name,
        unit="%",
        file=sys.stderr,
        leave=False,
        disable=True if options.get("no_progress") else None,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    ) as bar:

        def show(b: Any) -> None:
            bar.n = b.progress
            bar.set_postfix_str(_("%(stage)s, %(rows)d rows") % {"stage": b.stage, "rows": b.rows_read})

        outcome = import_file(batch=batch, path=path, by=by, on_progress=show)
    if outcome.already_imported:
        command.stdout.write(
            _("%(name)s was imported before (import #%(id)d): nothing changed.")
            % {"name": path.name, "id": batch.same_as_id or batch.pk}
        )
        return None
    return batch, outcome


def refused(command: Any, refusal: Any, file: str) -> Exception:
    """Write every problem of a refused import to stderr; the CommandError to raise."""
    from django.core.management.base import CommandError
    from django.utils.translation import gettext as _

    for problem in refusal.problems:
        command.stderr.write(f"{file}: {problem}")
    if refusal.count > len(refusal.problems):
        command.stderr.write(_("… and %(n)d more.") % {"n": refusal.count - len(refusal.problems)})
    return CommandError(refusal.message)
