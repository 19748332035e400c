"""Reads of the reports room: the office's desk, the reporter's page, public figures.

Public figures and the Open311 feed name townships, never villages: a village's cadres
must not learn from a public page that someone in their village has reported them.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.cache import cache
from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import TruncMonth

from sunlit.accounts import jurisdiction
from sunlit.audit.models import AuditEvent
from sunlit.regions.models import Region
from sunlit.reports.models import Author, Category, Event, Message, Report, State


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


def view_log(report: Report) -> QuerySet[AuditEvent]:
    return (
        AuditEvent.objects.filter(object_type="reports.report", object_id=str(report.pk))
        .order_by("-at")
        .select_related("actor")
    )


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
    from sunlit.accounts.models import Membership, Role
    from sunlit.regions import codes

    found: dict[int, Any] = {}
    for m in (
        Membership.objects.active().filter(role__in=[Role.INSPECTOR, Role.TOWNSHIP_OFFICIAL]).select_related("user")
    ):
        if subject_code.startswith(codes.prefix_of(m.region_id)) and m.user.is_active:
            found[m.user_id] = m
    return sorted(found.values(), key=lambda m: (m.region_id, m.user.full_name))


# --- Public statistics ---------------------------------------------------------------------


def statistics() -> dict[str, Any]:
    names = dict(Region.objects.filter(level="township").values_list("code", "name"))
    accepted = Q(accepted_on__isnull=False)
    concluded = Q(finding__gt="")

    def rows(group: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for row in (
            Report.objects.values(group)
            .annotate(
                received=Count("id"),
                accepted=Count("id", filter=accepted),
                concluded=Count("id", filter=concluded),
                avg_days=Avg("reply_working_days"),
            )
            .order_by(group)
        ):
            out.append({**row, "key": row[group]})
        return out

    months = []
    for month_row in (
        Report.objects.annotate(month=TruncMonth("received_on"))
        .values("month")
        .annotate(
            received=Count("id"),
            accepted=Count("id", filter=accepted),
            concluded=Count("id", filter=concluded),
            avg_days=Avg("reply_working_days"),
        )
        .order_by("month")
    ):
        months.append({**month_row, "key": month_row["month"].strftime("%Y-%m") if month_row["month"] else ""})
    townships = rows("township_code")
    for row in townships:
        row["label"] = names.get(row["key"], row["key"])
    categories = rows("category")
    labels = dict(Category.choices)
    for row in categories:
        row["label"] = str(labels.get(row["key"], row["key"]))
    totals = Report.objects.aggregate(
        received=Count("id"),
        accepted=Count("id", filter=accepted),
        concluded=Count("id", filter=concluded),
        avg_days=Avg("reply_working_days"),
    )
    return {"totals": totals, "townships": townships, "categories": categories, "months": months}


# --- Open311 (GeoReport v2): statuses only ------------------------------------------------

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


def open311_request(report: Report, township_names: dict[str, str]) -> dict[str, Any]:
    return {
        "service_request_id": report.public_id,
        "status": "open" if report.state in OPEN_STATES else "closed",
        "status_notes": str(State(report.state).label),
        "service_code": report.category,
        "service_name": str(Category(report.category).label),
        # The day, not the minute: a time of day could point at who was at the kiosk.
        "requested_datetime": report.received_on.isoformat(),
        "updated_datetime": (report.replied_on or report.accepted_on or report.received_on).isoformat(),
        "expected_datetime": (report.reply_due_on or report.accept_due_on).isoformat(),
        "agency_responsible": township_names.get(report.office_code, report.office_code),
    }


def open311_requests(*, service_code: str = "", status: str = "", limit: int = 200) -> list[dict[str, Any]]:
    qs = Report.objects.only(
        "public_id",
        "state",
        "category",
        "received_on",
        "replied_on",
        "accepted_on",
        "reply_due_on",
        "accept_due_on",
        "office_code",
    ).order_by("-received_at")
    if service_code:
        qs = qs.filter(category=service_code)
    if status == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif status == "closed":
        qs = qs.exclude(state__in=OPEN_STATES)
    names = dict(Region.objects.filter(level__in=["township", "county"]).values_list("code", "name"))
    return [open311_request(r, names) for r in qs[:limit]]


def counts_by_state() -> dict[str, int]:
    found: dict[str, int] = defaultdict(int)
    for row in Report.objects.values("state").annotate(n=Count("id")):
        found[row["state"]] = row["n"]
    return dict(found)
