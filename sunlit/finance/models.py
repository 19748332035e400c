"""Village books: charts of accounts, vouchers and their entries, months, imports, and the
public tables derived from published month snapshots.

Two kinds of table live here and must not be confused:

- Working tables (Voucher, Entry, Month, Balance, Receipt, ImportBatch): what cadres,
  the supervision committee and the township agent write. Never read by public pages.
- Published tables (Published*, SearchText, SearchGram): rebuilt only from snapshots
  that went through `transparency.publish` (see `publication.derive`). Public pages read
  these and the snapshots themselves, so a villager sees exactly what was published.

Big tables carry the county and village codes and lead their indexes with them, so a
province can partition by county and a nation shard by it.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sunlit.finance import periods
from sunlit.lib.importbatch import ImportBatchBase, ImportClaimBase, ImportStatus  # noqa: F401 -- ImportStatus is re-exported
from sunlit.lib.uploads import UploadBase, upload_path


class Side(models.TextChoices):
    DEBIT = "D", _("debit")
    CREDIT = "C", _("credit")


class Category(models.TextChoices):
    ASSET = "asset", _("assets")
    LIABILITY = "liability", _("liabilities")
    EQUITY = "equity", _("owners' equity")
    COST = "cost", _("costs")
    INCOME = "income", _("income")
    EXPENSE = "expense", _("expenses")


class Chart(models.Model):
    """A chart of accounts (会计制度), loaded from a data file: 2004, 2023, or a later one."""

    code = models.CharField(_("code"), max_length=16, primary_key=True)
    name = models.CharField(_("name"), max_length=100)
    document = models.CharField(_("document"), max_length=100, blank=True)
    effective_from = models.DateField(_("in force from"))
    # The chart that this one replaces: balances carry over through Account.carries_from.
    succeeds = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    loaded_at = models.DateTimeField(_("loaded at"), auto_now=True)

    class Meta:
        ordering = ["effective_from"]
        verbose_name = _("chart of accounts")
        verbose_name_plural = _("charts of accounts")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Account(models.Model):
    chart = models.ForeignKey(Chart, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("code"), max_length=8)
    name = models.CharField(_("name"), max_length=60)
    name_en = models.CharField(_("English name"), max_length=100, blank=True)
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    side = models.CharField(_("normal balance"), max_length=1, choices=Side.choices)
    # "hand" (cash on hand) or "bank": what villagers read as money coming in and going
    # out; empty for every other account.
    cash = models.CharField(_("cash or bank"), max_length=4, blank=True)
    optional = models.BooleanField(_("optional"), default=False)
    # Codes in the preceding chart whose closing balances open this account.
    carries_from = models.JSONField(default=list, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["chart", "order"]
        constraints = [models.UniqueConstraint(fields=["chart", "code"], name="finance_account_chart_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def is_cash(self) -> bool:
        return bool(self.cash)


class FiscalYear(models.Model):
    """The chart a village keeps its books in for one year: fixed once it has vouchers."""

    village = models.ForeignKey("regions.Region", on_delete=models.PROTECT, db_column="village_code", related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    chart = models.ForeignKey(Chart, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village", "year"], name="finance_fiscalyear_village_year")]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}: {self.chart_id}"


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("cash")
    BANK = "bank", _("bank transfer")
    OTHER = "other", _("other")


class VoucherKind(models.TextChoices):
    NORMAL = "normal", _("voucher")
    REVERSAL = "reversal", _("reversing voucher")
    CORRECTION = "correction", _("correcting voucher")


class VoucherStatus(models.TextChoices):
    RECORDED = "recorded", _("recorded, awaiting review")
    RETURNED = "returned", _("returned by the supervision committee")
    REVIEWED = "reviewed", _("reviewed, awaiting countersignatures")
    COUNTERSIGNED = "countersigned", _("countersigned, awaiting posting")
    POSTED = "posted", _("posted")


class Source(models.TextChoices):
    MANUAL = "manual", _("entered here")
    IMPORT = "import", _("imported")


class Voucher(models.Model):
    """记账凭证: one transaction, its entries balanced, moving through the workflow."""

    county_code = models.CharField(max_length=12)
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, db_column="village_code", related_name="+", db_index=False
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("voucher number"))
    date = models.DateField(_("date"))
    period = models.PositiveIntegerField(_("month"))
    summary = models.CharField(_("summary"), max_length=200)
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    kind = models.CharField(_("kind"), max_length=12, choices=VoucherKind.choices, default=VoucherKind.NORMAL)
    # Indexed only where set (see Meta): almost every voucher corrects nothing.
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
        db_index=False,
    )
    status = models.CharField(_("status"), max_length=14, choices=VoucherStatus.choices, default=VoucherStatus.RECORDED)
    source = models.CharField(_("source"), max_length=8, choices=Source.choices, default=Source.MANUAL)
    import_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="vouchers", db_index=False
    )
    # Order-independent hash of the entries: an import skips a voucher it already holds
    # unchanged, and refuses one whose number is taken by different content.
    fingerprint = models.BigIntegerField(default=0)
    # People's keys carry no index: "what did this person do" is the audit log's question.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    recorded_at = models.DateTimeField(_("recorded at"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_opinion = models.TextField(_("review opinion"), blank=True)
    first_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    first_signed_at = models.DateTimeField(null=True, blank=True)
    second_signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    second_signed_at = models.DateTimeField(null=True, blank=True)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    posted_at = models.DateTimeField(_("posted at"), null=True, blank=True)
    # The exercise of a listed power that authorised this spending ("no power outside the
    # list"); the public page links its case page and its item's flowchart.
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="vouchers",
        verbose_name=_("authorising case"),
        db_index=False,
    )

    class Meta:
        verbose_name = _("voucher")
        verbose_name_plural = _("vouchers")
        constraints = [
            models.UniqueConstraint(fields=["village", "year", "number"], name="finance_voucher_village_year_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="finance_voucher_number_positive"),
            models.CheckConstraint(
                condition=Q(kind="normal") | Q(corrects__isnull=False), name="finance_voucher_correction_names_original"
            ),
        ]
        # Few indexes on purpose: an import writes half a million vouchers at a time.
        indexes = [
            models.Index(fields=["village", "period", "number"], name="finance_voucher_village_period"),
            models.Index(fields=["corrects"], condition=Q(corrects__isnull=False), name="finance_voucher_corrects"),
            models.Index(fields=["case"], condition=Q(case__isnull=False), name="finance_voucher_case"),
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.year}-{self.number}"

    @property
    def period_text(self) -> str:
        return periods.text(self.period)

    @property
    def reviewed(self) -> bool:
        return self.reviewed_at is not None


class Entry(models.Model):
    """分录: one line of a voucher. Amounts are positive integer fen; `side` says which."""

    county_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    # Indexed by the (voucher, line) constraint: a separate key index would be a second
    # B-tree over a million rows for nothing.
    voucher = models.ForeignKey(Voucher, on_delete=models.CASCADE, related_name="entries", db_index=False)
    line = models.PositiveSmallIntegerField(_("line"))
    account_code = models.CharField(_("account"), max_length=8)
    sub_account = models.CharField(_("sub-account"), max_length=60, blank=True)
    side = models.CharField(_("side"), max_length=1, choices=Side.choices)
    amount = models.BigIntegerField(_("amount (fen)"))
    summary = models.CharField(_("summary"), max_length=200)
    counterparty = models.CharField(_("counterparty"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [
            models.UniqueConstraint(fields=["voucher", "line"], name="finance_entry_voucher_line"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="finance_entry_amount_positive"),
        ]
        indexes = [models.Index(fields=["county_code", "village_code", "account_code"], name="finance_entry_account")]

    def __str__(self) -> str:
        return f"{self.voucher_id}/{self.line} {self.side} {self.account_code} {self.amount}"


class MonthStatus(models.TextChoices):
    OPEN = "open", _("open")
    CLOSED = "closed", _("closed, awaiting sign-off")
    PUBLISHED = "published", _("signed off and published")


class Month(models.Model):
    """One village's accounting month: open → closed (balances) → signed off (published)."""

    county_code = models.CharField(max_length=12)
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, db_column="village_code", related_name="+", db_index=False
    )
    period = models.PositiveIntegerField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=MonthStatus.choices, default=MonthStatus.OPEN)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(null=True, blank=True)
    signoff_opinion = models.TextField(_("sign-off opinion"), blank=True)
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["village", "period"], name="finance_month_village_period")]
        indexes = [models.Index(fields=["county_code", "status", "period"], name="finance_month_status")]

    def __str__(self) -> str:
        return f"{self.village_id} {periods.text(self.period)} {self.status}"

    @property
    def period_text(self) -> str:
        return periods.text(self.period)


class Balance(models.Model):
    """An account's balance for a closed month, debit-positive fen."""

    village_code = models.CharField(max_length=12)
    period = models.PositiveIntegerField()
    account_code = models.CharField(max_length=8)
    opening = models.BigIntegerField()
    debit = models.BigIntegerField()
    credit = models.BigIntegerField()
    closing = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["village_code", "period", "account_code"], name="finance_balance_key")
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.period} {self.account_code} {self.closing}"


def receipt_path(instance: Receipt, filename: str) -> str:
    # Named by migration 0001; the files are stored by lib.uploads.upload_path now.
    return f"finance/receipts/{instance.sha256[:2]}/{filename}"


class Receipt(UploadBase):
    """票据: a scan or photo attached to a voucher, cleaned of metadata before storing
    (sunlit/lib/uploads.py has the shared upload fields)."""

    upload_dir = "finance/receipts"

    voucher = models.ForeignKey(Voucher, on_delete=models.PROTECT, related_name="receipts")
    village_code = models.CharField(max_length=12)
    thumbnail = models.FileField(upload_to=upload_path, max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["voucher", "sha256"], name="finance_receipt_once_per_voucher")]

    def __str__(self) -> str:
        return f"{self.voucher_id} {self.sha256[:12]}"


def import_path(instance: ImportBatch, filename: str) -> str:
    # Named by migration 0001; the batch's file is stored by importbatch.batch_path now.
    return f"finance/imports/{filename}"


class ImportBatch(ImportBatchBase):
    """One uploaded book-keeping export (sunlit/lib/importbatch.py has the shared fields)."""

    vouchers_created = models.PositiveIntegerField(default=0)
    entries_created = models.PositiveIntegerField(default=0)
    vouchers_unchanged = models.PositiveIntegerField(default=0)


class ImportClaim(ImportClaimBase):
    """A village's books of one year, held by the import writing them (voucher numbers
    run per village and year)."""


# --- published: derived only from snapshots that went through publish() ----------------


class PublishedMonth(models.Model):
    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    period = models.PositiveIntegerField()
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    snapshot_sha256 = models.CharField(max_length=64)
    # When the log received it, and the day the supervision committee signed it off (the
    # snapshot's signed_off_on). The same day on a sign-off here; books published later
    # (history brought online, the demo) keep their sign-off day, and timeliness counts it.
    published_at = models.DateTimeField()
    signed_off_on = models.DateField()
    deadline = models.DateField()
    days_to_publish = models.IntegerField()
    late = models.BooleanField()
    vouchers = models.PositiveIntegerField()
    entries = models.PositiveIntegerField()
    income = models.BigIntegerField()
    expense = models.BigIntegerField()
    cash_closing = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["county_code", "village_code", "period"], name="finance_pubmonth_key")
        ]
        indexes = [
            models.Index(fields=["county_code", "township_code", "signed_off_on"], name="finance_pubmonth_township"),
            models.Index(fields=["county_code", "township_code", "late", "period"], name="finance_pubmonth_late"),
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.period}"


class PublishedEntry(models.Model):
    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    period = models.PositiveIntegerField()
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    line = models.PositiveSmallIntegerField()
    date = models.DateField()
    account_code = models.CharField(max_length=8)
    account_name = models.CharField(max_length=60)
    side = models.CharField(max_length=1)
    amount = models.BigIntegerField()
    summary = models.CharField(max_length=200)
    counterparty = models.CharField(max_length=100)
    payment_method = models.CharField(max_length=10)
    direction = models.CharField(max_length=10)
    kind = models.CharField(max_length=12)
    case_number = models.CharField(max_length=40)
    receipts = models.PositiveSmallIntegerField()
    summary_text = models.BigIntegerField(null=True)
    counterparty_text = models.BigIntegerField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["county_code", "village_code", "period", "number", "line"], name="finance_pubentry_month"
            ),
            models.Index(
                fields=["county_code", "village_code", "account_code", "date"], name="finance_pubentry_account"
            ),
            # Search: a text's entries of a township, newest first, from the index alone.
            models.Index(
                fields=["county_code", "township_code", "summary_text", "date"], name="finance_pubentry_summary"
            ),
            models.Index(
                fields=["county_code", "township_code", "counterparty_text", "date"],
                name="finance_pubentry_counterparty",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.year}-{self.number}/{self.line}"


class PublishedBalance(models.Model):
    county_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    period = models.PositiveIntegerField()
    account_code = models.CharField(max_length=8)
    account_name = models.CharField(max_length=60)
    side = models.CharField(max_length=1)
    opening = models.BigIntegerField()
    debit = models.BigIntegerField()
    credit = models.BigIntegerField()
    closing = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["county_code", "village_code", "account_code", "period"], name="finance_pubbalance_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_code} {self.period} {self.account_code}"


class PublishedCorrection(models.Model):
    """A published reversing or correcting voucher, found from the month it corrects."""

    county_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    target_period = models.PositiveIntegerField()
    target_year = models.PositiveSmallIntegerField()
    target_number = models.PositiveIntegerField()
    period = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=12)
    summary = models.CharField(max_length=200)
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["county_code", "village_code", "target_period"], name="finance_pubcorr_target")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.year}-{self.number} → {self.target_year}-{self.target_number}"


class PublishedReceipt(models.Model):
    county_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    sha256 = models.CharField(max_length=64)
    period = models.PositiveIntegerField()
    year = models.PositiveSmallIntegerField()
    number = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )

    class Meta:
        indexes = [models.Index(fields=["sha256"], name="finance_pubreceipt_sha")]

    def __str__(self) -> str:
        return f"{self.village_code} {self.sha256[:12]}"


class SearchText(models.Model):
    """A distinct summary or counterparty text of one township's published entries.

    Village books repeat themselves (电费, 工资, the same suppliers month after month), so
    indexing distinct texts rather than entries keeps the gram index a fraction of the
    entry count.
    """

    township_code = models.CharField(max_length=12)
    text = models.CharField(max_length=200)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["township_code", "text"], name="finance_searchtext_key")]

    def __str__(self) -> str:
        return f"{self.township_code} {self.text}"


class SearchGram(models.Model):
    """Inverted index: which texts of a township contain a character pair.

    `gram` packs two code points into one integer (first × 0x110000 + second; a text's last
    character pairs with 0), so a one-character query is a range scan and every lookup is
    an integer comparison in both SQLite and PostgreSQL, with no collation involved.
    """

    pk = models.CompositePrimaryKey("township_code", "gram", "text_id")
    township_code = models.CharField(max_length=12)
    gram = models.BigIntegerField()
    text_id = models.BigIntegerField()

    def __str__(self) -> str:
        return f"{self.township_code} {self.gram} {self.text_id}"
