from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """When the scheduler last enqueued a periodic job.

    Kept in the database, not in the scheduler's memory, so a restarted (or a second)
    scheduler does not run a daily job again before its day is up.
    """

    name = models.CharField(_("job"), max_length=64, primary_key=True)
    last_enqueued_at = models.DateTimeField(_("last enqueued at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_enqueued_at}"
