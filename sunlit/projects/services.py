"""Every write of the projects room: atomic, audited, refused with a clear message.

Services take `by` (the person; None for the demo and the scheduler) and check the one
jurisdiction before writing. A project that has been published is re-published after
every change with the change as the reason, so the public record never changes silently.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.cases.selectors import case_authorising
from sunlit.finance.money import yuan
from sunlit.lib import idnumbers, validate
from sunlit.lib.errors import InvalidInput
from sunlit.lib.uploads import clean_upload
from sunlit.projects import publication
from sunlit.projects.models import (
    Acceptance,
    Amendment,
    Bid,
    BidStatus,
    Category,
    Contract,
    ContractorKind,
    Document,
    DocumentKind,
    Funding,
    FundingKind,
    Method,
    Milestone,
    Payment,
    Project,
    Source,
    Status,
    Tender,
)
from sunlit.regions import codes
from sunlit.regions.models import Region

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.cases.models import Case
    from sunlit.finance.models import Voucher

# What a project is, to the power list's `authorises:` (sunlit/powers/loader.py PURPOSES):
# which items may authorise one is the list's to say (Lianyuan's: ZD-01, ZD-03).
PURPOSE = "projects.project"
_NUMBER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z\-_/.]{0,39}$")

# --- unified social credit code (统一社会信用代码, GB 32100-2015) ---------------------
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_check_character(first17: str) -> str:
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(first17, CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARS[(31 - total % 31) % 31]


def credit_code_normalize(value: object, *, field: str = "credit_code") -> str:
    """The code in canonical form, or InvalidInput saying what is wrong with it."""
    code = re.sub(r"\s+", "", str(value or "")).upper()
    if len(code) != 18 or any(c not in CREDIT_CHARS for c in code):
        raise InvalidInput(
            _("A unified social credit code has 18 characters: digits and capital letters except I, O, S, V and Z."),
            field=field,
        )
    if credit_check_character(code[:17]) != code[17]:
        raise InvalidInput(
            _(
                "This unified social credit code's last character does not match the others: "
                "check for a typing mistake."
            ),
            field=field,
        )
    return code


# --- helpers ------------------------------------------------------------------------------


def _require(by: User | None, action: str, code: str) -> None:
    if by is not None:
        jurisdiction.require(by, action, code)


def _lock(project: Project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


def _touch(project: Project) -> None:
    project.updated_at = timezone.now()
    project.save(update_fields=["status", "actual_start", "actual_end", "updated_at"])


def _republish(project: Project, by: User | None, reason: str) -> None:
    """A published project is published again after every change, with the change as
    the reason: the new snapshot supersedes the old one, and both stay public."""
    if project.publication_id is None:
        return

    publication.project_publish(project=project, by=by, reason=reason)


def _amount(value: int, field: str, label: str, *, positive: bool = False) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0 or (positive and value == 0):
        raise InvalidInput(_("%(field)s must be a positive amount") % {"field": label}, field=field)
    return value


def contract_value(contract: Contract) -> int:
    """The value after amendments."""
    change = contract.amendments.aggregate(s=Sum("value_change"))["s"] or 0
    return int(contract.value + change)


# --- the registry -------------------------------------------------------------------------


@transaction.atomic
def project_create(
    *,
    village: Region,
    number: str,
    name: str,
    category: str,
    budget: int,
    funding: Iterable[tuple[str, int]],
    case: Case | None = None,
    location: str = "",
    year: int | None = None,
    planned_start: date | None = None,
    planned_end: date | None = None,
    source: str = Source.MANUAL,
    by: User | None,
) -> Project:
    if village.level != codes.VILLAGE:
        raise InvalidInput(_("%(name)s is not a village") % {"name": village.name}, field="village")
    _require(by, "projects.record", village.code)
    number = validate.text(number, "number", _("Project number"), 40)
    if not _NUMBER.match(number):
        raise InvalidInput(_("A project number uses letters, digits and - _ / . only"), field="number")
    if Project.objects.filter(number=number).exists():
        raise InvalidInput(_("Project number %(number)s is already taken") % {"number": number}, field="number")
    name = validate.text(name, "name", pgettext("thing", "Name"), 200)
    if category not in Category.values:
        raise InvalidInput(_("Unknown category %(value)r") % {"value": category}, field="category")
    budget = _amount(budget, "budget", _("Budget"))
    sources: dict[str, int] = {}
    for kind, amount in funding:
        if kind not in FundingKind.values:
            raise InvalidInput(_("Unknown funding source %(value)r") % {"value": kind}, field="funding")
        if kind in sources:
            raise InvalidInput(
                _("Funding source %(value)s is given twice") % {"value": FundingKind(kind).label}, field="funding"
            )
        sources[kind] = _amount(amount, "funding", _("Funding amount"))
    if not sources:
        raise InvalidInput(_("Give at least one funding source"), field="funding")
    if sum(sources.values()) != budget:
        raise InvalidInput(
            _("The funding sources add up to %(sum)s yuan, the budget is %(budget)s yuan")
            % {"sum": yuan(sum(sources.values())), "budget": yuan(budget)},
            field="funding",
        )
    if planned_start and planned_end and planned_end < planned_start:
        raise InvalidInput(_("The planned completion is before the planned start"), field="planned_end")
    if case is not None:
        case_authorising(purpose=PURPOSE, village_code=village.code, case=case)
    now = timezone.now()
    project = Project.objects.create(
        county_code=codes.county_of(village.code),
        village=village,
        number=number,
        name=name,
        category=category,
        year=year or (planned_start.year if planned_start else timezone.localdate().year),
        budget=budget,
        case=case,
        location=validate.text(location, "location", _("Location"), 200, required=False),
        planned_start=planned_start,
        planned_end=planned_end,
        source=source,
        created_by=by if getattr(by, "is_authenticated", False) else None,
        created_at=now,
        updated_at=now,
    )
    Funding.objects.bulk_create([Funding(project=project, kind=k, amount=a) for k, a in sources.items()])
    audit_record(
        action="project.create",
        by=by,
        obj=project,
        region_code=village.code,
        detail={"number": number, "budget": budget, "funding": sources},
    )
    return project


@dataclass
class BidInput:
    bidder: str
    quote: int
    status: str = BidStatus.VALID
    reason: str = ""
    submitted_on: date | None = None


@transaction.atomic
def tender_record(
    *,
    project: Project,
    method: str,
    bids: Sequence[BidInput],
    winner: str = "",
    direct_reason: str = "",
    notice_on: date | None = None,
    deadline_on: date | None = None,
    opened_on: date | None = None,
    supervisors: Sequence[str] = (),
    by: User | None,
) -> Tender:
    """Record how the contractor was chosen: method, dates, every bid, the winner."""
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    if method not in Method.values:
        raise InvalidInput(_("Unknown tender method %(value)r") % {"value": method}, field="method")
    if hasattr(project, "tender"):
        raise InvalidInput(
            _("Project %(number)s already has its tender recorded") % {"number": project.number}, field="method"
        )
    direct_reason = validate.text(
        direct_reason, "direct_reason", _("Reason for direct award"), 300, required=method == Method.DIRECT
    )
    if notice_on and deadline_on and deadline_on < notice_on:
        raise InvalidInput(_("The deadline for bids is before the notice"), field="deadline_on")
    names: set[str] = set()
    for b in bids:
        bidder = validate.text(b.bidder, "bids", _("Bidder"), 200)
        if bidder in names:
            raise InvalidInput(_("Bidder %(name)s is listed twice") % {"name": bidder}, field="bids")
        names.add(bidder)
        _amount(b.quote, "bids", _("Quote"))
        if b.status not in BidStatus.values:
            raise InvalidInput(_("Unknown bid status %(value)r") % {"value": b.status}, field="bids")
        if b.status == BidStatus.DISQUALIFIED and not (b.reason or "").strip():
            raise InvalidInput(_("Say why %(name)s was disqualified") % {"name": bidder}, field="bids")
    winner = (winner or "").strip()
    if bids and not winner:
        raise InvalidInput(_("Name the winning bidder"), field="winner")
    if winner and winner not in names:
        raise InvalidInput(_("The winner %(name)s is not among the bidders") % {"name": winner}, field="winner")
    if winner and next(b for b in bids if b.bidder.strip() == winner).status != BidStatus.VALID:
        raise InvalidInput(_("The winner %(name)s was disqualified") % {"name": winner}, field="winner")
    tender = Tender.objects.create(
        project=project,
        method=method,
        direct_reason=direct_reason,
        notice_on=notice_on,
        deadline_on=deadline_on,
        opened_on=opened_on,
        supervisors=[s.strip() for s in supervisors if s.strip()],
    )
    rows = Bid.objects.bulk_create(
        [
            Bid(
                tender=tender,
                bidder=b.bidder.strip(),
                quote=b.quote,
                status=b.status,
                reason=b.reason.strip(),
                submitted_on=b.submitted_on,
            )
            for b in bids
        ]
    )
    if winner:
        tender.winner = next(r for r in rows if r.bidder == winner)
        tender.save(update_fields=["winner"])
    if project.status == Status.PLANNED:
        project.status = Status.TENDERING
    _touch(project)
    audit_record(
        action="project.tender",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={"method": method, "bids": len(bids), "winner": winner},
    )
    _republish(project, by, _("Tender recorded"))
    return tender


@transaction.atomic
def contract_record(
    *,
    project: Project,
    contractor: str,
    contractor_kind: str,
    value: int,
    signed_on: date,
    credit_code: str = "",
    id_number: str = "",
    by: User | None,
) -> Contract:
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    if hasattr(project, "contract"):
        raise InvalidInput(
            _("Project %(number)s already has a contract: record an amendment instead") % {"number": project.number},
            field="contractor",
        )
    contractor = validate.text(contractor, "contractor", _("Contractor"), 200)
    fields: dict[str, str] = {}
    if contractor_kind == ContractorKind.ORGANISATION:
        fields["credit_code"] = credit_code_normalize(credit_code)
    elif contractor_kind == ContractorKind.INDIVIDUAL:
        number = idnumbers.normalize(id_number, field="id_number")
        fields.update(
            id_fingerprint=idnumbers.fingerprint(number),
            id_sealed=idnumbers.seal(number),
            id_last4=idnumbers.last4(number),
        )
    else:
        raise InvalidInput(_("Say whether the contractor is an organisation or an individual"), field="contractor_kind")
    value = _amount(value, "value", _("Contract value"), positive=True)
    contract = Contract.objects.create(
        project=project,
        contractor=contractor,
        contractor_kind=contractor_kind,
        value=value,
        signed_on=signed_on,
        **fields,
    )
    if project.status in (Status.PLANNED, Status.TENDERING):
        project.status = Status.CONTRACTED
    _touch(project)
    audit_record(
        action="project.contract",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={
            "contractor": contractor,
            "kind": contractor_kind,
            "value": value,
            "id_last4": fields.get("id_last4", ""),
        },
    )
    _republish(project, by, _("Contract recorded"))
    return contract


@transaction.atomic
def amendment_record(
    *, project: Project, signed_on: date, value_change: int, reason: str, by: User | None
) -> Amendment:
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    contract = Contract.objects.filter(project=project).first()
    if contract is None:
        raise InvalidInput(
            _("Project %(number)s has no contract to amend") % {"number": project.number}, field="value_change"
        )
    reason = validate.text(reason, "reason", _("Reason"), 300)
    if isinstance(value_change, bool) or not isinstance(value_change, int):
        raise InvalidInput(_("The value change must be an amount"), field="value_change")
    if contract_value(contract) + value_change < 0:
        raise InvalidInput(_("The contract value cannot become negative"), field="value_change")
    amendment = Amendment.objects.create(
        contract=contract, signed_on=signed_on, value_change=value_change, reason=reason
    )
    _touch(project)
    audit_record(
        action="project.amend",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={"value_change": value_change, "reason": reason},
    )
    _republish(project, by, _("Contract amended: %(reason)s") % {"reason": reason})
    return amendment


def _store(
    project: Project,
    *,
    kind: str,
    data: bytes,
    filename: str,
    title: str,
    by: User | None,
    milestone: Milestone | None = None,
) -> Document:

    cleaned = clean_upload(data=data, filename=filename)
    existing = Document.objects.filter(project=project, sha256=cleaned.sha256).first()
    if existing is not None:
        raise InvalidInput(_("%(name)s is already attached to this project") % {"name": filename}, field="file")
    document = Document.from_cleaned(
        cleaned, filename=filename, by=by, project=project, milestone=milestone, kind=kind, title=title[:200]
    )
    document.save()
    return document


@transaction.atomic
def document_attach(
    *, project: Project, kind: str, data: bytes, filename: str, title: str = "", by: User | None
) -> Document:
    """Attach a document (PDF or image, its type checked by its content)."""
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    if kind not in DocumentKind.values or kind == DocumentKind.PHOTO:
        raise InvalidInput(_("Unknown document kind %(value)r") % {"value": kind}, field="kind")
    if kind == DocumentKind.ACCEPTANCE and not hasattr(project, "acceptance"):
        raise InvalidInput(_("Record the acceptance first; its report is uploaded with it"), field="kind")
    document = _store(
        project, kind=kind, data=data, filename=filename, title=title or str(DocumentKind(kind).label), by=by
    )
    if kind == DocumentKind.ACCEPTANCE:
        Acceptance.objects.filter(project=project).update(report=document)
    _touch(project)
    audit_record(
        action="project.document",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={"kind": kind, "sha256": document.sha256},
    )
    _republish(project, by, _("Document added: %(title)s") % {"title": document.title})
    return document


@transaction.atomic
def milestone_record(
    *,
    project: Project,
    date: date,
    title: str,
    progress: int,
    photos: Sequence[tuple[bytes, str]] = (),
    by: User | None,
) -> Milestone:
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    title = validate.text(title, "title", _("Milestone"), 200)
    if isinstance(progress, bool) or not isinstance(progress, int) or not 0 <= progress <= 100:
        raise InvalidInput(_("Physical progress is a whole percentage from 0 to 100"), field="progress")
    last = project.milestones.order_by("-date", "-id").first()
    if last is not None and progress < last.progress:
        raise InvalidInput(
            _("Progress cannot go back: the last milestone reached %(p)d%%") % {"p": last.progress}, field="progress"
        )
    milestone = Milestone.objects.create(project=project, date=date, title=title, progress=progress)
    for data, filename in photos:
        _store(project, kind=DocumentKind.PHOTO, data=data, filename=filename, title=title, by=by, milestone=milestone)
    if project.status in (Status.PLANNED, Status.TENDERING, Status.CONTRACTED):
        project.status = Status.BUILDING
    if project.actual_start is None or date < project.actual_start:
        project.actual_start = date
    _touch(project)
    audit_record(
        action="project.milestone",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={"date": date.isoformat(), "progress": progress, "photos": len(photos)},
    )
    _republish(project, by, _("Progress: %(title)s (%(p)d%%)") % {"title": title, "p": progress})
    return milestone


@transaction.atomic
def payment_record(
    *,
    project: Project,
    amount: int,
    paid_on: date,
    voucher: Voucher | None = None,
    note: str = "",
    source: str = Source.MANUAL,
    by: User | None,
) -> Payment:
    """Record a payment to the contractor. Refused without a contract; above the contract
    value (after amendments) or before acceptance it is recorded and marked."""
    project = _lock(project)
    _require(by, "projects.record", project.village_id)
    contract = Contract.objects.filter(project=project).first()
    if contract is None:
        raise InvalidInput(
            _("Project %(number)s has no contract: record the contract before any payment")
            % {"number": project.number},
            field="amount",
        )
    amount = _amount(amount, "amount", _("Amount"), positive=True)
    if voucher is not None and voucher.village_id != project.village_id:
        raise InvalidInput(_("Voucher %(voucher)s belongs to another village") % {"voucher": voucher}, field="voucher")
    paid_before = project.payments.aggregate(s=Sum("amount"))["s"] or 0
    acceptance = Acceptance.objects.filter(project=project).first()
    payment = Payment.objects.create(
        county_code=project.county_code,
        village_code=project.village_id,
        project=project,
        voucher=voucher,
        amount=amount,
        paid_on=paid_on,
        note=validate.text(note, "note", _("Note"), 200, required=False),
        over_contract=paid_before + amount > contract_value(contract),
        before_acceptance=acceptance is None or paid_on < acceptance.accepted_on,
        source=source,
    )
    _touch(project)
    audit_record(
        action="project.payment",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={
            "amount": amount,
            "paid_on": paid_on.isoformat(),
            "voucher": voucher.pk if voucher else None,
            "over_contract": payment.over_contract,
        },
    )
    _republish(
        project, by, _("Payment of %(amount)s yuan on %(day)s") % {"amount": yuan(amount), "day": paid_on.isoformat()}
    )
    return payment


@transaction.atomic
def acceptance_record(
    *,
    project: Project,
    accepted_on: date,
    inspectors: Sequence[str],
    opinion: str = "",
    report: tuple[bytes, str] | None = None,
    by: User | None,
) -> Acceptance:
    """Record the acceptance (验收), with its report. Refused before any milestone."""
    project = _lock(project)
    _require(by, "projects.accept", project.village_id)
    if hasattr(project, "acceptance"):
        raise InvalidInput(
            _("Project %(number)s has already been accepted") % {"number": project.number}, field="accepted_on"
        )
    if not project.milestones.exists():
        raise InvalidInput(
            _("Project %(number)s has no milestone yet: record the construction progress before its acceptance")
            % {"number": project.number},
            field="accepted_on",
        )
    first = project.milestones.order_by("date").first()
    if first is not None and accepted_on < first.date:
        raise InvalidInput(
            _("The acceptance date is before the first milestone (%(day)s)") % {"day": first.date.isoformat()},
            field="accepted_on",
        )
    names = [n.strip() for n in inspectors if n.strip()]
    if not names:
        raise InvalidInput(_("Name the people who inspected the work"), field="inspectors")
    document = None
    if report is not None:
        data, filename = report
        document = _store(
            project,
            kind=DocumentKind.ACCEPTANCE,
            data=data,
            filename=filename,
            title=str(DocumentKind.ACCEPTANCE.label),
            by=by,
        )
    acceptance = Acceptance.objects.create(
        project=project,
        accepted_on=accepted_on,
        inspectors=names,
        opinion=validate.text(opinion, "opinion", _("Opinion"), 500, required=False),
        report=document,
        recorded_by=by if getattr(by, "is_authenticated", False) else None,
    )
    project.payments.filter(paid_on__gte=accepted_on).update(before_acceptance=False)
    project.status = Status.ACCEPTED
    project.actual_end = project.actual_end or accepted_on
    _touch(project)
    audit_record(
        action="project.accept",
        by=by,
        obj=project,
        region_code=project.village_id,
        detail={
            "accepted_on": accepted_on.isoformat(),
            "inspectors": names,
            "report": document.sha256 if document else None,
        },
    )
    _republish(project, by, _("Accepted on %(day)s") % {"day": accepted_on.isoformat()})
    return acceptance


def project_publish_first(*, project: Project, by: User | None) -> Any:
    """Publish a project (first time, or again after an unpublished change)."""

    _require(by, "projects.publish", project.village_id)
    reason = "" if project.publication_id is None else _("Updated")
    return publication.project_publish(project=project, by=by, reason=reason)
