"""The official calendar at its boundaries: the Spring Festival and National Day weeks of
2026, the weekend days made working days (调休), and an administrator's override."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from sunlit.conftest import Cast
from sunlit.lib.errors import InvalidInput, NotPermitted
from sunlit.workdays.calendar import add_working_days, is_working_day, working_days_between
from sunlit.workdays.models import DayOverride
from sunlit.workdays.services import day_override_clear, day_override_set

pytestmark = pytest.mark.django_db

D = date.fromisoformat


class TestOfficialCalendar:
    @pytest.mark.parametrize("day", ["2026-02-15", "2026-02-16", "2026-02-17", "2026-02-20", "2026-02-23"])
    def test_it_rests_through_the_spring_festival_week(self, day: str) -> None:
        assert not is_working_day(D(day))

    @pytest.mark.parametrize("day", ["2026-02-14", "2026-02-28", "2026-09-20", "2026-10-10"])
    def test_it_works_on_the_adjusted_weekend_days(self, day: str) -> None:
        assert D(day).weekday() >= 5
        assert is_working_day(D(day))

    @pytest.mark.parametrize("day", ["2026-10-01", "2026-10-04", "2026-10-05", "2026-10-07"])
    def test_it_rests_through_national_day(self, day: str) -> None:
        assert not is_working_day(D(day))

    def test_it_works_on_the_day_after_national_day(self) -> None:
        # The State Council's 2026 notice: 10-01 to 10-07 off, 10-08 (Thursday) a working day.
        assert is_working_day(D("2026-10-08"))

    def test_it_rests_on_an_ordinary_weekend(self) -> None:
        assert not is_working_day(D("2026-03-07")) and not is_working_day(D("2026-03-08"))


class TestDeadlines:
    def test_it_counts_from_the_day_after_the_start(self) -> None:
        assert add_working_days(D("2026-03-02"), 1) == D("2026-03-03")
        assert add_working_days(D("2026-03-02"), 0) == D("2026-03-02")

    def test_it_skips_an_ordinary_weekend(self) -> None:
        assert add_working_days(D("2026-03-06"), 1) == D("2026-03-09")  # Friday → Monday

    def test_it_counts_the_adjusted_saturday_before_the_festival(self) -> None:
        # Started Friday 02-13: Saturday 02-14 is a working day, then nine days off.
        assert add_working_days(D("2026-02-13"), 1) == D("2026-02-14")
        assert add_working_days(D("2026-02-13"), 2) == D("2026-02-24")

    def test_it_jumps_the_spring_festival_week(self) -> None:
        # Started Thursday 02-12: 02-13, 02-14 (adjusted), then 02-24, 02-25, 02-26, 02-27, 02-28 (adjusted).
        assert add_working_days(D("2026-02-12"), 7) == D("2026-02-28")
        assert add_working_days(D("2026-02-12"), 8) == D("2026-03-02")

    def test_it_jumps_the_national_day_week(self) -> None:
        # Started Friday 09-18: 09-20 (a Sunday made working), 21-24, then 09-25 is Mid-Autumn.
        assert add_working_days(D("2026-09-18"), 1) == D("2026-09-20")
        assert add_working_days(D("2026-09-30"), 1) == D("2026-10-08")
        assert add_working_days(D("2026-09-30"), 3) == D("2026-10-10")

    def test_it_inverts_add_working_days(self) -> None:
        start = D("2026-02-10")
        for n in range(0, 25):
            assert working_days_between(start, add_working_days(start, n)) == n

    def test_it_counts_backwards_negatively(self) -> None:
        assert working_days_between(D("2026-03-03"), D("2026-03-02")) == -1
        assert working_days_between(D("2026-03-02"), D("2026-03-02")) == 0


class TestOverrides:
    def test_it_lets_an_administrator_close_a_working_day(self, cast: Cast) -> None:
        assert is_working_day(D("2026-03-04"))
        day_override_set(day=D("2026-03-04"), is_working=False, note="县防汛停工", by=cast.admin)
        assert not is_working_day(D("2026-03-04"))
        assert add_working_days(D("2026-03-03"), 1) == D("2026-03-05")

    def test_it_lets_an_administrator_open_a_day_off(self, cast: Cast) -> None:
        day_override_set(
            day=D("2027-02-20"), is_working=True, note="2027 调休 (notice not yet in holidays)", by=cast.admin
        )
        assert is_working_day(D("2027-02-20"))

    def test_it_replaces_an_override_and_clears_it(self, cast: Cast) -> None:
        day_override_set(day=D("2026-03-04"), is_working=False, note="first", by=cast.admin)
        day_override_set(day=D("2026-03-04"), is_working=True, note="second", by=cast.admin)
        assert DayOverride.objects.get().note == "second"
        assert is_working_day(D("2026-03-04"))
        assert day_override_clear(day=D("2026-03-04"), by=cast.admin)
        assert not DayOverride.objects.exists()
        assert is_working_day(D("2026-03-04"))
        assert not day_override_clear(day=D("2026-03-04"), by=cast.admin)

    @pytest.mark.parametrize("actor", ["official", "cadre_a", "operator", "inspector"])
    def test_it_refuses_anyone_but_the_administrator(self, cast: Cast, actor: str) -> None:
        with pytest.raises(NotPermitted):
            day_override_set(day=D("2026-03-04"), is_working=False, note="x", by=cast.actors()[actor])
        assert not DayOverride.objects.exists()
        assert is_working_day(D("2026-03-04"))

    def test_it_refuses_an_override_without_a_reason(self, cast: Cast) -> None:
        with pytest.raises(InvalidInput):
            day_override_set(day=D("2026-03-04"), is_working=False, note=" ", by=cast.admin)

    def test_it_audits_the_change(self, cast: Cast) -> None:
        from sunlit.audit.models import AuditEvent

        day_override_set(day=D("2026-03-04"), is_working=False, note="停电", by=cast.admin)
        event = AuditEvent.objects.get(action="workdays.override_set")
        assert event.actor == cast.admin and event.detail["official"] is True

    def test_it_forgets_an_override_whose_transaction_rolled_back(self, cast: Cast, django_db_blocker: Any) -> None:
        from django.db import transaction

        class Abort(Exception):
            pass

        with pytest.raises(Abort), transaction.atomic():
            day_override_set(day=D("2026-03-04"), is_working=False, note="rolled back", by=cast.admin)
            assert not is_working_day(D("2026-03-04"))
            raise Abort
        assert is_working_day(D("2026-03-04"))
