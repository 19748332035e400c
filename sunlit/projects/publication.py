"""A project as one published snapshot, and the public table derived from it.

`project_snapshot` freezes a project (registry, funding, tender and bids, contract and
amendments, milestones, payments, acceptance, documents) as plain JSON, money in integer
fen; `project_publish` sends it through the one `transparency.publish` (chain = the
village, kind "project", ref = the project number) and `derive`s PublishedProject from
what was published. A contractor who is an individual is named; their ID number is
never part of a snapshot.
"""

from __future__ import annotations

import json
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sunlit.projects.models import BidStatus, ContractorKind, Project, PublishedProject
from sunlit.regions import codes
from sunlit.transparency.services import publish

if TYPE_CHECKING:
    from sunlit.accounts.models import User
    from sunlit.transparency.models import Entry as Published

KIND = "project"
SCHEMA = "sunlit.project/1"


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def loaded(qs: QuerySet[Project]) -> QuerySet[Project]:
    """Projects with everything their snapshot shows, in a fixed number of queries."""
    return qs.select_related(
        "village__parent", "case__item", "contract", "tender__winner", "acceptance__report"
    ).prefetch_related(
        "funding", "tender__bids", "contract__amendments", "milestones", "documents", "payments__voucher"
    )


def project_snapshot(project: Project) -> dict[str, Any]:
    return snapshot_of(loaded(Project.objects.filter(pk=project.pk)).get())


def snapshot_of(p: Project) -> dict[str, Any]:
    """The snapshot of a project loaded with `loaded` (no query of its own)."""
    village = p.village
    township = village.parent
    funding: list[dict[str, Any]] = [
        {"source": f.kind, "amount": f.amount} for f in sorted(p.funding.all(), key=lambda f: f.kind)
    ]
    documents = list(p.documents.all())
    photos: dict[int, list[str]] = {}
    for d in documents:
        if d.milestone_id:
            photos.setdefault(d.milestone_id, []).append(d.sha256)
    tender = getattr(p, "tender", None) if hasattr(p, "tender") else None
    contract = getattr(p, "contract", None) if hasattr(p, "contract") else None
    acceptance = getattr(p, "acceptance", None) if hasattr(p, "acceptance") else None
    milestones = list(p.milestones.all())
    payments = list(p.payments.all())
    amendments = list(contract.amendments.all()) if contract else []
    current_value = (contract.value + sum(a.value_change for a in amendments)) if contract else None
    paid = sum(x.amount for x in payments)
    progress = max((m.progress for m in milestones), default=0)
    if acceptance is not None:
        progress = 100
    tender_out = None
    if tender is not None:
        bids = list(tender.bids.all())
        tender_out = {
            "method": tender.method,
            "direct_reason": tender.direct_reason,
            "notice_on": _day(tender.notice_on),
            "deadline_on": _day(tender.deadline_on),
            "opened_on": _day(tender.opened_on),
            "notice_days": (tender.deadline_on - tender.notice_on).days
            if tender.notice_on and tender.deadline_on
            else None,
            "supervisors": list(tender.supervisors),
            "bidders": [
                {
                    "name": b.bidder,
                    "quote": b.quote,
                    "submitted_on": _day(b.submitted_on),
                    "status": b.status,
                    "reason": b.reason if b.status == BidStatus.DISQUALIFIED else "",
                }
                for b in sorted(bids, key=lambda b: (b.quote, b.bidder))
            ],
            "winner": tender.winner.bidder if tender.winner else "",
            "award": tender.winner.quote if tender.winner else None,
        }
    contract_out = None
    if contract is not None:
        contract_out = {
            "contractor": contract.contractor,
            "contractor_kind": contract.contractor_kind,
            # An organisation's code is public; an individual's ID number never is.
            "credit_code": contract.credit_code if contract.contractor_kind == ContractorKind.ORGANISATION else "",
            "value": contract.value,
            "signed_on": _day(contract.signed_on),
            "amendments": [
                {"signed_on": _day(a.signed_on), "value_change": a.value_change, "reason": a.reason} for a in amendments
            ],
            "current_value": current_value,
        }
    report = acceptance.report if acceptance is not None and acceptance.report_id else None
    return {
        "schema": SCHEMA,
        "number": p.number,
        "name": p.name,
        "village": {"code": village.code, "name": village.name},
        "township": {"code": township.code, "name": township.name} if township else None,
        "category": p.category,
        "year": p.year,
        "status": p.status,
        "location": p.location,
        "case": {"number": p.case.number, "item": p.case.item.code, "item_name": p.case.item.name_zh}
        if p.case is not None
        else None,
        "currency": "CNY",
        "unit": "fen",
        "budget": p.budget,
        "funding": funding,
        "planned": {"start": _day(p.planned_start), "end": _day(p.planned_end)},
        "actual": {"start": _day(p.actual_start), "end": _day(p.actual_end)},
        "tender": tender_out,
        "contract": contract_out,
        "milestones": [
            {"date": _day(m.date), "title": m.title, "progress": m.progress, "photos": photos.get(m.pk, [])}
            for m in milestones
        ],
        "progress": progress,
        "payments": [
            {
                "date": _day(x.paid_on),
                "amount": x.amount,
                "note": x.note,
                "voucher": {
                    "year": x.voucher.year,
                    "number": x.voucher.number,
                    "period": f"{x.voucher.period // 100:04d}-{x.voucher.period % 100:02d}",
                    "ref": f"{x.voucher.village_id}-{x.voucher.year}-{x.voucher.number}",
                }
                if x.voucher is not None
                else None,
                "over_contract": x.over_contract,
                "before_acceptance": x.before_acceptance,
            }
            for x in payments
        ],
        "paid": paid,
        "acceptance": {
            "on": _day(acceptance.accepted_on),
            "inspectors": list(acceptance.inspectors),
            "opinion": acceptance.opinion,
            "report": {"sha256": report.sha256, "type": report.content_type, "bytes": report.size}
            if report is not None
            else None,
        }
        if acceptance is not None
        else None,
        "documents": [
            {
                "sha256": d.sha256,
                "kind": d.kind,
                "title": d.title,
                "type": d.content_type,
                "bytes": d.size,
                "thumbnail": bool(d.thumbnail),
                "on": _day(timezone.localtime(d.uploaded_at).date()),
            }
            for d in documents
        ],
    }


def publish_snapshot(*, project: Project, snapshot: dict[str, Any], by: User | None, reason: str = "") -> Published:

    return publish(chain=project.village_id, kind=KIND, ref=project.number, snapshot=snapshot, by=by, reason=reason)


@transaction.atomic
def project_publish(*, project: Project, by: User | None, reason: str = "") -> Published:
    snapshot = project_snapshot(project)
    entry = publish_snapshot(project=project, snapshot=snapshot, by=by, reason=reason)
    if project.publication_id != entry.pk:
        Project.objects.filter(pk=project.pk).update(publication=entry)
        project.publication = entry
    derive(entry, snapshot)
    return entry


def derive_row(entry: Published, data: dict[str, Any]) -> PublishedProject:
    village = data["village"]["code"]
    township = data["township"]["code"] if data.get("township") else codes.parent_code(village) or ""
    poverty_budget = sum(f["amount"] for f in data["funding"] if f["source"] == "poverty")
    # Payments are drawn from the sources in proportion to the budget: the share of what
    # was paid that the poverty-alleviation funds carried.
    poverty_paid = data["paid"] * poverty_budget // data["budget"] if data["budget"] else 0
    acceptance = data.get("acceptance") or {}
    contract = data.get("contract") or {}
    return PublishedProject(
        county_code=codes.county_of(village),
        township_code=township,
        village_code=village,
        village_name=data["village"]["name"],
        number=data["number"],
        name=data["name"][:200],
        category=data["category"],
        status=data["status"],
        year=data["year"],
        sources="," + ",".join(f["source"] for f in data["funding"]) + ",",
        budget=data["budget"],
        contract_value=contract.get("current_value"),
        paid=data["paid"],
        progress=data["progress"],
        poverty_budget=poverty_budget,
        poverty_paid=poverty_paid,
        method=(data.get("tender") or {}).get("method", ""),
        accepted_on=date.fromisoformat(acceptance["on"]) if acceptance.get("on") else None,
        has_report=bool(acceptance.get("report")),
        publication_id=entry.pk,
        published_at=entry.published_at,
    )


def derive(entry: Published, snapshot: dict[str, Any] | None = None) -> None:
    """(Re)build the project's public row from its published snapshot alone."""
    data = snapshot if snapshot is not None else json.loads(entry.snapshot_json)
    PublishedProject.objects.filter(number=data["number"]).delete()
    derive_row(entry, data).save(force_insert=True)
