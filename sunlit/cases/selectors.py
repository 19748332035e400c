"""Reads of cases for the back office, the reminder sweep and later rooms.

"No power outside the list": vouchers, projects and payments carry a foreign key `case`
to the case that authorised them. One check decides whether a case may be cited, for
every room that writes such records:

    case_authorising(purpose=, village_code=, number= | case=)
                                        the case, if it authorises a record of this
                                        purpose in this village; NotAuthorised saying
                                        why not otherwise
    cases_authorising(purpose=, village_codes=)
                                        the cases that would pass it (pickers, demos)
    records_without_case(qs, "case")    the records that cite none (or a case that did
                                        not end approved): spending with no authority

A purpose is a kind of record as the power list's `authorises:` names it
(sunlit/powers/loader.py PURPOSES): "finance.voucher", "projects.project",
"welfare.payment:<programme>".

Lists lead their filters with the county code, as the indexes do.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from django.db.models import Count, Model, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.cases.models import Case, CaseState
from sunlit.lib.errors import InvalidInput
from sunlit.powers.loader import purpose_problem
from sunlit.powers.models import PowerItem
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


class NotAuthorised(InvalidInput):
    """A cited case does not authorise the record. `reason` is which check refused it:
    "not_found", "other_village", "not_approved" or "not_this_kind"; the message says it
    for the person (with the case's state, or its item)."""

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, field="case")
        self.reason = reason


def case_authorising(*, purpose: str, village_code: str, number: str = "", case: Case | None = None) -> Case:
    """The case, given by `number` or as `case`, that authorises a record of `purpose`
    (a voucher, project or payment) in the village `village_code`.

    It must exist, belong to that village, be approved (its flow reached @approved: a
    rejected, withdrawn, paused or still open case authorises nothing), and be a case of
    a list item whose `authorises:` names `purpose`. The item is the row of the case's
    own list version, so a later list never changes what an old case authorised.
    Raises NotAuthorised naming the first check that fails, in that order: another
    village's case is refused before anything about it is said.
    """
    if purpose_problem(purpose):
        # A caller's mistake, not the person's: the purposes are the code's own strings.
        raise ValueError(f"unknown purpose {purpose!r}: {purpose_problem(purpose)}")
    if case is None:
        number = (number or "").strip()
        case = Case.objects.select_related("item").filter(number=number).first()
        if case is None:
            raise NotAuthorised(_("there is no case %(number)s") % {"number": number}, reason="not_found")
    if case.village_id != village_code:
        raise NotAuthorised(
            _("case %(number)s belongs to another village") % {"number": case.number}, reason="other_village"
        )
    if case.state != CaseState.APPROVED:
        raise NotAuthorised(
            _("case %(number)s is not approved (it is %(state)s): it authorises nothing yet")
            % {"number": case.number, "state": case.get_state_display()},
            reason="not_approved",
        )
    item = case.item
    if not item.may_authorise(purpose):
        raise NotAuthorised(
            _(
                "case %(number)s is a case of item %(code)s %(item)s, which the power list does not let "
                "authorise %(purpose)s"
            )
            % {"number": case.number, "code": item.code, "item": item.name, "purpose": purpose},
            reason="not_this_kind",
        )
    return case


def cases_authorising(*, purpose: str, village_codes: Collection[str]) -> QuerySet[Case]:
    """The cases of these villages that case_authorising would accept for `purpose`:
    approved, of an item (of any list version) that authorises it."""
    # The item rows are few (a list has tens of items per version) and a JSON
    # "contains" lookup is not portable to SQLite: pick their ids here.
    items = [pk for pk, kinds in PowerItem.objects.values_list("pk", "authorises") if purpose in kinds]
    return Case.objects.filter(village_id__in=village_codes, state=CaseState.APPROVED, item_id__in=items)


def authorising_case(number: str) -> Case | None:
    """The case with this number, whatever its state: a lookup, not a check.

    Kept for the welfare import and payment form, which still look the case up before
    welfare's services check it with case_authorising; new code calls that instead.
    """
    return Case.objects.select_related("item", "village").filter(number=(number or "").strip()).first()


def records_without_case(qs: QuerySet[M], field: str = "case") -> QuerySet[M]:
    """The rows of `qs` with no authorising case: `field` (a FK to Case) is empty, or the
    case it names did not end approved (rejected, withdrawn, or not decided yet).

    For later rooms, e.g. `records_without_case(Voucher.objects.filter(village=…))`:
    every row it returns is money moved, or work done, outside the list.
    """
    return qs.filter(Q(**{f"{field}__isnull": True}) | ~Q(**{f"{field}__state": CaseState.APPROVED}))
