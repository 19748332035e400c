"""The demo's cases: every item exercised, every state present, history over the years,
all through the services (so published and verifiable)."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from django.core.management import call_command
from django.utils import timezone

from sunlit.cases.models import Case, CaseState
from sunlit.cases.selectors import overdue_cases
from sunlit.demo.services import SMALL, demo_seed
from sunlit.powers.models import PowerItem
from sunlit.transparency import selectors as published

pytestmark = [pytest.mark.django_db, pytest.mark.demo_cases]


def test_it_exercises_every_item_in_every_state() -> None:
    result = demo_seed(scale=SMALL, seed=1, progress=False)
    assert result.cases_opened == Case.objects.count() > 28
    items = set(PowerItem.objects.filter(version__is_current=True).values_list("code", flat=True))
    assert set(Case.objects.values_list("item__code", flat=True)) == items
    states = Counter(Case.objects.values_list("state", flat=True))
    assert set(states) == set(CaseState.values), states
    assert overdue_cases().exists()


def test_it_writes_history_over_the_years_and_publishes_every_case() -> None:
    demo_seed(scale=SMALL, seed=1, progress=False)
    first = Case.objects.order_by("opened_at").first()
    assert first is not None and timezone.localdate(first.opened_at) < date(2025, 1, 1)
    for case in Case.objects.all()[:10]:
        entry = published.current(kind="case", ref=case.number)
        assert entry is not None and entry.snapshot["state"] == case.state
    # Each village's public record reads forward in time.
    for chain in Case.objects.values_list("village_id", flat=True).distinct():
        times = list(published.entries_for_chain(chain).order_by("seq").values_list("published_at", flat=True))
        assert times == sorted(times)


def test_it_is_deterministic_and_idempotent() -> None:
    demo_seed(scale=SMALL, seed=1, progress=False)
    before = sorted(Case.objects.values_list("number", "subject", "state"))
    again = demo_seed(scale=SMALL, seed=1, progress=False)
    assert again.cases_opened == 0
    assert sorted(Case.objects.values_list("number", "subject", "state")) == before


def test_it_leaves_a_log_that_verifies() -> None:
    demo_seed(scale=SMALL, seed=1, progress=False)
    call_command("verify")  # raises SystemExit(1) on any mismatch
