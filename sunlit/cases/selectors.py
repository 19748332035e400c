"""Reads of cases for the back office, the reminder sweep and later rooms.

"No power outside the list": vouchers, projects and payments will carry a foreign key
`case` to the case that authorised them. Two selectors answer the supervisor's question:

    authorising_case(number)            the case a record cites, if it is a real one
    records_without_case(qs, "case")    the records that cite none (or a case that did
                                        not end approved): spending with no authority

Lists lead their filters with the county code, as the indexes do.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone

from sunlit.accounts import jurisdiction
from sunlit.cases.models import Case, CaseState
from sunlit.regions import codes
from sunlit.regions.models import Region

M = TypeVar("M", bound=Model)


def _within(prefixes: list[str]) -> Q:
    """Cases in any of the regions whose code prefixes are given, led by the county code
    where the prefix fixes it (a county, township or village), so the index is used."""
    condition = Q()
    for p in prefixes:
        if len(p) >= codes.PREFIX_LENGTH[codes.COUNTY]:
            condition |= Q(county_code=p[:6].ljust(12, "0"), village__code__startswith=p)
        else:
            condition |= Q(county_code__startswith=p)
    return condition


def cases_in_scope(user: Any, action: str = "case.view") -> QuerySet[Case]:
    prefixes = jurisdiction.prefixes(user, action)
    if not prefixes:
        return Case.objects.none()
    return Case.objects.filter(_within(prefixes))


def case_list(
    user: Any,
    *,
    state: str = "",
    overdue: bool = False,
    item_code: str = "",
    region: str = "",
    today: date | None = None,
) -> QuerySet[Case]:
    """The cases a person may see, filtered, newest first, with what a list row shows."""
    qs = cases_in_scope(user)
    if region:
        qs = qs.filter(_within([codes.prefix_of(region)]))
    if state:
        qs = qs.filter(state=state)
    if overdue:
        qs = qs.filter(state=CaseState.OPEN, step_due_on__lt=today or timezone.localdate())
    if item_code:
        qs = qs.filter(item__code=item_code)
    return qs.select_related("item", "village").order_by("-opened_at", "-id")


def case_for(user: Any, number: str) -> Case | None:
    """One case by number, if the person may see it (None otherwise: it does not exist
    for them)."""
    case = Case.objects.select_related("item", "village", "opened_by").filter(number=(number or "").strip()).first()
    if case is None or not jurisdiction.can(user, "case.view", case.village_id):
        return None
    return case


def case_history(case: Case) -> dict[str, list[Any]]:
    """The actions (with actor and attachments), opinions and objections of a case."""
    return {
        "actions": list(case.actions.select_related("actor").prefetch_related("attachments").order_by("seq")),
        "opinions": list(case.opinions.select_related("by").order_by("at", "id")),
        "objections": list(case.objections.select_related("recorded_by", "resolved_by").order_by("recorded_at", "id")),
    }


def overdue_cases(*, region_code: str | None = None, today: date | None = None) -> QuerySet[Case]:
    """Open cases whose current step is past its due date (a paused case is not overdue)."""
    today = today or timezone.localdate()
    qs = Case.objects.filter(state=CaseState.OPEN, step_due_on__lt=today)
    if region_code:
        qs = qs.filter(_within([codes.prefix_of(region_code)]))
    return qs.order_by("step_due_on", "id")


@dataclass
class OverdueRow:
    region: Region
    count: int


def overdue_summary(user: Any, *, today: date | None = None) -> dict[str, list[OverdueRow]]:
    """Overdue cases the person may see, counted per village and per township (two queries
    and one for the names)."""
    today = today or timezone.localdate()
    qs = cases_in_scope(user).filter(state=CaseState.OPEN, step_due_on__lt=today)
    per_village = dict(qs.values_list("village_id").annotate(n=Count("id")).order_by())
    per_township: dict[str, int] = {}
    for village, n in per_village.items():
        township = codes.parent_code(village) or village
        per_township[township] = per_township.get(township, 0) + n
    names = {r.code: r for r in Region.objects.filter(code__in=[*per_village, *per_township])}
    return {
        "villages": [OverdueRow(names[c], n) for c, n in sorted(per_village.items()) if c in names],
        "townships": [OverdueRow(names[c], n) for c, n in sorted(per_township.items()) if c in names],
    }


# --- "no power outside the list" ---------------------------------------------------------


def authorising_case(number: str) -> Case | None:
    """The case with this number, which a voucher, project or payment cites as its authority.

    Only an approved case authorises anything; this returns the case whatever its state
    so that the caller can say *why* it does not authorise ("rejected", "still open").
    """
    return Case.objects.select_related("item", "village").filter(number=(number or "").strip()).first()


def records_without_case(qs: QuerySet[M], field: str = "case") -> QuerySet[M]:
    """The rows of `qs` with no authorising case: `field` (a FK to Case) is empty, or the
    case it names did not end approved (rejected, withdrawn, or not decided yet).

    For later rooms, e.g. `records_without_case(Voucher.objects.filter(village=…))`:
    every row it returns is money moved, or work done, outside the list.
    """
    return qs.filter(Q(**{f"{field}__isnull": True}) | ~Q(**{f"{field}__state": CaseState.APPROVED}))
