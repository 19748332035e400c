"""Deadlines in working days, overdue lists, and the daily reminder sweep."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail

from sunlit.accounts.models import User
from sunlit.cases.models import Case, Reminder
from sunlit.cases.selectors import overdue_cases, overdue_summary
from sunlit.cases.services import case_open, cases_remind_overdue, step_actors
from sunlit.cases.tests.conftest import People, act, travel
from sunlit.conftest import VILLAGE_A, VILLAGE_B
from sunlit.workdays.services import day_override_set

pytestmark = pytest.mark.django_db
D = date.fromisoformat


def open_case(items: dict[str, Any], by: User, when: str, village: str = VILLAGE_A) -> Case:
    with travel(when):
        return case_open(item=items["S01"], village_code=village, subject="低保申请", applicant_name="王小明", by=by)


class TestDueDates:
    def test_it_counts_across_the_spring_festival_week(self, people: People, items: dict[str, Any]) -> None:
        # apply has 5 working days: Friday 02-13 → 02-14 (adjusted Saturday), 02-24, 25, 26, 27.
        case = open_case(items, people.cadre_a, "2026-02-13 16:00")
        assert case.step_due_on == D("2026-02-27")

    def test_it_counts_the_adjusted_saturday_after_the_festival(self, people: People, items: dict[str, Any]) -> None:
        # Started Tuesday 02-24: 25, 26, 27, 28 (a Saturday made a working day), then Monday 03-02.
        case = open_case(items, people.cadre_a, "2026-02-24 09:00")
        assert case.step_due_on == D("2026-03-02")

    def test_it_counts_across_national_day(self, people: People, items: dict[str, Any]) -> None:
        # Started Wednesday 09-30: 10-01..10-07 off; 10-08, 10-09, 10-10 (a Saturday worked), 10-12, 10-13.
        case = open_case(items, people.cadre_a, "2026-09-30 09:00")
        assert case.step_due_on == D("2026-10-13")

    def test_it_follows_an_administrators_override(self, people: People, items: dict[str, Any]) -> None:
        day_override_set(day=D("2026-03-04"), is_working=False, note="防汛", by=people.admin)
        case = open_case(items, people.cadre_a, "2026-03-02 09:00")
        # 03-03, (03-04 off), 03-05, 03-06, 03-09, 03-10.
        assert case.step_due_on == D("2026-03-10")


class TestOverdue:
    def test_it_is_overdue_from_the_day_after_the_due_date(self, people: People, items: dict[str, Any]) -> None:
        case = open_case(items, people.cadre_a, "2026-02-13 16:00")  # due 02-27
        assert not overdue_cases(today=D("2026-02-27")).exists()
        assert list(overdue_cases(today=D("2026-02-28"))) == [case]

    def test_it_lists_overdue_cases_per_village_and_township(self, people: People, items: dict[str, Any]) -> None:
        open_case(items, people.cadre_a, "2026-03-02 09:00")
        open_case(items, people.cadre_a, "2026-03-02 09:00")
        open_case(items, people.cadre_b, "2026-03-02 09:00", village=VILLAGE_B)
        fresh = open_case(items, people.cadre_b, "2026-03-20 09:00", village=VILLAGE_B)
        today = D("2026-03-20")
        assert overdue_cases(region_code=VILLAGE_A, today=today).count() == 2
        assert overdue_cases(region_code="431382101000", today=today).count() == 3
        assert fresh not in overdue_cases(today=today)
        summary = overdue_summary(people.official, today=today)
        assert [(r.region.code, r.count) for r in summary["villages"]] == [(VILLAGE_A, 2), (VILLAGE_B, 1)]
        assert [(r.region.code, r.count) for r in summary["townships"]] == [("431382101000", 3)]
        # A cadre sees only her village.
        summary = overdue_summary(people.cadre_b, today=today)
        assert [(r.region.code, r.count) for r in summary["villages"]] == [(VILLAGE_B, 1)]

    def test_a_closed_case_is_not_overdue(self, people: People, items: dict[str, Any]) -> None:
        case = open_case(items, people.cadre_a, "2026-03-02 09:00")
        with travel("2026-03-03 09:00"):
            act(case, "apply", people.cadre_a, "reject", decision="不符合条件")
        assert not overdue_cases(today=D("2026-06-01")).exists()


class TestReminders:
    @pytest.fixture(autouse=True)
    def committed(self, django_capture_on_commit_callbacks: Any) -> None:
        # Reminders leave once the sweep's transaction commits (sunlit/lib/notify.py); the
        # test's own transaction never does, so run its on-commit callbacks as it would.
        self.capture = django_capture_on_commit_callbacks

    def remind(self, today: date) -> int:
        with self.capture(execute=True):
            return cases_remind_overdue(today=today)

    @pytest.fixture(autouse=True)
    def email(self, settings: Any, people: People) -> None:
        settings.SUNLIT_NOTIFIER = "email"
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        for user in (people.cadre_a, people.official, people.official2):
            user.email = f"{user.username}@example.cn"
            user.save(update_fields=["email"])

    def test_it_reminds_the_people_who_can_act(self, people: People, items: dict[str, Any]) -> None:
        case = open_case(items, people.cadre_a, "2026-03-02 09:00")  # due 03-09
        assert self.remind(D("2026-03-09")) == 0
        assert self.remind(D("2026-03-10")) == 1
        assert [m.to for m in mail.outbox] == [["cadre_a@example.cn"]]
        assert case.number in mail.outbox[0].subject and "2026-03-09" in mail.outbox[0].body

    def test_it_reminds_at_most_once_a_day(self, people: People, items: dict[str, Any]) -> None:
        case = open_case(items, people.cadre_a, "2026-03-02 09:00")
        self.remind(D("2026-03-10"))
        self.remind(D("2026-03-10"))
        assert len(mail.outbox) == 1
        self.remind(D("2026-03-11"))
        assert len(mail.outbox) == 2
        assert list(Reminder.objects.filter(case=case).values_list("sent_on", "recipients")) == [
            (D("2026-03-10"), 1),
            (D("2026-03-11"), 1),
        ]

    def test_it_reminds_every_township_official_of_a_township_step(self, people: People, items: dict[str, Any]) -> None:
        case = open_case(items, people.cadre_a, "2026-03-02 09:00")
        with travel("2026-03-02 10:00"):
            act(case, "apply", people.cadre_a)
            act(case, "village_review", people.cadre_a2)
        with travel("2026-03-09 10:00"):
            act(case, "publicity", people.cadre_a)
        assert {u.username for u in step_actors(case, case.item.as_item().flow.step("township_review"))} == {
            "official",
            "official2",
            "county_official",
        }
        self.remind(D("2026-04-30"))
        # The county official has no address: the e-mail backend skips him.
        assert sorted(m.to[0] for m in mail.outbox) == ["official2@example.cn", "official@example.cn"]

    def test_it_leaves_people_whose_membership_ended(self, people: People, items: dict[str, Any]) -> None:
        from sunlit.accounts.models import Membership

        Membership.objects.filter(user=people.cadre_a).update(ends_on=D("2026-03-05"))
        open_case(items, people.official, "2026-03-02 09:00")
        assert self.remind(D("2026-03-10")) == 0
        assert Reminder.objects.get().recipients == 0

    def test_the_scheduler_runs_it_daily(self, people: People, items: dict[str, Any], settings: Any) -> None:
        from sunlit.cases.tasks import remind_overdue_task
        from sunlit.jobs import registry

        job = registry.get("cases_remind_overdue")
        assert job.task is remind_overdue_task and job.interval == 24 * 3600
        open_case(items, people.cadre_a, "2026-03-02 09:00")
        with travel("2026-03-10 08:00"):
            result = remind_overdue_task.enqueue()
        assert result.return_value == 1
