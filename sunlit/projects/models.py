"""Village construction projects: registry, funding, tender and bids, contract and its
amendments, milestones, payments, acceptance, documents; and the public table derived
from published project snapshots.

Working tables (everything but PublishedProject) are written by cadres and the township
and never read by public pages. PublishedProject is rebuilt only from snapshots that went
through `transparency.publish` (see `publication.derive`).

Every field the risk engine needs (domain.md §7) is kept: the quotes and who was
disqualified and why, the notice and deadline dates (notice period), the award against
the budget, each change order's value, payments with their dates against the progress
and the acceptance date.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from sunlit.lib.importbatch import ImportBatchBase, ImportClaimBase, ImportStatus  # noqa: F401 -- ImportStatus is re-exported
from sunlit.lib.uploads import UploadBase, upload_path


class Category(models.TextChoices):
    ROAD = "road", _("road hardening")
    WATER = "water", _("drinking water and irrigation")
    LIGHTING = "lighting", _("street lighting")
    BUILDING = "building", _("public buildings")
    ENVIRONMENT = "environment", _("living environment")
    INDUSTRY = "industry", _("industry and agriculture")
    PURCHASE = "purchase", _("purchase of goods and services")
    OTHER = "other", _("other")


class FundingKind(models.TextChoices):
    FISCAL = "fiscal", _("fiscal funds")
    POVERTY = "poverty", _("poverty-alleviation funds")
    COLLECTIVE = "collective", _("collective funds")
    DONATION = "donation", _("donations")


class Status(models.TextChoices):
    PLANNED = "planned", _("planned")
    TENDERING = "tendering", _("tendering")
    CONTRACTED = "contracted", _("contract signed")
    BUILDING = "building", _("under construction")
    ACCEPTED = "accepted", pgettext_lazy("project", "accepted")
    CANCELLED = "cancelled", _("cancelled")


class Source(models.TextChoices):
    MANUAL = "manual", _("entered here")
    IMPORT = "import", _("imported")
    DEMO = "demo", _("demo data")


class Project(models.Model):
    county_code = models.CharField(max_length=12)
    village = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, db_column="village_code", related_name="+", db_index=False
    )
    number = models.CharField(_("project number"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    budget = models.BigIntegerField(_("budget (fen)"))
    # The exercise of the power-list item (village construction project or purchase)
    # that authorised the project: "no power outside the list". Empty only for history
    # brought in from before the list existed (the risk engine flags it).
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("authorising case"),
        db_index=False,
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PLANNED)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)
    import_batch = models.ForeignKey(
        "ImportBatch", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    # Hash of the imported rows: importing the same records again changes nothing.
    import_fingerprint = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    # The current publication (None until first published).
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        constraints = [models.CheckConstraint(condition=Q(budget__gte=0), name="projects_project_budget")]
        indexes = [models.Index(fields=["village", "year"], name="projects_project_village")]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Funding(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funding")
    kind = models.CharField(_("funding source"), max_length=12, choices=FundingKind.choices)
    amount = models.BigIntegerField(_("amount (fen)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="projects_funding_once"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="projects_funding_amount"),
        ]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.amount}"


class Method(models.TextChoices):
    OPEN = "open", _("public tender")
    INVITED = "invited", _("invited tender")
    QUOTES = "quotes", _("at least three quotes")
    DIRECT = "direct", _("direct award")


class Tender(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="tender")
    method = models.CharField(_("method"), max_length=8, choices=Method.choices)
    # Required for a direct award: why there was no competition.
    direct_reason = models.CharField(_("reason for direct award"), max_length=300, blank=True)
    notice_on = models.DateField(_("notice published on"), null=True, blank=True)
    deadline_on = models.DateField(_("bids due by"), null=True, blank=True)
    opened_on = models.DateField(_("bids opened on"), null=True, blank=True)
    # "4+X": discipline, economic management, finance, planning + the sector department.
    supervisors = models.JSONField(_("supervised by"), default=list, blank=True)
    winner = models.ForeignKey("Bid", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self) -> str:
        return f"{self.project_id} {self.method}"


class BidStatus(models.TextChoices):
    VALID = "valid", _("valid")
    DISQUALIFIED = "disqualified", _("disqualified")


class Bid(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="bids")
    bidder = models.CharField(_("bidder"), max_length=200)
    quote = models.BigIntegerField(_("quote (fen)"))
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=BidStatus.choices, default=BidStatus.VALID)
    reason = models.CharField(_("reason for disqualification"), max_length=300, blank=True)

    class Meta:
        ordering = ["quote", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "bidder"], name="projects_bid_once"),
            models.CheckConstraint(condition=Q(quote__gte=0), name="projects_bid_quote"),
        ]

    def __str__(self) -> str:
        return f"{self.bidder} {self.quote}"


class ContractorKind(models.TextChoices):
    ORGANISATION = "org", _("organisation")
    INDIVIDUAL = "person", _("individual")


class Contract(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="contract")
    contractor = models.CharField(_("contractor"), max_length=200)
    contractor_kind = models.CharField(_("contractor is"), max_length=6, choices=ContractorKind.choices)
    # 统一社会信用代码 of an organisation: public.
    credit_code = models.CharField(_("unified social credit code"), max_length=18, blank=True)
    # An individual's ID number: never stored in plain text, never shown in full.
    id_fingerprint = models.CharField(max_length=64, blank=True, db_index=True)
    id_sealed = models.TextField(blank=True)
    id_last4 = models.CharField(max_length=4, blank=True)
    value = models.BigIntegerField(_("contract value (fen)"))
    signed_on = models.DateField(_("signed on"))

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(value__gte=0), name="projects_contract_value")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.contractor}"


class Amendment(models.Model):
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="amendments")
    signed_on = models.DateField(_("signed on"))
    value_change = models.BigIntegerField(_("value change (fen)"))
    reason = models.CharField(_("reason"), max_length=300)

    class Meta:
        ordering = ["signed_on", "id"]

    def __str__(self) -> str:
        return f"{self.contract_id} {self.value_change:+d}"


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    date = models.DateField(_("date"))
    title = models.CharField(_("milestone"), max_length=200)
    progress = models.PositiveSmallIntegerField(_("physical progress (%)"))

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(progress__lte=100), name="projects_milestone_progress")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.date} {self.progress}%"


class DocumentKind(models.TextChoices):
    TENDER_NOTICE = "tender_notice", _("tender notice")
    EVALUATION = "evaluation", _("bid evaluation report")
    CONTRACT = "contract", _("contract")
    PHOTO = "photo", _("progress photo")
    ACCEPTANCE = "acceptance", _("acceptance report")
    OTHER = "other", _("other document")


def document_path(instance: Document, filename: str) -> str:
    # Named by migration 0001; the files are stored by lib.uploads.upload_path now.
    return f"projects/documents/{instance.sha256[:2]}/{filename}"


class Document(UploadBase):
    """A project's document or photo (sunlit/lib/uploads.py has the shared upload fields)."""

    upload_dir = "projects/documents"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, null=True, blank=True, related_name="photos")
    kind = models.CharField(_("kind"), max_length=14, choices=DocumentKind.choices)
    title = models.CharField(pgettext_lazy("document", "title"), max_length=200, blank=True)
    thumbnail = models.FileField(upload_to=upload_path, max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "sha256"], name="projects_document_once")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.kind} {self.sha256[:12]}"


class Payment(models.Model):
    county_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="payments")
    # The voucher that paid it; empty only for history imported without its voucher.
    voucher = models.ForeignKey(
        "finance.Voucher", on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    amount = models.BigIntegerField(_("amount (fen)"))
    paid_on = models.DateField(_("paid on"))
    note = models.CharField(_("note"), max_length=200, blank=True)
    # Marks set when recorded (accepted, but shown): the total paid went above the
    # contract value after amendments; the project had not been accepted yet.
    over_contract = models.BooleanField(default=False)
    before_acceptance = models.BooleanField(default=True)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="projects_payment_amount")]
        indexes = [models.Index(fields=["county_code", "village_code", "paid_on"], name="projects_payment_village")]

    def __str__(self) -> str:
        return f"{self.project_id} {self.paid_on} {self.amount}"


class Acceptance(models.Model):
    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="acceptance")
    accepted_on = models.DateField(_("accepted on"))
    inspectors = models.JSONField(_("inspectors"), default=list)
    opinion = models.CharField(_("opinion"), max_length=500, blank=True)
    report = models.ForeignKey(Document, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )

    def __str__(self) -> str:
        return f"{self.project_id} {self.accepted_on}"


class ImportBatch(ImportBatchBase):
    """One uploaded project file (sunlit/lib/importbatch.py has the shared fields)."""

    projects_created = models.PositiveIntegerField(default=0)
    projects_unchanged = models.PositiveIntegerField(default=0)


class ImportClaim(ImportClaimBase):
    """A project number, held by the import writing that project."""


# --- published: derived only from snapshots that went through publish() ----------------


class PublishedProject(models.Model):
    county_code = models.CharField(max_length=12)
    township_code = models.CharField(max_length=12)
    village_code = models.CharField(max_length=12)
    village_name = models.CharField(max_length=100)
    number = models.CharField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    category = models.CharField(max_length=12)
    status = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    # ",fiscal,poverty," so one LIKE filters by source.
    sources = models.CharField(max_length=60)
    budget = models.BigIntegerField()
    contract_value = models.BigIntegerField(null=True)
    paid = models.BigIntegerField()
    progress = models.PositiveSmallIntegerField()
    poverty_budget = models.BigIntegerField(default=0)
    poverty_paid = models.BigIntegerField(default=0)
    method = models.CharField(max_length=8, blank=True)
    accepted_on = models.DateField(null=True)
    has_report = models.BooleanField(default=False)
    publication = models.ForeignKey(
        "transparency.Entry", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    published_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["county_code", "village_code", "year"], name="projects_pub_village"),
            models.Index(fields=["county_code", "township_code", "year"], name="projects_pub_township"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def paid_percent(self) -> int:
        base = self.contract_value if self.contract_value else self.budget
        return min(100, round(100 * self.paid / base)) if base else 0
