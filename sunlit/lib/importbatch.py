"""The record of one import run that the finance, projects and welfare rooms share: its
file's hash (a second import of the same bytes is a no-op), who started it and for which
village, its status and progress for the upload page, and its first problems. Each room's
concrete ImportBatch adds what it counts; its concrete ImportClaim names its batch.

The import driver that moves a batch through these states is sunlit/lib/importdesk.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("checking and importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("refused: nothing was imported")


def batch_path(instance: ImportBatchBase, filename: str) -> str:
    # Saved before it is read, so under the import's id (its hash is not known yet).
    return f"{instance._meta.app_label}/imports/{filename}"


class ImportBatchBase(models.Model):
    # The uploaded file, kept under its batch; empty for an import from the command line.
    file = models.FileField(upload_to=batch_path, max_length=300, blank=True)
    sha256 = models.CharField(max_length=64, db_index=True)
    filename = models.CharField(max_length=200)
    size = models.BigIntegerField(default=0)
    default_village = models.CharField(max_length=12, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField()
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=8, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    stage = models.CharField(max_length=40, blank=True)
    # 0–100, for the progress bar; rows_read counts the rows seen so far.
    progress = models.PositiveSmallIntegerField(default=0)
    rows_read = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems, each {"row", "column", "message"}; problem_count says how many.
    problems = models.JSONField(default=list, blank=True)
    # Set when this file had been imported before: the earlier batch that holds its rows.
    same_as = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    villages = models.JSONField(default=list, blank=True)

    # Declared for the type checker: django-stubs does not derive it for a foreign key to
    # "self" on an abstract model.
    same_as_id: int | None

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)


class ImportClaimBase(models.Model):
    """What a running import is about to write, held from the moment its file is read
    until its rows are committed (or it fails): a village-year of books, a project, a
    village's register or a programme's period. The key is unique, so of two imports that
    want the same thing at once exactly one holds it; the other is refused, naming it.

    A claim outlives its batch only if the process died; a claim whose batch is no longer
    running is stale and taken over."""

    key = models.CharField(max_length=100, unique=True)
    # The id of the room's ImportBatch that holds the claim. Not a foreign key, so that one
    # definition serves every room; a claim whose batch is gone is stale like any other.
    holder = models.PositiveBigIntegerField(db_index=True)
    claimed_at = models.DateTimeField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.key
