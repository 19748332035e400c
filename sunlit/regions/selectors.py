from __future__ import annotations

import re

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from sunlit.lib.rooms import PublicRecord
from sunlit.regions import codes
from sunlit.regions.models import Region


def children(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(parent=region).order_by("code")


def ancestors(region: Region) -> list[Region]:
    """From the top down to the parent, in one query (the codes say who they are)."""
    wanted = []
    code = codes.parent_code(region.code)
    while code:
        wanted.append(code)
        code = codes.parent_code(code)
    found = {r.code: r for r in Region.objects.filter(code__in=wanted)}
    return [found[c] for c in reversed(wanted) if c in found]


def subtree(region: Region) -> QuerySet[Region]:
    return Region.objects.filter(code__startswith=region.prefix)


def top_regions() -> QuerySet[Region]:
    """The deployment's roots: regions whose parent is not stored (one county, or more)."""
    return Region.objects.filter(parent__isnull=True).order_by("code")


def townships(under: Region | None = None) -> QuerySet[Region]:
    qs = Region.objects.filter(level=codes.TOWNSHIP)
    if under is not None:
        qs = qs.filter(code__startswith=under.prefix)
    return qs.order_by("code")


def public_record(code: str, level: str) -> PublicRecord | None:
    """A village (or a township's officials) as the subject of a villager's report."""
    if not re.fullmatch(r"[0-9]{12}", code or ""):
        return None
    region = Region.objects.filter(code=code, level=level).only("code", "name").first()
    if region is None:
        return None
    if level == codes.TOWNSHIP:
        return PublicRecord("township", code, _("Officials of %(name)s") % {"name": region.name}, code)
    return PublicRecord("village", code, region.name, code)
