"""The record of one import run that the finance, projects and welfare rooms share: its
file's hash (a second import of the same bytes is a no-op), who started it and for which
village, its status and progress for the upload page, and its first problems. Each room's
concrete ImportBatch adds where its file is kept and what it counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    RUNNING = "running", _("checking and importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("refused: nothing was imported")


class ImportBatchBase(models.Model):
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

    class Meta:
        abstract = True
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (ImportStatus.DONE, ImportStatus.FAILED)
