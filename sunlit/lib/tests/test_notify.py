from __future__ import annotations

import logging
from typing import Any

import pytest
from django.core import mail
from django.db import transaction

from sunlit.accounts.models import User
from sunlit.lib import notify as notify_module
from sunlit.lib.notify import deliver, notify


@pytest.fixture
def alice() -> User:
    return User(username="alice", full_name="王建国", email="wang@example.cn")


@pytest.fixture
def bob() -> User:
    return User(username="bob", full_name="李春华", email="")


def test_it_logs_on_the_console_by_default(settings: Any, alice: User, caplog: pytest.LogCaptureFixture) -> None:
    settings.SUNLIT_NOTIFIER = "console"
    with caplog.at_level(logging.INFO, logger="sunlit.notify"):
        assert deliver(to=alice, subject="Step overdue", body="Case 431382101201-2026-0001")
    assert "Step overdue" in caplog.text and "431382101201-2026-0001" in caplog.text
    assert mail.outbox == []


def test_it_mails_a_person_with_an_address(settings: Any, alice: User) -> None:
    settings.SUNLIT_NOTIFIER = "email"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert deliver(to=alice, subject="Step\noverdue", body="Please act.")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang@example.cn"]
    assert mail.outbox[0].subject == "Step overdue"  # one header line


def test_it_skips_a_person_without_an_address(settings: Any, bob: User) -> None:
    settings.SUNLIT_NOTIFIER = "email"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert not deliver(to=bob, subject="Step overdue", body="Please act.")
    assert mail.outbox == []


def test_it_survives_a_failing_backend(settings: Any, alice: User, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(to: Any, subject: str, body: str) -> bool:
        raise ConnectionRefusedError("smtp down")

    monkeypatch.setitem(notify_module.BACKENDS, "email", broken)
    settings.SUNLIT_NOTIFIER = "email"
    assert not deliver(to=alice, subject="Step overdue", body="Please act.")


@pytest.mark.django_db
def test_it_sends_only_once_the_transaction_commits(
    settings: Any, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUNLIT_NOTIFIER = "email"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with transaction.atomic():
            notify(to=alice, subject="Step overdue", body="Please act.")
            assert mail.outbox == []  # not before the change it tells of is committed
    assert len(callbacks) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_it_tells_nobody_of_a_change_rolled_back(
    settings: Any, alice: User, django_capture_on_commit_callbacks: Any
) -> None:
    settings.SUNLIT_NOTIFIER = "email"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            notify(to=alice, subject="Step overdue", body="Please act.")
            raise RuntimeError("the change fails")
    assert callbacks == [] and mail.outbox == []
