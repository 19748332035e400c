"""What the public may know of villagers' reports, as published snapshots, and the
public tables derived from them.

Reports themselves are private. Two kinds of record are published, both on the chain of
the report's county (the coarsest region it belongs to, which a transfer to another
office does not change):

    reports.status   ref: the report's random public id. What the Open311 feed shows of
                     one report: its category, its state, the days it was received, last
                     updated and is expected, and the office handling it. No text, no
                     reporter, no village, no record it is about, nobody excluded.
    reports.figures  ref: the county's code. The county's counts by township, by category
                     and by month of receipt: received, accepted, concluded, replies and
                     their working days (the average is computed when read).

These are exactly what the statistics page and the Open311 feed showed when they read the
live table, and nothing more (see docs/threat-model.md). `reports_publish` publishes
whatever differs from the log, as a batch run by the hourly sweep, never at the moment of
a change: the log's timestamps say no more than the hour of the batch (the feed read live
told anyone polling it the minute a report was filed), and a batch is published in the
order of the random public ids, not of filing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.reports.models import Dimension, PublishedFigure, PublishedStatus, Report
from sunlit.transparency.canonical import canonical_json, sha256_hex
from sunlit.transparency.models import Entry
from sunlit.transparency.services import publish

if TYPE_CHECKING:
    from sunlit.transparency.models import Entry

STATUS_KIND = "reports.status"
FIGURES_KIND = "reports.figures"
STATUS_SCHEMA = "sunlit.reports.status/1"
FIGURES_SCHEMA = "sunlit.reports.figures/1"
# The reasons of the corrections that follow a report's handling: "the status changed",
# "the figures changed".
STATUS_REASON = "办理状态更新"
FIGURES_REASON = "统计数字更新"

# The only columns of a report that a status snapshot reads.
STATUS_FIELDS = (
    "public_id",
    "county_code",
    "office_code",
    "category",
    "state",
    "received_on",
    "accepted_on",
    "replied_on",
    "accept_due_on",
    "reply_due_on",
)


def status_snapshot(report: Report, office_names: dict[str, str]) -> dict[str, Any]:
    return {
        "schema": STATUS_SCHEMA,
        "title": f"举报 {report.public_id} 办理状态",
        "id": report.public_id,
        "county": report.county_code,
        "category": report.category,
        "state": report.state,
        # Days, never times: a time of day could point at who was at the kiosk.
        "received_on": report.received_on.isoformat(),
        "updated_on": (report.replied_on or report.accepted_on or report.received_on).isoformat(),
        "expected_on": (report.reply_due_on or report.accept_due_on).isoformat(),
        "office": {"code": report.office_code, "name": office_names.get(report.office_code, report.office_code)},
    }


def _counts(qs: QuerySet[Report], group: Any) -> list[dict[str, Any]]:
    return list(
        qs.values(group)
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=Q(accepted_on__isnull=False)),
            concluded=Count("id", filter=Q(finding__gt="")),
            replied=Count("reply_working_days"),
            reply_days=Sum("reply_working_days"),
        )
        .order_by(group)
    )


def _figures(row: dict[str, Any], key: str, name: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {"key": key, **({"name": name} if name else {})}
    out.update({f: int(row[f] or 0) for f in ("received", "accepted", "concluded", "replied", "reply_days")})
    return out


def figures_snapshot(county_code: str, names: dict[str, str]) -> dict[str, Any]:
    """The county's counts, as the statistics page shows them (three queries)."""
    reports = Report.objects.filter(county_code=county_code)
    months = _counts(reports.annotate(month=TruncMonth("received_on")), "month")
    return {
        "schema": FIGURES_SCHEMA,
        "title": f"{names.get(county_code, county_code)} 举报受理办理情况统计",
        "county": {"code": county_code, "name": names.get(county_code, county_code)},
        "townships": [
            _figures(r, r["township_code"], names.get(r["township_code"], r["township_code"]))
            for r in _counts(reports, "township_code")
        ],
        "categories": [_figures(r, r["category"]) for r in _counts(reports, "category")],
        "months": [_figures(r, r["month"].strftime("%Y-%m")) for r in months if r["month"]],
    }


def _digest(snapshot: dict[str, Any]) -> str:
    return sha256_hex(canonical_json(snapshot))


# --- Derived tables: from the snapshots alone --------------------------------------------


def status_row(entry: Entry, data: dict[str, Any]) -> PublishedStatus:

    return PublishedStatus(
        county_code=data["county"],
        public_id=data["id"],
        category=data["category"],
        state=data["state"],
        received_on=date.fromisoformat(data["received_on"]),
        updated_on=date.fromisoformat(data["updated_on"]),
        expected_on=date.fromisoformat(data["expected_on"]),
        office_code=data["office"]["code"],
        office_name=data["office"]["name"][:100],
        publication_id=entry.pk,
    )


@transaction.atomic
def derive_status(entry: Entry, data: dict[str, Any] | None = None) -> PublishedStatus:
    """(Re)build one report's public status row from its published snapshot alone."""
    row = status_row(entry, data if data is not None else json.loads(entry.snapshot_json))
    PublishedStatus.objects.filter(public_id=row.public_id).delete()
    row.save(force_insert=True)
    return row


def figure_rows(entry: Entry, data: dict[str, Any]) -> list[PublishedFigure]:
    county = data["county"]["code"]
    return [
        PublishedFigure(
            county_code=county,
            dimension=dimension,
            key=row["key"],
            label=row.get("name", "")[:100],
            received=row["received"],
            accepted=row["accepted"],
            concluded=row["concluded"],
            replied=row["replied"],
            reply_days=row["reply_days"],
            publication_id=entry.pk,
        )
        for dimension, rows in (
            (Dimension.TOWNSHIP, data["townships"]),
            (Dimension.CATEGORY, data["categories"]),
            (Dimension.MONTH, data["months"]),
        )
        for row in rows
    ]


@transaction.atomic
def derive_figures(entry: Entry, data: dict[str, Any] | None = None) -> list[PublishedFigure]:
    """(Re)build a county's public figures from its published snapshot alone."""
    data = data if data is not None else json.loads(entry.snapshot_json)
    PublishedFigure.objects.filter(county_code=data["county"]["code"]).delete()
    return PublishedFigure.objects.bulk_create(figure_rows(entry, data))


@transaction.atomic
def rebuild() -> int:
    """Rebuild both public tables from the log; the number of snapshots read."""

    statuses, figures = [], []
    for entry in Entry.objects.filter(kind__in=[STATUS_KIND, FIGURES_KIND], superseded_by__isnull=True).order_by("id"):
        data = json.loads(entry.snapshot_json)
        if entry.kind == STATUS_KIND:
            statuses.append(status_row(entry, data))
        else:
            figures += figure_rows(entry, data)
    PublishedStatus.objects.all().delete()
    PublishedFigure.objects.all().delete()
    PublishedStatus.objects.bulk_create(statuses, batch_size=2000)
    PublishedFigure.objects.bulk_create(figures, batch_size=2000)
    return len(statuses) + len({f.publication_id for f in figures})


# --- Publishing ------------------------------------------------------------------------------


@dataclass
class Published:
    statuses: int = 0
    figures: int = 0


def reports_publish() -> Published:
    """Publish every report status and every county's figures that differ from the log,
    and derive their public rows. Run by the sweep (as nobody); idempotent."""

    done = Published()
    names = dict(
        Region.objects.filter(level__in=[codes.TOWNSHIP, codes.COUNTY, codes.PREFECTURE]).values_list("code", "name")
    )
    logged = {
        (kind, ref): digest
        for kind, ref, digest in Entry.objects.filter(
            kind__in=[STATUS_KIND, FIGURES_KIND], superseded_by__isnull=True
        ).values_list("kind", "ref", "snapshot_sha256")
    }
    for report in list(Report.objects.only(*STATUS_FIELDS).order_by("public_id")):
        snapshot = status_snapshot(report, names)
        before = logged.get((STATUS_KIND, report.public_id))
        if before == _digest(snapshot):
            continue
        with transaction.atomic():
            entry = publish(
                chain=report.county_code,
                kind=STATUS_KIND,
                ref=report.public_id,
                snapshot=snapshot,
                by=None,
                reason=STATUS_REASON if before else "",
            )
            derive_status(entry, snapshot)
        done.statuses += 1
    for county in sorted(set(Report.objects.values_list("county_code", flat=True))):
        snapshot = figures_snapshot(county, names)
        before = logged.get((FIGURES_KIND, county))
        if before == _digest(snapshot):
            continue
        with transaction.atomic():
            entry = publish(
                chain=county,
                kind=FIGURES_KIND,
                ref=county,
                snapshot=snapshot,
                by=None,
                reason=FIGURES_REASON if before else "",
            )
            derive_figures(entry, snapshot)
        done.figures += 1
    return done
