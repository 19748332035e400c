"""Every write to the working-day calendar. Keyword-only, atomic, audited."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from sunlit.accounts import jurisdiction
from sunlit.audit.services import audit_record
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.regions import selectors as region_selectors
from sunlit.workdays import calendar
from sunlit.workdays.models import DayOverride

if TYPE_CHECKING:
    from sunlit.accounts.models import User


def require_calendar_admin(by: User) -> None:
    # The calendar is one for the whole deployment: changing it needs "region.edit" over
    # every top region, like anything else that reaches every village at once.
    tops = list(region_selectors.top_regions())
    if not tops or not all(jurisdiction.can(by, "region.edit", top.code) for top in tops):
        raise NotPermitted(_("Only an administrator of the whole deployment may change the calendar"))


@transaction.atomic
def day_override_set(*, day: date, is_working: bool, note: str, by: User) -> DayOverride:
    """Make `day` a working day or a day off, whatever the official calendar says."""
    require_calendar_admin(by)
    note = (note or "").strip()
    if not note:
        raise InvalidInput(_("Say why the calendar changes (the note)"), field="note")
    if len(note) > 200:
        raise InvalidInput(_("The note is longer than 200 characters"), field="note")
    override, created = DayOverride.objects.update_or_create(
        day=day, defaults={"is_working": is_working, "note": note, "created_by": by}
    )
    audit_record(
        action="workdays.override_set",
        by=by,
        obj=override,
        detail={
            "day": day.isoformat(),
            "is_working": is_working,
            "note": note,
            "created": created,
            "official": calendar.official_is_working_day(day),
        },
    )
    calendar.invalidate()
    return override


@transaction.atomic
def day_override_clear(*, day: date, by: User) -> bool:
    """Return `day` to the official calendar; False if it had no override."""
    require_calendar_admin(by)
    override = DayOverride.objects.filter(day=day).first()
    if override is None:
        return False
    audit_record(
        action="workdays.override_clear",
        by=by,
        obj=override,
        detail={"day": day.isoformat(), "was_working": override.is_working},
    )
    override.delete()
    calendar.invalidate()
    return True
