"""Two officials submitting the same step at the same moment, on real connections: one
wins, the other is told who did. PostgreSQL only (SQLite's writers queue before they
read, so the race cannot happen there)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection

from sunlit.accounts.models import Role
from sunlit.cases import services
from sunlit.cases.models import Case
from sunlit.cases.tests.conftest import People
from sunlit.conftest import VILLAGE_A, make_user
from sunlit.lib.errors import ApplicationError

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs two real concurrent transactions"),
]


@pytest.fixture
def flushable(transactional_db: Any) -> Any:
    """Let the flush after this test empty the append-only tables.

    Their triggers refuse DELETE and TRUNCATE to everyone, the test runner's flush too.
    Replica mode (superuser only) skips ordinary triggers for this one session, which
    the runner closes right after its flush.
    """
    yield
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def test_it_lets_exactly_one_of_two_simultaneous_submits_through(
    flushable: Any, people: People, items: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Opened by a third cadre: whoever opens a case never takes its decision steps.
    opener = make_user("cadre_a3", "赵德明", Role.CADRE, VILLAGE_A)
    case = services.case_open(item=items["M02"], village_code=VILLAGE_A, subject="修路筹资", by=opener)
    second = make_user("cadre_a2", "王桂香", Role.CADRE, VILLAGE_A)
    both_read = threading.Barrier(2, timeout=10)
    fresh = services._fresh

    def read_then_wait(c: Case) -> Case:
        found = fresh(c)
        both_read.wait()  # neither writes before both have read version 1
        return found

    monkeypatch.setattr(services, "_fresh", read_then_wait)
    outcomes: dict[str, str] = {}

    def submit(user: Any) -> None:
        from django.db import connections

        try:
            services.case_act(
                case=case,
                step_key="representatives",
                expected_version=1,
                outcome="approve",
                meeting=services.engine.MeetingCounts(45, 40, 30, 5, 5),
                by=user,
            )
            outcomes[user.username] = "won"
        except ApplicationError as e:
            outcomes[user.username] = e.message
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit, args=(u,)) for u in (people.cadre_a, second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(20)
    assert sorted(v == "won" for v in outcomes.values()) == [False, True], outcomes
    loser = next(v for v in outcomes.values() if v != "won")
    assert "already completed by" in loser
    case.refresh_from_db()
    assert case.state == "approved" and case.version == 2 and case.actions.count() == 1
