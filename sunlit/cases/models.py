"""Each exercise of a power (a case) and its record: actions, attachments, opinions, objections.

A case points at the list item *version* it started under (powers.PowerItem), forever:
a revised list changes new cases, never the flow of one already under way. The Case row
is the working state; what villagers see is the snapshot published after every change
(services.case_snapshot), never this table.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunlit.lib.uploads import UploadBase


class CaseState(models.TextChoices):
    # A context keeps these apart from the same English words in other rooms' catalogues.
    OPEN = "open", pgettext_lazy("case state", "open")
    PAUSED = "paused", pgettext_lazy("case state", "paused by an objection")
    APPROVED = "approved", pgettext_lazy("case state", "approved")
    REJECTED = "rejected", pgettext_lazy("case state", "rejected")
    WITHDRAWN = "withdrawn", pgettext_lazy("case state", "withdrawn")


CLOSED_STATES = (CaseState.APPROVED, CaseState.REJECTED, CaseState.WITHDRAWN)


class Case(models.Model):
    # "431382101201-2026-0007": the village, the year it was opened, its order there.
    # Readable over the phone and typed on a kiosk by the applicant following it.
    number = models.CharField(_("case number"), max_length=40, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    seq = models.PositiveIntegerField(_("sequence"))
    item = models.ForeignKey(
        "powers.PowerItem", on_delete=models.PROTECT, related_name="cases", verbose_name=_("list item")
    )
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="cases", verbose_name=_("village")
    )
    county_code = models.CharField(_("county code"), max_length=12)
    subject = models.CharField(_("subject"), max_length=200)
    amount_fen = models.BigIntegerField(_("amount (fen)"), null=True, blank=True)
    # The applicant household for services. Only the last four characters of the ID
    # number, to tell namesakes apart: the number itself is never stored here.
    applicant_name = models.CharField(_("applicant"), max_length=50, blank=True)
    applicant_id_last4 = models.CharField(_("last four of the ID number"), max_length=4, blank=True)
    state = models.CharField(_("state"), max_length=12, choices=CaseState.choices, default=CaseState.OPEN)
    current_step = models.CharField(_("current step"), max_length=60, blank=True)
    step_started_at = models.DateTimeField(_("step started at"), null=True, blank=True)
    step_due_on = models.DateField(_("step due on"), null=True, blank=True)
    publicity_ends_at = models.DateTimeField(_("notice period ends at"), null=True, blank=True)
    paused_at = models.DateTimeField(_("paused at"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(pgettext_lazy("case", "opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Optimistic lock: every change of state increments it, and a change is only written
    # WHERE version = the version the actor's form was drawn from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "seq"], name="case_number_per_village_year"),
            models.CheckConstraint(
                condition=Q(amount_fen__isnull=True) | Q(amount_fen__gte=0), name="case_amount_not_negative"
            ),
        ]
        indexes = [
            # Lists of a village or township, newest first; the overdue sweep.
            models.Index(fields=["county_code", "village", "state", "opened_at"], name="case_village_list"),
            models.Index(fields=["county_code", "state", "step_due_on"], name="case_due"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.state in CLOSED_STATES

    @property
    def applicant_masked(self) -> str:
        return mask_name(self.applicant_name)


def mask_name(name: str) -> str:
    """王小明 → 王*: the surname only, and never the length of the given name."""
    name = (name or "").strip()
    return f"{name[0]}*" if name else ""


class ActionKind(models.TextChoices):
    STEP = "step", _("step completed")
    OBJECTION = "objection", _("objection upheld")
    WITHDRAW = "withdraw", _("withdrawn")


class MeetingResult(models.TextChoices):
    PASSED = "passed", _("passed")
    NO_QUORUM = "no_quorum", _("failed: no quorum")
    NO_MAJORITY = "no_majority", _("failed: no majority")


class CaseAction(models.Model):
    """One thing done to a case, in order: a step completed (or a meeting that could not
    decide), an objection upheld, a withdrawal. Never changed once written."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="actions")
    seq = models.PositiveIntegerField()
    kind = models.CharField(max_length=12, choices=ActionKind.choices, default=ActionKind.STEP)
    step_key = models.CharField(_("step"), max_length=60)
    # approve / reject / return as it took effect (a failed vote turns approve into
    # reject); empty when nothing was decided (a meeting without a quorum, a withdrawal).
    outcome = models.CharField(_("outcome"), max_length=12, blank=True)
    target = models.CharField(_("next"), max_length=60, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    acted_at = models.DateTimeField(_("acted at"))
    decision = models.TextField(_("decision"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    meeting = models.CharField(_("meeting"), max_length=40, blank=True)
    expected = models.PositiveIntegerField(_("expected to attend"), null=True, blank=True)
    present = models.PositiveIntegerField(_("present"), null=True, blank=True)
    households_expected = models.PositiveIntegerField(_("households expected"), null=True, blank=True)
    households_present = models.PositiveIntegerField(_("households present"), null=True, blank=True)
    votes_for = models.PositiveIntegerField(_("for"), null=True, blank=True)
    votes_against = models.PositiveIntegerField(_("against"), null=True, blank=True)
    votes_abstain = models.PositiveIntegerField(_("abstaining"), null=True, blank=True)
    meeting_result = models.CharField(_("result"), max_length=12, choices=MeetingResult.choices, blank=True)
    # Copied from the step when a decision was taken: the separation-of-duties rule
    # (engine.decision_refusal: among others, nobody takes two decisions of one case)
    # reads it here.
    approval = models.BooleanField(default=False)

    class Meta:
        ordering = ["case", "seq"]
        constraints = [models.UniqueConstraint(fields=["case", "seq"], name="case_action_seq")]
        indexes = [models.Index(fields=["case", "actor", "approval"], name="case_action_approvals")]

    def __str__(self) -> str:
        return f"{self.case_id}#{self.seq} {self.step_key} {self.outcome}"


class Attachment(UploadBase):
    """A document of a case or of one of its steps (sunlit/lib/uploads.py has the shared
    upload fields)."""

    # Unused for storing: the service files an attachment under its case itself
    # (content-addressed, so the same scan attached twice is stored once).
    upload_dir = "cases"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="attachments")
    action = models.ForeignKey(CaseAction, on_delete=models.PROTECT, null=True, blank=True, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=40)
    # The hash of the bytes received, before cleaning, for the case's record.
    original_sha256 = models.CharField(max_length=64)
    # Someone acting on the case always uploads it.
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["case", "id"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"


class Opinion(models.Model):
    """The supervision committee's opinion on a step (村监会意见), on the record."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="opinions")
    step_key = models.CharField(_("step"), max_length=60)
    text = models.TextField(_("opinion"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["case", "at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step_key}: {self.text[:40]}"


class Objection(models.Model):
    """An objection raised while a notice is up; it pauses the case until resolved."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="objections")
    step_key = models.CharField(_("step"), max_length=60)
    text = models.TextField(_("objection"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(_("resolution"), blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)

    class Meta:
        ordering = ["case", "recorded_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step_key}: {self.text[:40]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


class Reminder(models.Model):
    """That the people who can act were reminded of an overdue step on a given day."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="reminders")
    step_key = models.CharField(max_length=60)
    sent_on = models.DateField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "step_key", "sent_on"], name="case_reminder_once_a_day")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.step_key} {self.sent_on}"
