"""Reads of the projects room. Public reads use PublishedProject and published snapshots
only; back-office reads go through the jurisdiction scope. Every function is a fixed,
small number of queries whatever the number of projects (counts pinned in tests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import Count, Q, QuerySet, Sum

from sunlit.accounts import jurisdiction
from sunlit.lib.errors import InvalidInput
from sunlit.lib.rooms import PublicRecord
from sunlit.projects.models import Category, Document, FundingKind, Project, PublishedProject, Status
from sunlit.regions import codes
from sunlit.regions.models import Region
from sunlit.transparency.models import Entry

PAGE_SIZE = 50


def _level(code: str) -> str | None:
    try:
        return codes.level_of(code)
    except InvalidInput:
        return None


def region(code: str, level: str) -> Region | None:
    if _level(code) != level:
        return None
    return Region.objects.select_related("parent").filter(code=code, level=level).first()


def poverty_projects_by_village(region_code: str) -> list[dict[str, Any]]:
    """For every village under `region_code` (county, township or village): its published
    projects that have a poverty-alleviation funding source, the budget from that source
    and the share of payments it carried. Two queries, from published data only.

    [{"village_code", "village_name", "projects", "budget_fen", "paid_fen"}, …] by code;
    villages without such a project are listed with zeros.
    """
    level = _level(region_code)
    if level is None:
        return []
    prefix = codes.prefix_of(region_code)
    villages = list(
        Region.objects.filter(level=codes.VILLAGE, code__startswith=prefix).order_by("code").values_list("code", "name")
    )
    qs = PublishedProject.objects.filter(village_code__startswith=prefix, sources__contains=",poverty,")
    if level in (codes.COUNTY, codes.TOWNSHIP, codes.VILLAGE):
        qs = qs.filter(county_code=codes.county_of(region_code))  # the index leads with the county
    totals = {
        row["village_code"]: row
        for row in qs.values("village_code").annotate(
            projects=Count("id"), budget_fen=Sum("poverty_budget"), paid_fen=Sum("poverty_paid")
        )
    }
    out = []
    for code, name in villages:
        row = totals.get(code)
        out.append(
            {
                "village_code": code,
                "village_name": name,
                "projects": int(row["projects"]) if row else 0,
                "budget_fen": int(row["budget_fen"] or 0) if row else 0,
                "paid_fen": int(row["paid_fen"] or 0) if row else 0,
            }
        )
    return out


@dataclass
class Filters:
    status: str = ""
    year: int | None = None
    source: str = ""
    category: str = ""

    @classmethod
    def parse(cls, params: Any) -> Filters:

        year = params.get("year", "")
        return cls(
            status=params.get("status", "") if params.get("status", "") in Status.values else "",
            year=int(year) if str(year).isascii() and str(year).isdigit() and 1990 <= int(year) <= 2100 else None,
            source=params.get("source", "") if params.get("source", "") in FundingKind.values else "",
            category=params.get("category", "") if params.get("category", "") in Category.values else "",
        )

    def apply(self, qs: QuerySet[PublishedProject]) -> QuerySet[PublishedProject]:
        if self.status:
            qs = qs.filter(status=self.status)
        if self.year:
            qs = qs.filter(year=self.year)
        if self.source:
            qs = qs.filter(sources__contains=f",{self.source},")
        if self.category:
            qs = qs.filter(category=self.category)
        return qs

    def query(self) -> str:

        return urlencode(
            {
                k: v
                for k, v in (
                    ("status", self.status),
                    ("year", self.year or ""),
                    ("source", self.source),
                    ("category", self.category),
                )
                if v
            }
        )


@dataclass
class ListPage:
    rows: list[PublishedProject]
    count: int
    budget: int
    paid: int
    years: list[int]
    page: int
    pages: int


def published_list(*, village_code: str = "", township_code: str = "", filters: Filters, page: int = 1) -> ListPage:
    """A village's or a township's published projects, filtered: three queries."""
    area = village_code or township_code
    base = PublishedProject.objects.filter(county_code=codes.county_of(area))
    base = base.filter(village_code=village_code) if village_code else base.filter(township_code=township_code)
    years = sorted(base.values_list("year", flat=True).distinct(), reverse=True)
    qs = filters.apply(base)
    totals = qs.aggregate(n=Count("id"), budget=Sum("budget"), paid=Sum("paid"))
    count = int(totals["n"] or 0)
    pages = max(1, -(-count // PAGE_SIZE))
    page = min(max(1, page), pages)
    rows = list(qs.order_by("-year", "village_code", "number")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE])
    return ListPage(
        rows=rows,
        count=count,
        budget=int(totals["budget"] or 0),
        paid=int(totals["paid"] or 0),
        years=years,
        page=page,
        pages=pages,
    )


def published_project(number: str) -> tuple[PublishedProject, Any] | None:
    """The project's public row and its current published entry: two queries."""

    row = PublishedProject.objects.filter(number=number).first()
    if row is None:
        return None
    entry = Entry.objects.filter(pk=row.publication_id).first()
    if entry is None:
        return None
    return row, entry


def published_document(number: str, sha256: str) -> tuple[dict[str, Any], Any, Any] | None:
    """A document that the project's current snapshot names: (its snapshot entry, the
    stored Document, the published entry); None for anything unpublished."""

    found = published_project(number)
    if found is None:
        return None
    _row, entry = found
    snapshot = entry.snapshot
    listed = next((d for d in snapshot.get("documents", []) if d["sha256"] == sha256), None)
    if listed is None:
        return None
    stored = Document.objects.filter(project__number=number, sha256=sha256).first()
    if stored is None:
        return None
    return listed, stored, entry


def ocds_entries(township_code: str) -> list[Any]:
    """The current published snapshots of a township's projects, in one query."""

    ids = PublishedProject.objects.filter(
        county_code=codes.county_of(township_code), township_code=township_code
    ).values("publication_id")
    return list(Entry.objects.filter(pk__in=ids).order_by("chain_id", "ref"))


# --- back office ---------------------------------------------------------------------------


def villages_in_scope(user: Any, action: str = "projects.view") -> QuerySet[Region]:
    return (
        jurisdiction.scope(Region.objects.filter(level=codes.VILLAGE), user, action, field="code")
        .select_related("parent")
        .order_by("code")
    )


def desk_villages(user: Any) -> list[dict[str, Any]]:
    villages = list(villages_in_scope(user)[:1000])
    counts: dict[str, Any] = {
        row["village"]: row
        for row in jurisdiction.scope(Project.objects.all(), user, "projects.view", field="village")
        .values("village")
        .annotate(n=Count("id"), unpublished=Count("id", filter=Q(publication__isnull=True)))
    }
    return [
        {
            "region": v,
            "projects": counts.get(v.code, {}).get("n", 0),
            "unpublished": counts.get(v.code, {}).get("unpublished", 0),
        }
        for v in villages
    ]


def desk_projects(village_code: str) -> list[Project]:
    return list(Project.objects.filter(village_id=village_code).order_by("-year", "number"))


def desk_project(pk: int) -> Project | None:
    return (
        Project.objects.select_related(
            "village", "case__item", "contract", "tender__winner", "acceptance__report", "publication"
        )
        .prefetch_related(
            "funding", "tender__bids", "contract__amendments", "milestones", "documents", "payments__voucher"
        )
        .filter(pk=pk)
        .first()
    )


def public_project(ref: str) -> PublicRecord | None:
    """A published project as the subject of a villager's report (about the project's village)."""
    row = PublishedProject.objects.filter(number=(ref or "").strip()).only("number", "name", "village_code").first()
    if row is None:
        return None
    return PublicRecord("project", row.number, f"{row.number} {row.name}", row.village_code)
