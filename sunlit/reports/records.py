"""The public records a report can be about, and where each report is routed.

A reference is (kind, ref) as the public pages know it. Each kind resolves to the region
the record belongs to; an unknown or unpublished reference is refused, so nobody can
file against a record that does not exist (or probe which unpublished ones do).

Routing: a report about a village goes to its township's discipline office; a report
about a township (its officials) goes to the office above, the county-level city's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from sunlit.lib import rooms
from sunlit.lib.errors import InvalidInput
from sunlit.lib.rooms import PublicRecord
from sunlit.regions import codes


@dataclass(frozen=True)
class Record(PublicRecord):
    """A public record with where a report about it is routed."""

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


def resolve(kind: str, ref: str) -> Record:
    """The published record (kind, ref), by the resolver its room's manifest declares."""
    resolver = rooms.registry().resolvers.get(kind or "")
    found = resolver((ref or "").strip()) if resolver else None
    if found is None:
        raise InvalidInput(
            _(
                'No public record %(ref)s was found: open the record\'s page and use its "Question this" button, '
                "or choose your village"
            )
            % {"ref": f"{kind}:{ref}"[:80]},
            field="record",
        )
    return Record(found.kind, found.ref, found.label, found.subject_code)
