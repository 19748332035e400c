"""The micro-power list as versioned data.

A version is the whole list as loaded from one file: its text is kept byte for byte
(with its SHA-256), and its items are rows that never change afterwards. Loading a
revised list adds a version and moves `is_current`; cases keep pointing at the item
row of the version they started under, so an old case walks its old flow.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sunlit.powers.flow import Flow, Item, MeetingRule, Risk


def english() -> bool:
    return (get_language() or "").startswith("en")


class PowerListVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    source = models.TextField(_("source file"))
    sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    loaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    is_current = models.BooleanField(_("current"), default=False)
    # Small, read with the version, never queried into: JSON rather than tables.
    # key → MeetingRule.to_dict() plus "basis".
    meetings = models.JSONField(default=dict)
    # key → {"name_zh", "name_en", "prefix"}: to name the groups of included steps.
    subflows = models.JSONField(default=dict)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("power-list version")
        constraints = [
            # One current list at a time, enforced by the database, not by hope.
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="powers_one_current_version"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.label}"

    @property
    def display_label(self) -> str:
        return self.label_en if english() and self.label_en else self.label

    def meeting_rules(self) -> dict[str, MeetingRule]:
        return {key: MeetingRule.from_dict(data) for key, data in self.meetings.items()}

    def meeting_rule(self, key: str) -> MeetingRule:
        return MeetingRule.from_dict(self.meetings[key])


class ItemDisplay:
    """What the pages show of an item, for the working row and the published one alike."""

    name_zh: str
    name_en: str
    exerciser: str
    exerciser_en: str
    supervisor: str
    supervisor_en: str
    fee: str
    fee_en: str
    basis: str
    flow: Any

    @property
    def name(self) -> str:
        return self.name_en if english() else self.name_zh

    @property
    def exerciser_display(self) -> str:
        return self.exerciser_en if english() and self.exerciser_en else self.exerciser

    @property
    def supervisor_display(self) -> str:
        return self.supervisor_en if english() and self.supervisor_en else self.supervisor

    @property
    def fee_display(self) -> str:
        return self.fee_en if english() and self.fee_en else self.fee

    @property
    def basis_lines(self) -> list[str]:
        return [line for line in self.basis.splitlines() if line.strip()]

    def get_flow(self) -> Flow:
        cached: Flow | None = self.__dict__.get("_flow")
        if cached is None:
            cached = Flow.from_dict(self.flow)
            self.__dict__["_flow"] = cached
        return cached


class PowerItem(ItemDisplay, models.Model):
    class Category(models.TextChoices):
        MAJOR = "major", _("major decisions")
        DAILY = "daily", _("daily management")
        SERVICE = "service", _("convenience services")

    version = models.ForeignKey(PowerListVersion, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    basis = models.TextField(_("policy basis"))
    exerciser = models.CharField(_("exercised by"), max_length=300)
    exerciser_en = models.CharField(max_length=300, blank=True)
    supervisor = models.CharField(_("supervised by"), max_length=300)
    supervisor_en = models.CharField(max_length=300, blank=True)
    conditions = models.JSONField(_("conditions"), default=list)
    materials = models.JSONField(_("required materials"), default=list)
    time_limit_days = models.PositiveIntegerField(_("time limit (working days)"))
    fee = models.CharField(_("fee"), max_length=200)
    fee_en = models.CharField(max_length=200, blank=True)
    risks = models.JSONField(_("risk points"), default=list)  # [{"point", "measure"}]
    flow = models.JSONField(_("flow"))  # flow.Flow.to_dict()
    level = models.CharField(_("opened at"), max_length=10, default="village")
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Only for this township's villages (特色清单)"),
    )
    local = models.BooleanField(_("locally defined"), default=False)
    needs_amount = models.BooleanField(default=False)
    needs_applicant = models.BooleanField(default=False)
    replaces = models.JSONField(default=list)  # codes of the previous version it merges or renames
    # The kinds of record a case of this item may authorise ("finance.voucher",
    # "welfare.payment:dibao" …; sunlit/powers/loader.py PURPOSES). Kept on the row of
    # its own version, so a case is judged by the list it was decided under.
    authorises = models.JSONField(default=list)
    line = models.PositiveIntegerField(default=0)  # where it starts in the source file

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="powers_item_code_once")]
        indexes = [models.Index(fields=["version", "township"])]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"

    def may_authorise(self, purpose: str) -> bool:
        return purpose in self.authorises

    def as_item(self) -> Item:
        extra: dict[str, Any] = {
            "exerciser_en": self.exerciser_en,
            "supervisor_en": self.supervisor_en,
            "fee_en": self.fee_en,
            "replaces": list(self.replaces),
            "authorises": list(self.authorises),
            "line": self.line,
        }
        return Item(
            code=self.code,
            name_zh=self.name_zh,
            name_en=self.name_en,
            category=self.category,
            basis=self.basis,
            exerciser=self.exerciser,
            supervisor=self.supervisor,
            conditions=tuple(self.conditions),
            materials=tuple(self.materials),
            time_limit_days=self.time_limit_days,
            fee=self.fee,
            risks=tuple(Risk(**r) for r in self.risks),
            flow=self.get_flow(),
            level=self.level,
            township=self.township_id,
            local=self.local,
            needs_amount=self.needs_amount,
            needs_applicant=self.needs_applicant,
            extra=extra,
        )


# --- What the public pages read ---------------------------------------------------------
#
# Derived from the published snapshots alone (`publication.derive`): a working row edited
# after its version was published changes nothing here, and the tables can be dropped
# and rebuilt from the publication log (`sunlit powers publish`).


class PublishedVersion(models.Model):
    number = models.PositiveIntegerField(_("version"), unique=True)
    label = models.CharField(_("label"), max_length=200)
    label_en = models.CharField(_("English label"), max_length=200, blank=True)
    sha256 = models.CharField(_("SHA-256 of the source"), max_length=64)
    loaded_at = models.DateTimeField(_("loaded at"))
    # The highest published number: a revert is a new number, so the newest is in force.
    is_current = models.BooleanField(_("current"), default=False)
    meetings = models.JSONField(default=dict)
    subflows = models.JSONField(default=dict)
    publication_id = models.BigIntegerField()

    class Meta:
        ordering = ["-number"]
        verbose_name = _("published power-list version")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"], condition=Q(is_current=True), name="powers_one_current_published"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number} {self.label}"

    @property
    def display_label(self) -> str:
        return self.label_en if english() and self.label_en else self.label


class PublishedItem(ItemDisplay, models.Model):
    version = models.ForeignKey(PublishedVersion, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField(_("position"))
    code = models.CharField(_("code"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    category = models.CharField(_("category"), max_length=10, choices=PowerItem.Category.choices)
    basis = models.TextField(_("policy basis"))
    exerciser = models.CharField(_("exercised by"), max_length=300)
    exerciser_en = models.CharField(max_length=300, blank=True)
    supervisor = models.CharField(_("supervised by"), max_length=300)
    supervisor_en = models.CharField(max_length=300, blank=True)
    conditions = models.JSONField(_("conditions"), default=list)
    materials = models.JSONField(_("required materials"), default=list)
    time_limit_days = models.PositiveIntegerField(_("time limit (working days)"))
    fee = models.CharField(_("fee"), max_length=200)
    fee_en = models.CharField(max_length=200, blank=True)
    risks = models.JSONField(_("risk points"), default=list)
    flow = models.JSONField(_("flow"))
    level = models.CharField(_("opened at"), max_length=10, default="village")
    # The township's code as published; no database constraint, so that a rebuild from the
    # log never fails on a region renumbered since.
    township = models.ForeignKey(
        "regions.Region",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    local = models.BooleanField(_("locally defined"), default=False)
    needs_amount = models.BooleanField(default=False)
    needs_applicant = models.BooleanField(default=False)
    replaces = models.JSONField(default=list)
    authorises = models.JSONField(default=list)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="powers_published_item_code_once")]
        indexes = [models.Index(fields=["version", "township"], name="powers_published_township")]

    def __str__(self) -> str:
        return f"{self.code} {self.name_zh}"
