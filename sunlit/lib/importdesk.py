"""The import desk the finance, projects and welfare rooms share: one driver for every
import, and the pieces around it (the upload page, the background task, the command).

A file uploaded in the back office is kept under its batch, imported by a background task
and watched on a page that polls its progress; the command line runs the same import in
the foreground. Every import goes through `ImportRun.run()`, in this order:

1. **Claim the batch** with a conditional UPDATE (queued → running). Of two workers handed
   the same batch, one updates the row and runs; the other updates nothing and leaves.
2. **Scan** the bytes: the SHA-256 and a CSV's encoding. The same bytes imported before
   end here ("already imported": nothing can have changed).
3. **Read** the rows, each checked on its own (the room's `read`).
4. **Hold the claims** on what the write would touch (the room's `claims`: a village's
   books of a year, a project, a village's register, a programme's period). The claim
   table's key is unique: of two imports that want the same thing at once one holds it,
   and the other is refused with a message naming it and the import that holds it.
5. **Check** across rows and against what is stored (the room's `check`), now that no
   other import can change it underneath.
6. **Write** (the room's `write`), the batch's "done" and its audit row in one
   transaction: all or nothing. The claims are released.

Whatever goes wrong, the batch ends "failed" with its reason: a refusal (every problem
by row and column), a conflict, or an exception nobody expected (recorded, then re-raised
for the worker's log). Only a process killed outright can leave a batch "running";
`fail_stalled` ends those, and their claims are then taken over.

A room's import is a subclass of `ImportRun` with its steps; its batch and claim models are
concrete sunlit/lib/importbatch.py ImportBatchBase and ImportClaimBase. Nothing here
imports a room: what needs a room (the jurisdiction check, the audit row) is the room's
step or is passed in.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import sys
import tempfile
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, Generic, Protocol, TypeVar

from django.contrib.auth import get_user_model
from django.core.files.base import File
from django.core.files.uploadedfile import UploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from tqdm import tqdm

from sunlit.lib.errors import ApplicationError, InvalidInput
from sunlit.lib.importbatch import ImportBatchBase, ImportClaimBase, ImportStatus
from sunlit.lib.tabular import ImportRefused, Problem, row_label, scan

if TYPE_CHECKING:
    # The configured user model (settings.AUTH_USER_MODEL) as django-stubs resolves it:
    # typed without importing the room that defines it.
    from django.contrib.auth.models import _User as User
    from django_tasks.base import Task

B = TypeVar("B", bound=ImportBatchBase)
B_co = TypeVar("B_co", bound=ImportBatchBase, covariant=True)
O_co = TypeVar("O_co", covariant=True)

# Claims are looked up and written this many keys at a time (SQLite's bound parameters).
CHUNK = 500
KEY_LENGTH = ImportClaimBase._meta.get_field("key").max_length or 100
# ID numbers are never echoed (docs/threat-model.md): an unexpected error's text keeps
# only the last four digits of anything that looks like one.
_LONG_NUMBER = re.compile(r"\d{15,}[\dXx]?")


class NotQueued(ApplicationError):
    """The batch had been started already (by another worker, or before): it runs once."""


@dataclass(frozen=True)
class Claim:
    """Something an import is about to write that no other import may write at the same
    time. `key` is unique within the room's claim table; `label` names it for a person."""

    key: str
    label: str


@dataclass
class Outcome(Generic[B]):
    """What `ImportRun.run` returns when the file was imported; the batch holds the counts."""

    batch: B
    already_imported: bool = False


class ImportRun(ABC, Generic[B]):
    """One run of one import batch: the driver (`run`) and the room's steps.

    A room subclasses it, names its `action` and `claim_model`, and fills in `read`,
    `claims`, `check`, `write`, `reuse` and `record`; `permit` and `cleanup` when it needs
    them. Steps report problems with `problem()` (row and column) and progress with
    `progress()`; the driver refuses the file when any was reported.
    """

    # The room's import action: the permission it needs ("finance.import"), the name of
    # its audit rows ("finance.import", "finance.import_refused") and of its temporary files.
    action: ClassVar[str]
    # The room's concrete ImportClaimBase (its `holder` is an id of the room's ImportBatch).
    claim_model: ClassVar[type[ImportClaimBase]]
    # The batch's own counts (fields of the room's ImportBatch): zero unless imported.
    count_fields: ClassVar[tuple[str, ...]] = ()
    max_problems: ClassVar[int] = 200

    def __init__(self, batch: B, *, by: User | None, on_progress: Callable[[B], None] | None = None) -> None:
        self.batch = batch
        self.by = by
        self.on_progress = on_progress
        self.problems: list[Problem] = []
        self.count = 0
        # field name → its heading as the file writes it, for problems' column names.
        self.headings: dict[str, str] = {}
        # A workbook's sheet names: problems then say "2024!15".
        self.sheets: list[str] | None = None
        # The file being read (a local path) and its size, once `run` has it.
        self.path = Path()
        self.size = 1

    # --- the room's steps -------------------------------------------------------------------

    def permit(self) -> None:
        """Refuse (ApplicationError) someone who may not run this import at all."""

    @abstractmethod
    def read(self, encoding: str | None) -> None:
        """One streamed pass over `self.path` (CSV in `encoding`, or XLSX when None), each
        row checked on its own."""

    @abstractmethod
    def claims(self) -> Iterable[Claim]:
        """What `write` would touch, as claims (called after `read` found no problem)."""

    def check(self) -> None:
        """The checks across rows and against what is stored; the claims are held."""

    @abstractmethod
    def write(self) -> None:
        """Write every row and put the counts (`count_fields`, `villages`) on the batch.
        Runs inside the driver's transaction: an exception leaves nothing written."""

    @abstractmethod
    def reuse(self, earlier: B) -> None:
        """The same bytes were imported by `earlier`: put its counts on the batch as unchanged."""

    @abstractmethod
    def record(self, action: str, detail: dict[str, object]) -> None:
        """Write the audit row of the batch's end (`action` is "<room>.import" or
        "<room>.import_refused"); inside the transaction that sets the batch's status."""

    def cleanup(self) -> None:
        """Undo what `read` left behind; runs whatever happened."""

    # --- what the steps share ---------------------------------------------------------------

    def problem(self, row: int | str, column: str, message: str) -> None:
        """One problem at a row (its number, or a label) and a column (a field name, shown
        as the file's heading for it)."""
        self.count += 1
        if len(self.problems) < self.max_problems:
            label = row if isinstance(row, str) else row_label(row, self.sheets)
            self.problems.append(Problem(label, self.headings.get(column) or column, message))

    def progress(self, stage: str, percent: int, rows: int | None = None) -> None:
        batch = self.batch
        batch.stage, batch.progress = stage, percent
        if rows is not None:
            batch.rows_read = rows
        type(batch)._default_manager.filter(pk=batch.pk).update(
            stage=stage, progress=percent, rows_read=batch.rows_read
        )
        if self.on_progress is not None:
            self.on_progress(batch)

    # --- the driver -------------------------------------------------------------------------

    def run(self, path: Path | None = None) -> Outcome[B]:
        """Run the batch once, on `path` or else on the file stored under the batch.

        Raises NotQueued (and does nothing) when the batch had been started already;
        ImportRefused with every problem when nothing was imported; and, after recording
        it on the batch, whatever unexpected exception stopped the import.
        """
        batch = self.batch
        now = timezone.now()
        claimed = (
            type(batch)
            ._default_manager.filter(pk=batch.pk, status=ImportStatus.QUEUED)
            .update(status=ImportStatus.RUNNING, started_at=now)
        )
        if not claimed:
            raise NotQueued(_("Import #%(id)d has been started already: an import runs once") % {"id": batch.pk})
        batch.status, batch.started_at = ImportStatus.RUNNING, now
        try:
            outcome = self._steps(path)
        except ImportRefused as refused:
            self._fail(refused.problems, refused.count)
            raise
        except ApplicationError as e:
            problem = Problem("—", "", e.message)
            self._fail([problem], 1)
            raise ImportRefused([problem], 1) from None
        except IntegrityError:
            # A race the claims do not cover (two villages' files naming the same person):
            # the database refused the second write, and the rollback left nothing of it.
            problem = Problem(
                "—",
                "",
                _("Another import wrote some of the same records while this one was being checked: import again"),
            )
            self._fail([problem], 1)
            raise ImportRefused([problem], 1) from None
        except BaseException as e:
            problem = Problem(
                "—",
                "",
                _("The import stopped on an unexpected error (%(error)s): nothing was imported")
                % {"error": _reason(e)},
            )
            self._fail([problem], 1)
            raise
        if self.on_progress is not None:
            self.on_progress(batch)
        return outcome

    def _steps(self, path: Path | None) -> Outcome[B]:
        batch = self.batch
        self.permit()
        source: AbstractContextManager[Path] = (
            nullcontext(path) if path is not None else local_copy(batch, f"sunlit-{self.action}-")
        )
        try:
            with source as local:
                self.path = local
                sha, encoding = scan(local)
                batch.sha256, batch.size = sha, local.stat().st_size
                self.size = max(1, batch.size)
                batch.save(update_fields=["sha256", "size"])
                earlier = (
                    type(batch)
                    ._default_manager.filter(sha256=sha, status=ImportStatus.DONE)
                    .exclude(pk=batch.pk)
                    .order_by("created_at")
                    .first()
                )
                if earlier is not None:
                    # The same bytes were imported before: nothing can have changed.
                    batch.same_as = earlier
                    self.reuse(earlier)
                    with transaction.atomic():
                        self._finish(ImportStatus.DONE)
                    return Outcome(batch, already_imported=True)
                self.read(encoding)
                self._refuse_if_problems()
                self._hold()
                try:
                    self.check()
                    self._refuse_if_problems()
                    self.progress("writing", 75)
                    with transaction.atomic():
                        self.write()
                        self._finish(ImportStatus.DONE)
                finally:
                    self._release()
        finally:
            self.cleanup()
        return Outcome(batch)

    def _refuse_if_problems(self) -> None:
        if self.count:
            raise ImportRefused(self.problems, self.count)

    def _finish(self, status: ImportStatus) -> None:
        batch = self.batch
        batch.status, batch.finished_at = status, timezone.now()
        batch.stage, batch.progress = ("done", 100) if status == ImportStatus.DONE else ("refused", batch.progress)
        batch.save()
        self.record(
            self.action if status == ImportStatus.DONE else f"{self.action}_refused",
            {
                "file": batch.filename,
                "sha256": batch.sha256,
                "rows": batch.rows_read,
                **{name: getattr(batch, name) for name in self.count_fields},
                "problems": batch.problem_count,
                "same_as": batch.same_as_id,
                "villages": batch.villages[:50],
            },
        )

    def _fail(self, problems: list[Problem], count: int) -> None:
        """End the batch "failed" with its problems; nothing of it was written."""
        batch = self.batch
        for name in self.count_fields:
            setattr(batch, name, 0)
        batch.villages = []
        batch.problems = [p.as_dict() for p in problems[: self.max_problems]]
        batch.problem_count = count
        try:
            with transaction.atomic():
                self._finish(ImportStatus.FAILED)
        except BaseException:
            # The refusal could not be recorded whole (its audit row failed): the batch
            # still must not stay "running".
            type(batch)._default_manager.filter(pk=batch.pk).update(
                status=ImportStatus.FAILED,
                finished_at=timezone.now(),
                stage="refused",
                problems=batch.problems,
                problem_count=count,
            )
            raise
        finally:
            if self.on_progress is not None:
                self.on_progress(batch)

    # --- claims -----------------------------------------------------------------------------

    def _hold(self) -> None:
        """Take every claim of this import, or none and refuse, naming what is held."""
        wanted = {_stored_key(claim.key): claim for claim in self.claims()}
        if not wanted:
            return
        manager = self.claim_model._default_manager
        for _attempt in range(3):
            try:
                with transaction.atomic():
                    held = self._held(wanted)
                    if held:
                        break
                    now = timezone.now()
                    manager.bulk_create(
                        [self.claim_model(key=key, holder=self.batch.pk, claimed_at=now) for key in wanted],
                        batch_size=CHUNK,
                    )
                    return
            except IntegrityError:
                # Another import took one of them between the look and the insert (on
                # PostgreSQL the insert waited for its transaction): look again.
                continue
        else:
            held = self._held(wanted)
            if not held:
                raise ImportRefused([Problem("—", "", _("Another import is busy with the same data: import again"))], 1)
        problems = [
            Problem(
                "—",
                "",
                _(
                    "%(what)s: import #%(batch)d (started %(started)s) is importing it; "
                    "import this file again when that one has finished"
                )
                % {"what": claim.label, "batch": batch_id, "started": _when(started)},
            )
            for claim, batch_id, started in held
        ]
        raise ImportRefused(problems[: self.max_problems], len(problems))

    def _held(self, wanted: Mapping[str, Claim]) -> list[tuple[Claim, int, datetime | None]]:
        """The wanted claims another running import holds (claim, its batch, when it
        started); claims left by batches that are no longer running are removed."""
        manager = self.claim_model._default_manager
        keys = sorted(wanted)
        holders: dict[str, int] = {}
        for start in range(0, len(keys), CHUNK):
            holders.update(
                manager.filter(key__in=keys[start : start + CHUNK])
                .exclude(holder=self.batch.pk)
                .values_list("key", "holder")
            )
        if not holders:
            return []
        running = dict(
            type(self.batch)
            ._default_manager.filter(pk__in=set(holders.values()), status=ImportStatus.RUNNING)
            .values_list("pk", "started_at")
        )
        stale = [key for key, batch_id in holders.items() if batch_id not in running]
        for start in range(0, len(stale), CHUNK):
            manager.filter(key__in=stale[start : start + CHUNK]).delete()
        return sorted(
            ((wanted[key], batch_id, running[batch_id]) for key, batch_id in holders.items() if batch_id in running),
            key=lambda held: held[0].label,
        )

    def _release(self) -> None:
        self.claim_model._default_manager.filter(holder=self.batch.pk).delete()


def _stored_key(key: str) -> str:
    # A key from a file (a project number) may be longer than the column: its hash then.
    return key if len(key) <= KEY_LENGTH else "sha256:" + hashlib.sha256(key.encode()).hexdigest()


def _reason(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
    return _LONG_NUMBER.sub(lambda m: "…" + m.group(0)[-4:], text)[:300]


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else "—"


def fail_stalled(model: type[ImportBatchBase], *, older_than: timedelta) -> int:
    """End the batches still "running" `older_than` after they started: their process was
    killed (out of memory, a restart) before it could record anything. Nothing of them was
    written (the write and "done" commit together); their claims become stale and are
    taken over. Returns how many were ended."""
    now = timezone.now()
    problem = Problem("—", "", _("The import stopped without finishing (its worker was stopped): nothing was imported"))
    return model._default_manager.filter(status=ImportStatus.RUNNING, started_at__lt=now - older_than).update(
        status=ImportStatus.FAILED, finished_at=now, stage="refused", problems=[problem.as_dict()], problem_count=1
    )


# --- starting a batch, and the background task ------------------------------------------------


class StartBatch(Protocol[B_co]):
    """A room's `batch_start`: a new queued batch (its checks before anything is read)."""

    def __call__(self, *, filename: str, default_village: str = ..., by: User | None) -> B_co: ...


class ImportFile(Protocol[B, O_co]):
    """A room's `import_file`: run a batch (`ImportRun.run`) on `path`, or on its stored file."""

    def __call__(
        self, *, batch: B, by: User | None, path: Path | None = ..., on_progress: Callable[[B], None] | None = ...
    ) -> O_co: ...


def new_batch(model: type[B], *, filename: str, default_village: str, by: User | None) -> B:
    """A queued batch (before its file is read: its hash is not known yet)."""
    return model._default_manager.create(
        sha256="",
        filename=(filename or "")[:200],
        default_village=default_village,
        uploaded_by=by if by is not None and by.is_authenticated else None,
        created_at=timezone.now(),
    )


def run_queued(model: type[B], batch_id: int, user_id: int | None, *, import_file: ImportFile[B, O_co]) -> O_co | None:
    """A task's body: run the queued batch. None when there is nothing to do: the batch
    is gone, or another worker has it or has run it (a task delivered twice). A refusal
    (ImportRefused) propagates."""
    batch = model._default_manager.filter(pk=batch_id).first()
    if batch is None or batch.status != ImportStatus.QUEUED:
        return None
    by = get_user_model()._default_manager.filter(pk=user_id).first() if user_id else None
    try:
        return import_file(batch=batch, by=by)
    except NotQueued:
        # Another worker claimed it between the look above and run()'s claim.
        return None


@contextmanager
def local_copy(batch: ImportBatchBase, prefix: str) -> Iterator[Path]:
    """The batch's file as a local path: the stored file itself, or a copy streamed from
    storage that has no local files (object storage, the tests' in-memory storage)."""
    if not batch.file.name:
        raise InvalidInput(_("The file of import #%(id)d is not stored: upload it again") % {"id": batch.pk})
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


# --- the upload pages ---------------------------------------------------------------------------


def start_upload(
    request: HttpRequest,
    upload: UploadedFile,
    *,
    default_village: str,
    start: StartBatch[ImportBatchBase],
    task: Task[[int, int | None], dict[str, int]],
    page: str,
) -> HttpResponse:
    """Begin a batch for an uploaded file, keep its bytes under the batch's id (the hash
    is known once read), queue the import, and go to its page (URL name `page`).
    A refusal by `start` (ApplicationError) propagates for the form to show."""
    user = request.user
    by = user if isinstance(user, get_user_model()) else None
    batch = start(filename=upload.name or "", default_village=default_village, by=by)
    batch.file.save(f"{batch.pk}-{(upload.name or 'upload')[-80:]}", File(upload), save=True)
    task.enqueue(batch.pk, by.pk if by is not None else None)
    return redirect(page, pk=batch.pk)


def batch_or_404(model: type[B], request: HttpRequest, pk: int, *, may_view: Callable[[str], bool]) -> B:
    """The batch, if its uploader asks or someone who `may_view` its village's data;
    anyone else is told it does not exist."""
    batch = model._default_manager.filter(pk=pk).first()
    if batch is None:
        raise Http404
    if batch.uploaded_by_id is not None and batch.uploaded_by_id == request.user.pk:
        return batch
    if batch.default_village and may_view(batch.default_village):
        return batch
    raise Http404


def progress(request: HttpRequest, template: str, batch: ImportBatchBase) -> HttpResponse:
    """The fragment an import page polls (htmx) until the import ends: never cached."""
    response = render(request, template, {"batch": batch})
    response["Cache-Control"] = "no-store"
    return response


# --- the command line: `sunlit <room> import FILE [--village CODE] [--user NAME] --------------


def cli_import(
    command: BaseCommand,
    options: Mapping[str, object],
    *,
    start: StartBatch[B],
    import_file: ImportFile[B, O_co],
) -> tuple[B, O_co] | None:
    """Run an import in the foreground with a progress bar. Returns (batch, outcome), or
    None when the file had been imported before (the command has said so). Bad options
    raise CommandError; the import's refusal (ImportRefused) propagates to `refused`."""

    path = Path(str(options["file"]))
    if not path.is_file():
        raise CommandError(_("Cannot read %(path)s") % {"path": path})
    by = None
    if options.get("user"):
        by = get_user_model()._default_manager.filter(username=options["user"], is_active=True).first()
        if by is None:
            raise CommandError(_("No active account %(name)s") % {"name": options["user"]})
    batch = start(filename=path.name, default_village=str(options.get("village") or ""), by=by)
    with tqdm(
        total=100,
        desc=path.name,
        unit="%",
        file=sys.stderr,
        leave=False,
        disable=True if options.get("no_progress") else None,
        bar_format="{desc}: {percentage:3.0f}%|{bar}| {postfix}",
    ) as bar:

        def show(b: B) -> None:
            bar.n = b.progress
            bar.set_postfix_str(_("%(stage)s, %(rows)d rows") % {"stage": b.stage, "rows": b.rows_read})

        outcome = import_file(batch=batch, path=path, by=by, on_progress=show)
    if batch.same_as_id is not None:
        command.stdout.write(
            _("%(name)s was imported before (import #%(id)d): nothing changed.")
            % {"name": path.name, "id": batch.same_as_id}
        )
        return None
    return batch, outcome


def refused(command: BaseCommand, refusal: ImportRefused, file: str) -> CommandError:
    """Write every problem of a refused import to stderr; the CommandError to raise."""
    for problem in refusal.problems:
        command.stderr.write(f"{file}: {problem}")
    if refusal.count > len(refusal.problems):
        command.stderr.write(_("… and %(n)d more.") % {"n": refusal.count - len(refusal.problems)})
    return CommandError(refusal.message)
