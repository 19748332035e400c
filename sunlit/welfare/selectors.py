"""Reads of the welfare room: the back office's (scoped by the one jurisdiction check)
and the public side's (published snapshots and the rows derived from them only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext

from sunlit.accounts import jurisdiction
from sunlit.cases.models import Case, CaseState
from sunlit.lib import idnumbers
from sunlit.lib.rooms import PublicRecord
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency import selectors as tsel
from sunlit.welfare import publication
from sunlit.welfare.models import (
    Household,
    ImportBatch,
    Member,
    Payment,
    Programme,
    PublishedList,
    RelativeDeclaration,
)

# --- back office ------------------------------------------------------------------------------


def villages_in_scope(user: Any, action: str = "welfare.view") -> QuerySet[Region]:
    return (
        jurisdiction.scope(Region.objects.filter(level=codes.VILLAGE), user, action, field="code")
        .select_related("parent")
        .order_by("code")
    )


@dataclass
class VillageRow:
    village: Region
    households: int = 0
    payments: int = 0
    marked: int = 0


def desks(user: Any) -> list[VillageRow]:
    """Per village in scope: households, payments and marked payments (three queries)."""
    villages = list(villages_in_scope(user)[:1000])
    rows = {v.code: VillageRow(v) for v in villages}
    if not rows:
        return []
    for code, n in Household.objects.filter(village_id__in=rows).values_list("village_id").annotate(n=Count("id")):
        rows[code].households = n
    marked = Q(after_death=True) | Q(moved_out=True) | Q(relative__isnull=False)
    for code, n, m in (
        Payment.objects.filter(village_code__in=rows)
        .values_list("village_code")
        .annotate(n=Count("id"), m=Count("id", filter=marked))
    ):
        rows[code].payments, rows[code].marked = n, m
    return list(rows.values())


def households(village_code: str, *, q: str = "") -> QuerySet[Household]:
    qs = (
        Household.objects.filter(county_code=codes.county_of(village_code), village_id=village_code)
        .annotate(member_count=Count("members", distinct=True))
        .order_by("number")
    )
    q = q.strip()
    if q:
        if idnumbers.is_valid(q):
            qs = qs.filter(members__id_fingerprint=idnumbers.fingerprint(idnumbers.normalize(q)))
        else:
            qs = qs.filter(Q(number=q) | Q(members__name__contains=q)).distinct()
    return qs


def heads(household_ids: list[int]) -> dict[int, str]:
    return dict(
        Member.objects.filter(household_id__in=household_ids, relation="head").values_list("household_id", "name")
    )


def household(pk: int) -> Household | None:
    return Household.objects.select_related("village", "village__parent").filter(pk=pk).first()


def household_payments(household: Household) -> QuerySet[Payment]:
    return (
        Payment.objects.filter(
            county_code=household.county_code, village_code=household.village_id, household=household
        )
        .select_related("programme", "member", "case")
        .order_by("-paid_on", "-id")
    )


def approved_cases(village_code: str, item_codes: list[str]) -> list[Any]:
    """Approved cases of the village that a payment may cite (for the payment form)."""

    return list(
        Case.objects.filter(village_id=village_code, state=CaseState.APPROVED, item__code__in=item_codes)
        .select_related("item")
        .order_by("-opened_at")[:200]
    )


def programmes() -> list[Programme]:
    return list(Programme.objects.filter(active=True).order_by("position", "code"))


def review_queue(user: Any, *, relatives_only: bool = False) -> QuerySet[Payment]:
    """Marked payments in the reviewer's villages, newest first. A cadre has no
    `welfare.relatives` role, so the queue is empty for them (and the page a 404)."""
    qs = jurisdiction.scope(Payment.objects.all(), user, "welfare.relatives", field="village_code")
    marked = (
        Q(relative__isnull=False)
        if relatives_only
        else (Q(after_death=True) | Q(moved_out=True) | Q(relative__isnull=False))
    )
    return (
        qs.filter(marked)
        .select_related("programme", "household", "member", "relative", "relative__cadre")
        .order_by("-paid_on", "-id")
    )


def declarations_of(user: Any) -> QuerySet[RelativeDeclaration]:
    return (
        RelativeDeclaration.objects.filter(cadre=user)
        .select_related("village")
        .annotate(payment_count=Count("payments"))
        .order_by("-declared_at")
    )


def import_batches(user: Any) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(uploaded_by=user).order_by("-created_at")[:30]


# --- public: published lists ------------------------------------------------------------------


def village(code: str) -> Region | None:
    return Region.objects.select_related("parent").filter(code=code, level=codes.VILLAGE).first()


@dataclass
class ProgrammeLists:
    code: str
    name: str
    years: list[PublishedList] = field(default_factory=list)


def village_lists(code: str) -> list[ProgrammeLists]:
    """The village's published lists, grouped by programme (one query plus programmes)."""
    names = {p.code: p.name for p in Programme.objects.all()}
    order = {p: i for i, p in enumerate(names)}
    grouped: dict[str, ProgrammeLists] = {}
    for row in PublishedList.objects.filter(county_code=codes.county_of(code), village_code=code).order_by(
        "programme", "-year"
    ):
        grouped.setdefault(row.programme, ProgrammeLists(row.programme, names.get(row.programme, row.programme)))
        grouped[row.programme].years.append(row)
    return sorted(grouped.values(), key=lambda g: order.get(g.code, 99))


def published_list(village_code: str, programme: str, year: int) -> Any:

    return tsel.current(publication.KIND, publication.ref(village_code, programme, year))


# --- public: the poverty-alleviation section --------------------------------------------------


@dataclass
class Section:
    region: Region
    years: list[int]
    programmes: list[tuple[str, str]]  # (code, name)
    by_programme_year: dict[str, dict[int, int]]  # programme → year → fen
    households_by_year: dict[int, int]
    areas: list[dict[str, Any]]  # townships (for a county) or villages (for a township)
    totals: dict[str, int]
    projects: list[dict[str, Any]] | None  # None: the projects room does not answer yet
    projects_note: str = ""


def section(region: Region) -> Section:
    """Aggregates of the published lists under `region` (a county or a township)."""
    rows = (
        PublishedList.objects.filter(village_code__startswith=region.prefix)
        if region.level != codes.VILLAGE
        else PublishedList.objects.filter(village_code=region.code)
    )
    by_programme_year: dict[str, dict[int, int]] = defaultdict(dict)
    households_by_year: dict[int, int] = defaultdict(int)
    years: set[int] = set()
    for programme, year, amount, hh in (
        rows.values_list("programme", "year")
        .annotate(a=Sum("amount_fen"), h=Sum("households"))
        .order_by("programme", "year")
    ):
        by_programme_year[programme][year] = int(amount or 0)
        households_by_year[year] += int(hh or 0)
        years.add(year)
    group_village = codes.level_of(region.code) == codes.TOWNSHIP
    key = "village_code" if group_village else "township_code"
    areas: dict[str, dict[str, Any]] = {}
    for code, vname, amount, hh, n in (
        rows.values_list(key, "village_name")
        .annotate(a=Sum("amount_fen"), h=Sum("households"), n=Sum("payments"))
        .order_by(key)
    ):
        area = areas.setdefault(
            code, {"code": code, "name": vname if group_village else "", "amount": 0, "households": 0, "payments": 0}
        )
        area["amount"] += int(amount or 0)
        area["households"] += int(hh or 0)
        area["payments"] += int(n or 0)
    if not group_village:
        for code, name in Region.objects.filter(code__in=list(areas)).values_list("code", "name"):
            areas[code]["name"] = name
    names = {p.code: p.name for p in Programme.objects.order_by("position")}
    used = [(c, n) for c, n in names.items() if c in by_programme_year]
    totals = {
        "amount": sum(a["amount"] for a in areas.values()),
        "payments": sum(a["payments"] for a in areas.values()),
        "villages": rows.values("village_code").distinct().count(),
    }
    projects, note = _projects(region.code)
    return Section(
        region=region,
        years=sorted(years),
        programmes=used,
        by_programme_year=dict(by_programme_year),
        households_by_year=dict(households_by_year),
        areas=list(areas.values()),
        totals=totals,
        projects=projects,
        projects_note=note,
    )


def _projects(region_code: str) -> tuple[list[dict[str, Any]] | None, str]:
    """Projects and funds by village, from the projects room when it provides them."""
    # Imported here on purpose: the projects room is optional beside welfare (a deployment
    # may install welfare alone), and the section then says the projects are missing.
    try:
        from sunlit.projects.selectors import poverty_projects_by_village
    except ImportError:
        return None, "missing"
    return list(poverty_projects_by_village(region_code)), ""


def public_list(ref: str) -> PublicRecord | None:
    """A published benefit list as the subject of a villager's report (about its village)."""
    entry = tsel.current(publication.KIND, ref)
    if entry is None:
        return None
    snapshot = entry.snapshot
    label = gettext("%(village)s: list of %(programme)s, %(year)s") % {
        "village": snapshot["village"]["name"],
        "programme": snapshot["programme"]["name"],
        "year": snapshot["year"],
    }
    return PublicRecord(publication.KIND, ref, label, snapshot["village"]["code"])
