from __future__ import annotations

from sunlit.cases.models import Case
from sunlit.lib.rooms import DemoContext


def seed(ctx: DemoContext) -> None:
    # Runs after the cases' seeder (the manifest depends on "cases"): it sees their count.
    ctx.results["throwaway"] = {"cases_seen": Case.objects.count(), "after": sorted(ctx.results)}
