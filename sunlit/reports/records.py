"""The public records a report can be about, and where each report is routed.

A reference is (kind, ref) as the public pages know it. Each kind resolves to the region
the record belongs to; an unknown or unpublished reference is refused, so nobody can
file against a record that does not exist (or probe which unpublished ones do).

Routing: a report about a village goes to its township's discipline office; a report
about a township (its officials) goes to the office above, the county-level city's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sunlit.lib.errors import InvalidInput
from sunlit.regions import codes
from sunlit.regions.models import Region


@dataclass(frozen=True)
class Record:
    kind: str
    ref: str
    label: str
    subject_code: str  # a village, or a township for a report about its officials

    @property
    def township_code(self) -> str:
        if codes.level_of(self.subject_code) == codes.TOWNSHIP:
            return self.subject_code
        return codes.parent_code(self.subject_code) or self.subject_code

    @property
    def county_code(self) -> str:
        return codes.county_of(self.subject_code)

    @property
    def office_code(self) -> str:
        if codes.level_of(self.subject_code) == codes.VILLAGE:
            return self.township_code
        return codes.parent_code(self.subject_code) or self.subject_code


def _region(code: str, level: str) -> Region | None:
    if not re.fullmatch(r"[0-9]{12}", code or ""):
        return None
    region = Region.objects.filter(code=code).first()
    return region if region is not None and region.level == level else None


def _village(ref: str) -> Record | None:
    region = _region(ref, codes.VILLAGE)
    return Record("village", ref, region.name, ref) if region else None


def _township(ref: str) -> Record | None:
    region = _region(ref, codes.TOWNSHIP)
    if region is None:
        return None
    return Record("township", ref, _("Officials of %(name)s") % {"name": region.name}, ref)


def _case(ref: str) -> Record | None:
    from sunlit.transparency import selectors as tsel

    entry = tsel.current("case", ref)
    if entry is None:
        return None
    snapshot = entry.snapshot
    return Record("case", ref, f"{ref} {snapshot.get('subject', '')}".strip(), snapshot["village"])


def _voucher(ref: str) -> Record | None:
    from sunlit.finance.models import PublishedEntry

    match = re.fullmatch(r"([0-9]{12})-([0-9]{4})-([0-9]{1,9})", ref or "")
    if not match:
        return None
    village, year, number = match[1], int(match[2]), int(match[3])
    if not PublishedEntry.objects.filter(
        county_code=codes.county_of(village), village_code=village, year=year, number=number
    ).exists():
        return None
    return Record(
        "finance.voucher", ref, _("Voucher %(year)d No. %(number)d") % {"year": year, "number": number}, village
    )


RESOLVERS: dict[str, Callable[[str], Record | None]] = {
    "village": _village,
    "township": _township,
    "case": _case,
    "finance.voucher": _voucher,
}


def resolve(kind: str, ref: str) -> Record:
    resolver = RESOLVERS.get(kind or "")
    record = resolver((ref or "").strip()) if resolver else None
    if record is None:
        raise InvalidInput(
            _(
                'No public record %(ref)s was found: open the record\'s page and use its "Question this" button, '
                "or choose your village"
            )
            % {"ref": f"{kind}:{ref}"[:80]},
            field="record",
        )
    return record
