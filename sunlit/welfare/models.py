"""Benefit programmes, the households and members they pay, the payments, and the register
of cadres' close relatives (近亲属备案).

Identity numbers are never stored in plain text (sunlit/lib/idnumbers.py): a member or a
declared relative carries the keyed fingerprint (for lookups and for "the same number in
two households"), the sealed text (AES-GCM, opened only for a lawful export) and the last
four characters (what pages show).

Payments carry the county and village codes, and their lookups lead with them
(architecture: big tables partition by county). Money is integer fen.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from sunlit.lib.importbatch import ImportBatchBase, ImportClaimBase, ImportStatus  # noqa: F401 -- ImportStatus is re-exported


class Rhythm(models.TextChoices):
    MONTHLY = "monthly", _("monthly")
    QUARTERLY = "quarterly", _("quarterly")
    YEARLY = "yearly", _("yearly")
    ONE_OFF = "one_off", _("one-off")
    AS_NEEDED = "as_needed", _("as needed")


class Per(models.TextChoices):
    HOUSEHOLD = "household", _("the household")
    MEMBER = "member", _("a member")


class Programme(models.Model):
    """A benefit programme, loaded from data/programmes.yaml (sunlit welfare programmes load)."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    short_zh = models.CharField(_("short name"), max_length=40)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    # The code of its power-list item (the list is versioned; the code is stable).
    item_code = models.CharField(_("power-list item"), max_length=40)
    rhythm = models.CharField(_("paid"), max_length=10, choices=Rhythm.choices)
    per = models.CharField(_("paid to"), max_length=10, choices=Per.choices)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(pgettext_lazy("programme", "active"), default=True)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("programme")

    def __str__(self) -> str:
        return self.short_zh

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "").startswith("en") else self.short_zh


class Status(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("household member", "active")
    MOVED_OUT = "moved_out", _("moved out")
    DECEASED = "deceased", _("deceased")


class Relation(models.TextChoices):
    HEAD = "head", _("head of household")
    SPOUSE = "spouse", _("spouse")
    CHILD = "child", _("child")
    PARENT = "parent", _("parent")
    GRANDCHILD = "grandchild", _("grandchild")
    SIBLING = "sibling", _("brother or sister")
    CHILD_IN_LAW = "child_in_law", _("son- or daughter-in-law")
    OTHER = "other", _("other relative")


class Household(models.Model):
    county_code = models.CharField(_("county code"), max_length=12)
    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
        verbose_name=_("village"),
    )
    # The village's own register number (户号), e.g. "0012": unique in the village.
    number = models.CharField(_("household number"), max_length=20)
    # The last four digits of the one-card (一卡通) account the benefits are paid into.
    card_last4 = models.CharField(_("one-card account (last 4)"), max_length=4, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_on = models.DateField(_("since"), null=True, blank=True)
    created_at = models.DateTimeField(_("recorded at"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_batch = models.ForeignKey(
        "welfare.ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["village", "number"]
        verbose_name = _("household")
        constraints = [
            models.UniqueConstraint(fields=["village", "number"], name="welfare_household_number_once"),
            models.CheckConstraint(condition=~Q(status="deceased"), name="welfare_household_not_deceased"),
        ]
        indexes = [models.Index(fields=["county_code", "village", "number"], name="welfare_household_list")]

    def __str__(self) -> str:
        return f"{self.village_id}-{self.number}"

    @property
    def label(self) -> str:
        """How a household is named to someone who may not see its people."""
        return f"{self.village_id}-{self.number}"


class Member(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relation = models.CharField(_("relation to the head"), max_length=14, choices=Relation.choices)
    # The ID number: fingerprint (unique: one person, one household), sealed text, tail.
    id_fingerprint = models.CharField(max_length=64, unique=True)
    id_sealed = models.TextField()
    id_last4 = models.CharField(_("ID number (last 4)"), max_length=4)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    status_on = models.DateField(_("since"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["household", "position", "id"]
        verbose_name = _("household member")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="active") | Q(status_on__isnull=False), name="welfare_member_status_dated"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id}/{self.position}"

    @property
    def id_masked(self) -> str:
        return "*" * 14 + self.id_last4


class Channel(models.TextChoices):
    CARD = "card", _("one-card account (一卡通)")
    BANK = "bank", _("bank transfer")
    CASH = "cash", _("cash")
    KIND = "kind", _("in kind")


PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


class ImportBatch(ImportBatchBase):
    """One uploaded register of households and payments (sunlit/lib/importbatch.py has the
    shared fields)."""

    households_created = models.PositiveIntegerField(default=0)
    members_created = models.PositiveIntegerField(default=0)
    payments_created = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)

    class Meta(ImportBatchBase.Meta):
        verbose_name = _("welfare import")


class ImportClaim(ImportClaimBase):
    """A village's household register, or one programme's payments of one period in a
    village, held by the import writing them."""


class RelativeDeclaration(models.Model):
    """A cadre's close relative (近亲属备案): payments to them are marked for review."""

    cadre = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("cadre")
    )
    # Where the cadre serves: the village whose committee and township review the marks.
    village = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        db_column="village_code",
        related_name="+",
        verbose_name=_("village"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    relation = models.CharField(_("relation to the cadre"), max_length=40)
    id_fingerprint = models.CharField(max_length=64, db_index=True)
    id_sealed = models.TextField()
    id_last4 = models.CharField(_("ID number (last 4)"), max_length=4)
    declared_at = models.DateTimeField(_("declared at"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["-declared_at", "-id"]
        verbose_name = _("declared relative")
        constraints = [
            models.UniqueConstraint(
                fields=["cadre", "id_fingerprint"], condition=Q(withdrawn_at__isnull=True), name="welfare_relative_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cadre_id}:{self.id_last4}"


class Payment(models.Model):
    county_code = models.CharField(_("county code"), max_length=12)
    village_code = models.CharField(_("village code"), max_length=12)
    programme = models.ForeignKey(
        Programme, on_delete=models.PROTECT, related_name="payments", verbose_name=_("programme")
    )
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="payments", verbose_name=_("household")
    )
    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, null=True, blank=True, related_name="payments", verbose_name=_("member")
    )
    # "2024-03" (a month), "2024-Q1" (a quarter) or "2024" (a year, or a one-off in it).
    period = models.CharField(_("period"), max_length=7)
    year = models.PositiveSmallIntegerField(_("year"))
    amount_fen = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    channel = models.CharField(_("channel"), max_length=6, choices=Channel.choices, default=Channel.CARD)
    # The approved application that authorises it ("no power outside the list"). Empty
    # for payments brought in from before the platform: shown as such, a red flag.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authorising case"),
    )
    # Marks (accepted, but shown to reviewers and on the back-office lists).
    after_death = models.BooleanField(_("paid after the date of death"), default=False)
    moved_out = models.BooleanField(_("paid after moving out"), default=False)
    relative = models.ForeignKey(
        RelativeDeclaration,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        verbose_name=_("declared relative of a cadre"),
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-paid_on", "-id"]
        verbose_name = _("payment")
        constraints = [
            models.CheckConstraint(condition=Q(amount_fen__gt=0), name="welfare_payment_positive"),
            # One payment per programme, household, member and period: an import run twice
            # changes nothing. A member-less payment is unique through the condition.
            models.UniqueConstraint(fields=["programme", "household", "member", "period"], name="welfare_payment_once"),
            models.UniqueConstraint(
                fields=["programme", "household", "period"],
                condition=Q(member__isnull=True),
                name="welfare_payment_once_household",
            ),
        ]
        indexes = [
            models.Index(fields=["county_code", "village_code", "programme", "year"], name="welfare_payment_list"),
            models.Index(fields=["county_code", "village_code", "household"], name="welfare_payment_household"),
        ]

    def __str__(self) -> str:
        return f"{self.programme_id}/{self.household_id}/{self.period}"

    @property
    def marked(self) -> bool:
        return self.after_death or self.moved_out or self.relative_id is not None


class PublishedList(models.Model):
    """What one published list (village × programme × year) adds up to: derived from its
    snapshot alone, for the poverty-alleviation section's charts and tables."""

    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    village_name = models.CharField(max_length=100)
    programme = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    publication_id = models.BigIntegerField()
    households = models.PositiveIntegerField()
    payments = models.PositiveIntegerField()
    amount_fen = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village_code", "programme", "year"], name="welfare_published_list_once")
        ]
        indexes = [models.Index(fields=["county_code", "township_code", "year"], name="welfare_published_area")]

    def __str__(self) -> str:
        return f"{self.village_code}-{self.programme}-{self.year}"
