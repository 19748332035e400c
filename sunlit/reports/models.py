"""Villagers' reports (举报) and complaints, their handling, and what the reporter sees.

A report carries no link to a person's account: the reporter is known only by a receipt
they keep, stored here as an argon2 hash. Who may see a report is decided in
accounts.jurisdiction (may_see_report / scope_reports), never here.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    FINANCE = "finance", _("Village finance")
    PROJECT = "project", _("Construction project")
    WELFARE = "welfare", _("Welfare and subsidies")
    CONDUCT = "conduct", _("Cadre conduct")
    OTHER = "other", _("Other")


class State(models.TextChoices):
    RECEIVED = "received", _("Received")
    ACCEPTED = "accepted", _("Accepted")
    NOT_ACCEPTED = "not_accepted", _("Not accepted")
    INVESTIGATING = "investigating", _("Being investigated")
    CONCLUDED = "concluded", _("Concluded")
    REPLIED = "replied", _("Replied")
    RATED = "rated", _("Reply rated")


class Finding(models.TextChoices):
    SUBSTANTIATED = "substantiated", _("Substantiated")
    PARTLY = "partly", _("Partly substantiated")
    NOT_SUBSTANTIATED = "not_substantiated", _("Not substantiated")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Phone or computer")
    KIOSK = "kiosk", _("Village kiosk")


class Report(models.Model):
    # Random, public (Open311 id, office URLs): says nothing about order or volume.
    public_id = models.CharField(max_length=16, unique=True)
    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    # The region the report is about: a village, or a township for its officials.
    subject_code = models.CharField(max_length=12)
    # The discipline office handling it (a township, or the county-level city).
    office_code = models.CharField(max_length=12)
    category = models.CharField(max_length=12, choices=Category.choices)
    record_kind = models.CharField(max_length=32, blank=True)
    record_ref = models.CharField(max_length=100, blank=True)
    record_label = models.CharField(max_length=200, blank=True)
    text = models.TextField()
    reporter_name = models.CharField(max_length=60, blank=True)
    reporter_phone = models.CharField(max_length=20, blank=True)
    phone_confirmed = models.BooleanField(default=False)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.PORTAL)
    receipt_hash = models.CharField(max_length=64, unique=True)
    idempotency_hash = models.CharField(max_length=64, unique=True)
    # HMAC(secret, what was filed): a retry of the form must send the same words, or it is
    # refused (never merged, never answered with the receipt). "" for reports filed before.
    fingerprint = models.CharField(max_length=64, blank=True, default="")
    state = models.CharField(max_length=16, choices=State.choices, default=State.RECEIVED)
    finding = models.CharField(max_length=20, choices=Finding.choices, blank=True)
    not_accepted_reason = models.TextField(blank=True)
    received_at = models.DateTimeField()
    received_on = models.DateField()
    accept_due_on = models.DateField()
    accepted_on = models.DateField(null=True, blank=True)
    reply_due_on = models.DateField(null=True, blank=True)
    replied_on = models.DateField(null=True, blank=True)
    # Working days from receipt to the reply (for the public statistics).
    reply_working_days = models.IntegerField(null=True, blank=True)
    reply_read_at = models.DateTimeField(null=True, blank=True)
    rating = models.PositiveSmallIntegerField(null=True, blank=True)
    rating_comment = models.CharField(max_length=500, blank=True)
    # The deadline ("accept"/"reply") last reminded of and last escalated.
    reminded_for = models.CharField(max_length=8, blank=True)
    escalated_for = models.CharField(max_length=8, blank=True)
    escalated_to = models.CharField(max_length=12, blank=True)
    under_review = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["county_code", "office_code", "state"], name="reports_office_state"),
            models.Index(fields=["county_code", "township_code", "received_on"], name="reports_township_day"),
            models.Index(fields=["record_kind", "record_ref"], name="reports_record"),
        ]

    def __str__(self) -> str:
        return self.public_id

    @property
    def is_open(self) -> bool:
        return self.state in (State.RECEIVED, State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED)


class ConflictReason(models.TextChoices):
    NAMED = "named", _("Named in the report")
    EXCLUDED = "excluded", _("Excluded at the reporter's request")
    RECUSED = "recused", _("Recused")


class ReportConflict(models.Model):
    """A person who must never see this report (jurisdiction.scope_reports reads this)."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="conflicts")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(max_length=10, choices=ConflictReason.choices)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["report", "user"], name="reports_conflict_once")]

    def __str__(self) -> str:
        return f"{self.report_id} {self.reason}"


Report.add_to_class(
    "conflicted",
    models.ManyToManyField(settings.AUTH_USER_MODEL, through=ReportConflict, related_name="+"),
)


class Author(models.TextChoices):
    REPORTER = "reporter", _("Reporter")
    HANDLER = "handler", _("Discipline office")
    NOTE = "note", _("Internal note")


class Message(models.Model):
    """A message between reporter and office; NOTE messages never reach the reporter."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(max_length=10, choices=Author.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    body = models.TextField()
    is_reply = models.BooleanField(default=False)
    at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)
    # A reporter's message carries its form's idempotency key (hashed): a retry after a
    # lost connection finds the message it already stored.
    client_key = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "client_key"], condition=~models.Q(client_key=""), name="reports_message_once_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.report_id} {self.author}"


class Event(models.Model):
    """A step in the report's life; `public` ones make up the reporter's timeline."""

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    state = models.CharField(max_length=16, choices=State.choices, blank=True)
    kind = models.CharField(max_length=20)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    detail = models.TextField(blank=True)
    public = models.BooleanField(default=False)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.report_id} {self.kind}"


class File(models.Model):
    """Evidence: the cleaned copy officials work with, and the sealed original.

    Bytes live in the database so that a report and its evidence commit together: a
    receipt is never shown for a report whose photos might still be lost.
    """

    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="files")
    name = models.CharField(max_length=120)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    clean_copy = models.BinaryField()
    clean_sha256 = models.CharField(max_length=64)
    sealed = models.BinaryField()
    sealed_sha256 = models.CharField(max_length=64)
    from_reporter = models.BooleanField(default=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return self.name


class PhoneCheck(models.Model):
    report = models.OneToOneField(Report, on_delete=models.CASCADE, related_name="phone_check")
    code_hash = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return str(self.report_id)


# --- What the public figures and the Open311 feed read ---------------------------------
#
# Derived from published snapshots alone (`publication.derive_status`, `derive_figures`);
# a change to a report shows here only once `publication.reports_publish` has published
# it (the hourly sweep). Neither table holds text, names, the village or the record.


class PublishedStatus(models.Model):
    """A report's status as the Open311 feed shows it, from its `reports.status` snapshot."""

    county_code = models.CharField(max_length=12)
    public_id = models.CharField(max_length=16, unique=True)
    category = models.CharField(max_length=12, choices=Category.choices)
    state = models.CharField(max_length=16, choices=State.choices)
    received_on = models.DateField()
    updated_on = models.DateField()
    expected_on = models.DateField()
    office_code = models.CharField(max_length=12)
    office_name = models.CharField(max_length=100)
    publication_id = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["received_on", "public_id"], name="reports_published_received")]

    def __str__(self) -> str:
        return self.public_id


class Dimension(models.TextChoices):
    TOWNSHIP = "township", _("Township")
    CATEGORY = "category", _("Category")
    MONTH = "month", _("Month")


class PublishedFigure(models.Model):
    """One row of a county's published figures (`reports.figures` snapshot): counts only."""

    county_code = models.CharField(max_length=12)
    dimension = models.CharField(max_length=8, choices=Dimension.choices)
    key = models.CharField(max_length=12)  # a township's code, a category, or YYYY-MM
    label = models.CharField(max_length=100, blank=True)  # the township's name
    received = models.PositiveIntegerField()
    accepted = models.PositiveIntegerField()
    concluded = models.PositiveIntegerField()
    # Replies with a working-day count, and the sum of those counts: the average is
    # their quotient (a snapshot carries no fractions).
    replied = models.PositiveIntegerField()
    reply_days = models.PositiveIntegerField()
    publication_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county_code", "dimension", "key"], name="reports_published_figure_once")
        ]

    def __str__(self) -> str:
        return f"{self.county_code} {self.dimension} {self.key}"
