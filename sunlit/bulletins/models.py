"""Typical cases (典型案例通报) and policies: written in the office, public only once
published through transparency.publish (the public pages read the published snapshot,
and attachments only through `PublishedAttachment`, derived from it)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    CASE = "case", _("Typical case")
    POLICY = "policy", _("Policy")


class Bulletin(models.Model):
    number = models.CharField(max_length=20, unique=True)
    kind = models.CharField(max_length=8, choices=Kind.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text=_("Markdown: headings, lists, bold, italics, links"))
    # Who it is for: a county, a township or a village (its subtree).
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class Attachment(models.Model):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64, db_index=True)
    size = models.PositiveIntegerField()

    def __str__(self) -> str:
        return self.name


class PublishedAttachment(models.Model):
    """An attachment of a bulletin's current published version: derived from the snapshot
    alone (`services.derive`). A file is served only if its hash is here."""

    sha256 = models.CharField(max_length=64, db_index=True)
    number = models.CharField(max_length=20)  # the bulletin's
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=120)
    # Empty for the first snapshots, which named the file but not its type or size.
    content_type = models.CharField(max_length=40, blank=True)
    size = models.PositiveIntegerField(null=True, blank=True)
    publication_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["number", "position"], name="bulletins_published_attachment_once")
        ]

    def __str__(self) -> str:
        return self.name
