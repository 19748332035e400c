"""Open Contracting Data Standard 1.1.5: a published project as a release, a township's
projects as a release package. Built from published snapshots only.

Core fields only (no extension is declared): the bids themselves stay on the project
page; OCDS core carries the tenderers (`tender.tenderers`, parties with the "tenderer"
role) and the number of them. The ocid prefix is the setting SUNLIT_OCDS_PREFIX (a
publisher registers its own with the Open Contracting Partnership); "ocds-sunlit"
until one is set. A contractor who is an individual is named, never identified by
number.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings

from sunlit.projects.models import Method

CHINA = ZoneInfo("Asia/Shanghai")
METHODS = {Method.OPEN: "open", Method.INVITED: "selective", Method.QUOTES: "limited", Method.DIRECT: "direct"}
METHOD_DETAILS = {
    Method.OPEN: "公开招标",
    Method.INVITED: "邀请招标",
    Method.QUOTES: "三家以上比选（询价）",
    Method.DIRECT: "直接委托",
}
# The identifier scheme of China's unified social credit codes. Not yet checked against
# the org-id.guide register (which may list it under the registering authority, e.g. SAMR):
# a deployment that publishes to OCDS registries must confirm this code.
CREDIT_SCHEME = "CN-USCC"


def prefix() -> str:
    return str(settings.SUNLIT_OCDS_PREFIX)


def _when(day: str) -> str:
    """A date as OCDS wants it: a full date-time, China's offset."""
    return f"{day}T00:00:00+08:00"


def _moment(value: datetime) -> str:
    return value.astimezone(CHINA).isoformat(timespec="seconds")


def _value(fen: int) -> dict[str, Any]:
    return {"amount": fen // 100 if fen % 100 == 0 else fen / 100, "currency": "CNY"}


def release(entry: Any, *, base_url: str) -> dict[str, Any]:
    s = entry.snapshot
    number = s["number"]
    base = base_url.rstrip("/")
    village = s["village"]
    buyer = {"id": f"CN-VILLAGE-{village['code']}", "name": f"{village['name']}村民委员会"}
    parties: dict[str, dict[str, Any]] = {buyer["id"]: {**buyer, "roles": ["buyer", "procuringEntity"]}}
    tags = ["planning"]
    out: dict[str, Any] = {
        "ocid": f"{prefix()}-{number}",
        "id": f"{number}-{entry.seq}",
        "date": _moment(entry.published_at),
        "language": "zh",
        "initiationType": "tender",
        "buyer": buyer,
        "planning": {
            "budget": {
                "id": f"{number}-budget",
                "description": "；".join(f"{f['source']}: {f['amount'] / 100:.2f}" for f in s["funding"]),
                "amount": _value(s["budget"]),
            },
        },
    }
    if s.get("case"):
        out["planning"]["rationale"] = f"{s['case']['item_name']} {s['case']['number']}"
    tender = s.get("tender")
    contract = s.get("contract")
    acceptance = s.get("acceptance")
    winner_id = ""
    if tender is not None:
        tags.append("tender")
        tenderers = []
        for i, b in enumerate(tender["bidders"], start=1):
            pid = f"{number}-tenderer-{i}"
            tenderers.append({"id": pid, "name": b["name"]})
            parties[pid] = {"id": pid, "name": b["name"], "roles": ["tenderer"]}
            if b["name"] == tender["winner"]:
                winner_id = pid
        t: dict[str, Any] = {
            "id": f"{number}-tender",
            "title": s["name"],
            "status": "complete" if tender["winner"] else "active",
            "procurementMethod": METHODS.get(tender["method"], "open"),
            "procurementMethodDetails": METHOD_DETAILS.get(tender["method"], tender["method"]),
            "mainProcurementCategory": "goods" if s["category"] == "purchase" else "works",
            "numberOfTenderers": len(tenderers),
            "tenderers": tenderers,
            "procuringEntity": buyer,
        }
        if tender["direct_reason"]:
            t["procurementMethodRationale"] = tender["direct_reason"]
        if tender["notice_on"] or tender["deadline_on"]:
            t["tenderPeriod"] = {
                k: _when(v) for k, v in (("startDate", tender["notice_on"]), ("endDate", tender["deadline_on"])) if v
            }
        out["tender"] = t
    if contract is not None:
        supplier_id = winner_id or f"{number}-supplier"
        party = parties.setdefault(supplier_id, {"id": supplier_id, "name": contract["contractor"], "roles": []})
        party["roles"] = [*party["roles"], "supplier"]
        if contract["credit_code"]:
            party["identifier"] = {
                "scheme": CREDIT_SCHEME,
                "id": contract["credit_code"],
                "legalName": contract["contractor"],
            }
        supplier = {"id": supplier_id, "name": contract["contractor"]}
        award_value = tender["award"] if tender and tender.get("award") is not None else contract["value"]
        tags.append("award")
        out["awards"] = [
            {
                "id": f"{number}-award",
                "title": s["name"],
                "status": "active",
                "date": _when(tender["opened_on"] if tender and tender["opened_on"] else contract["signed_on"]),
                "value": _value(award_value),
                "suppliers": [supplier],
            }
        ]
        tags.append("contract")
        c: dict[str, Any] = {
            "id": f"{number}-contract",
            "awardID": f"{number}-award",
            "title": s["name"],
            "status": "terminated" if acceptance else "active",
            "value": _value(contract["current_value"]),
            "dateSigned": _when(contract["signed_on"]),
        }
        if contract["amendments"]:
            c["amendments"] = [
                {
                    "id": f"{number}-amendment-{i}",
                    "date": _when(a["signed_on"]),
                    "rationale": a["reason"],
                    "description": f"合同金额变更 {a['value_change'] / 100:+.2f} 元",
                }
                for i, a in enumerate(contract["amendments"], start=1)
            ]
        implementation: dict[str, Any] = {}
        if s["payments"]:
            tags.append("implementation")
            implementation["transactions"] = [
                {
                    "id": f"{number}-payment-{i}",
                    "source": f"{base}/projects/{number}/",
                    "date": _when(p["date"]),
                    "value": _value(p["amount"]),
                    "payer": buyer,
                    "payee": supplier,
                }
                for i, p in enumerate(s["payments"], start=1)
            ]
        if s["milestones"]:
            implementation["milestones"] = [
                {
                    "id": f"{number}-milestone-{i}",
                    "title": m["title"],
                    "type": "delivery",
                    "status": "met",
                    "dateMet": _when(m["date"]),
                    "description": f"{m['progress']}%",
                }
                for i, m in enumerate(s["milestones"], start=1)
            ]
        report = (acceptance or {}).get("report")
        if report:
            implementation["documents"] = [
                {
                    "id": f"{number}-acceptance",
                    "documentType": "completionCertificate",
                    "title": "验收报告",
                    "url": f"{base}/projects/{number}/documents/{report['sha256']}/file",
                    "datePublished": _when(acceptance["on"]) if acceptance else None,
                    "format": report["type"],
                    "language": "zh",
                }
            ]
        if implementation:
            c["implementation"] = implementation
        out["contracts"] = [c]
    out["tag"] = tags
    out["parties"] = list(parties.values())
    return out


def package(entries: list[Any], *, uri: str, base_url: str) -> dict[str, Any]:
    newest = max((e.published_at for e in entries), default=None)
    return {
        "uri": uri,
        "version": "1.1",
        "publishedDate": _moment(newest) if newest else _moment(datetime.now(CHINA)),
        "publisher": {"name": str(settings.SUNLIT_SITE_NAME)},
        "releases": [release(e, base_url=base_url) for e in entries],
    }
