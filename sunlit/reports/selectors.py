"""Reads of the reports room: the office's desk, the reporter's page, public figures.

Public figures and the Open311 feed name townships, never villages: a village's cadres
must not learn from a public page that someone in their village has reported them. Both
read only what was published (`publication`), never the live Report table.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db.models import CharField, Count, QuerySet
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.accounts.models import Membership, Role
from sunlit.audit.models import AuditEvent
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.reports.models import (
    Author,
    Category,
    Dimension,
    Event,
    File,
    Message,
    PublishedFigure,
    PublishedStatus,
    Report,
    State,
)


def office_reports(user: Any, *, state: str = "") -> QuerySet[Report]:
    qs = jurisdiction.scope_reports(Report.objects.all(), user)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-received_at").defer("text")


def office_report(user: Any, public_id: str) -> Report | None:
    return jurisdiction.scope_reports(Report.objects.filter(public_id=public_id), user).first()


def reporter_messages(report: Report) -> QuerySet[Message]:
    # Internal notes never leave the office.
    return report.messages.exclude(author=Author.NOTE).order_by("at", "id")


def reporter_events(report: Report) -> QuerySet[Event]:
    return report.events.filter(public=True).order_by("at", "id")


def routing_note(report: Report) -> str:
    """Why the report went to an office above its own, in the reporter's words; "" if it did not.

    Names offices only: never who was excluded or has a conflict."""
    event = report.events.filter(kind="rerouted").order_by("at", "id").first()
    if event is None:
        return ""
    first, _arrow, rest = event.detail.partition(" → ")
    office, _colon, reason = rest.partition(": ")
    names = dict(Region.objects.filter(code__in=[first, office]).values_list("code", "name"))
    words = {"first": names.get(first, first), "office": names.get(office, office)}
    if reason == "vacant":
        return (
            _(
                "Your report was sent to the discipline office of %(office)s because "
                "%(first)s has no inspector to handle it."
            )
            % words
        )
    return (
        _(
            "Your report was sent to the discipline office of %(office)s because no inspector of %(first)s "
            "can handle it without a conflict of interest."
        )
        % words
    )


def view_log(report: Report) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
        .order_by("-at")
        .select_related("actor")
    )


def _ids(qs: QuerySet[Any]) -> QuerySet[Any]:
    return qs.annotate(audit_id=Cast("pk", CharField())).values("audit_id")


def audit_visible_reports(user: Any) -> QuerySet[Any]:
    """Ids (as the audit log writes them) of the reports `user` may know exist."""
    return _ids(jurisdiction.scope_reports(Report.objects.all(), user))


def audit_visible_files(user: Any) -> QuerySet[Any]:
    return _ids(File.objects.filter(report__in=jurisdiction.scope_reports(Report.objects.all(), user)))


def audit_visible_messages(user: Any) -> QuerySet[Any]:
    return _ids(Message.objects.filter(report__in=jurisdiction.scope_reports(Report.objects.all(), user)))


UNDER_REVIEW_CACHE = "reports:under-review"


def under_review_refresh() -> frozenset[tuple[str, str]]:
    marks = frozenset(Report.objects.filter(under_review=True).values_list("record_kind", "record_ref"))
    cache.set(UNDER_REVIEW_CACHE, marks, None)
    return marks


def under_review_refs() -> frozenset[tuple[str, str]]:
    """Every (kind, ref) marked under review, from the cache only.

    Public pages ask for every record they show and pin their query counts, so readers
    never query: marking and clearing rewrite the set, and the hourly sweep rewrites it
    too, so a cache that lost it (a restart) shows marks again within the hour. The mark
    is a courtesy to villagers, not a protection.
    """
    marks = cache.get(UNDER_REVIEW_CACHE)
    return marks if marks is not None else frozenset()


def record_under_review(kind: str, ref: str) -> bool:
    return (kind, ref) in under_review_refs()


def transfer_offices() -> QuerySet[Region]:
    return Region.objects.filter(level__in=["township", "county"]).order_by("code")


def exclusion_choices(subject_code: str) -> list[Any]:
    """Officials a reporter may ask to keep away: inspectors and officials over the subject."""

    found: dict[int, Any] = {}
    for m in (
        Membership.objects.active().filter(role__in=[Role.INSPECTOR, Role.TOWNSHIP_OFFICIAL]).select_related("user")
    ):
        if subject_code.startswith(codes.prefix_of(m.region_id)) and m.user.is_active:
            found[m.user_id] = m
    return sorted(found.values(), key=lambda m: (m.region_id, m.user.full_name))


# --- Public statistics: the published figures, summed over counties ----------------------

FIGURES = ("received", "accepted", "concluded", "replied", "reply_days")


def _with_average(row: dict[str, Any]) -> dict[str, Any]:
    row["avg_days"] = row["reply_days"] / row["replied"] if row["replied"] else None
    return row


def statistics() -> dict[str, Any]:
    """The figures as published (`publication.reports_publish`), by township, category
    and month of receipt, and in total (one query)."""
    groups: dict[str, dict[str, dict[str, Any]]] = {d: {} for d in Dimension.values}
    totals: dict[str, Any] = dict.fromkeys(FIGURES, 0)
    for figure in PublishedFigure.objects.order_by("dimension", "key", "county_code"):
        row = groups[figure.dimension].setdefault(
            figure.key, {"key": figure.key, "label": figure.label, **dict.fromkeys(FIGURES, 0)}
        )
        for name in FIGURES:
            row[name] += getattr(figure, name)
            if figure.dimension == Dimension.TOWNSHIP:
                totals[name] += getattr(figure, name)
    labels = dict(Category.choices)
    for row in groups[Dimension.CATEGORY].values():
        row["label"] = str(labels.get(row["key"], row["key"]))
    return {
        "totals": _with_average(totals),
        "townships": [_with_average(r) for r in groups[Dimension.TOWNSHIP].values()],
        "categories": [_with_average(r) for r in groups[Dimension.CATEGORY].values()],
        "months": [_with_average(r) for r in groups[Dimension.MONTH].values()],
    }


# --- Open311 (GeoReport v2): the published statuses only -----------------------------------

OPEN_STATES = {State.RECEIVED, State.ACCEPTED, State.INVESTIGATING, State.CONCLUDED}


def open311_services() -> list[dict[str, Any]]:
    return [
        {
            "service_code": code,
            "service_name": str(label),
            "description": "",
            "metadata": False,
            "type": "batch",
            "keywords": "",
            "group": "reports",
        }
        for code, label in Category.choices
    ]


def open311_request(status: PublishedStatus) -> dict[str, Any]:
    return {
        "service_request_id": status.public_id,
        "status": "open" if status.state in OPEN_STATES else "closed",
        "status_notes": str(State(status.state).label),
        "service_code": status.category,
        "service_name": str(Category(status.category).label),
        # The day, not the minute: a time of day could point at who was at the kiosk.
        "requested_datetime": status.received_on.isoformat(),
        "updated_datetime": status.updated_on.isoformat(),
        "expected_datetime": status.expected_on.isoformat(),
        "agency_responsible": status.office_name,
    }


def open311_status(public_id: str) -> PublishedStatus | None:
    return PublishedStatus.objects.filter(public_id=public_id).first()


def open311_requests(*, service_code: str = "", status: str = "", limit: int = 200) -> list[dict[str, Any]]:
    """The newest published statuses (one query). Within a day the order is the random
    public id's: the feed never says which of a day's reports came first."""
    qs = PublishedStatus.objects.order_by("-received_on", "public_id")
    if service_code:
        qs = qs.filter(category=service_code)
    if status == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif status == "closed":
        qs = qs.exclude(state__in=OPEN_STATES)
    return [open311_request(r) for r in qs[:limit]]


def counts_by_state() -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for row in Report.objects.values("state").annotate(n=Count("id")):
        found[row["state"]] = row["n"]
    return dict(found)
